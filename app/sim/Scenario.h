#pragma once

// A simulation as the user writes it: fleets of devices (a template and a count), and a timeline
// of faults, saved in the workspace and exported as JSON for version control. This is the
// document only: it is parsed and checked here, and run by Simulation.
//
// The JSON form (every field but a fleet's name and count is optional):
//
//   {
//     "kind": "iotcore-studio/scenario", "version": 1,
//     "seed": 1, "duration": "10m",
//     "fleets": [{
//       "name": "thermostats", "template": "thermostat", "count": 100,
//       "deviceName": "thermostat-{i}",
//       "identity": {"kind": "device", "registry": "home", "secret": "…"},
//       "qos": 1, "schedule": {"period": "10s", "jitter": "1s"},
//       "sensors": [ … ], "payload": {"format": "json", "template": "…"},
//       "topics": {"events": "$devices/{id}/events", "state": "$devices/{id}/state"},
//       "behaviours": {"stateOnConnect": true, "applyConfig": true,
//                      "commands": [{"match": "reboot", "action": "reboot", "downtime": "5s"}]}
//     }],
//     "timeline": [{"at": "1m", "fleet": "thermostats", "share": 0.1,
//                   "fault": "offline", "duration": "30s"}]
//   }

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

namespace iotcore::sim {

// Who a simulated device is to the broker.
struct Identity {
    enum class Kind {
        Device,    // an IoT Core device of `registry` (by name), with a password derived from `secret`
        Broker,    // a client of the IoT Core broker `broker` (by name), with its password
        Anonymous, // the open mode or an external broker; `username`/`password` when it asks
    };
    Kind kind = Kind::Anonymous;
    QString registry;
    QString broker;
    // Device and Broker: the key each device's password is derived from (see devicePassword()),
    // generated when the fleet is provisioned. The workspace keeps only the passwords' hashes in
    // its catalog; this secret is what lets any process running the scenario log the devices in.
    QString secret;
    QString username;
    QString password;

    friend bool operator==(const Identity &, const Identity &) = default;
};

// What a device does when a message arrives on its commands topic.
struct CommandRule {
    enum class Action {
        Reply,  // publish `payload` on `replyTo` (events or state)
        Set,    // set the sensor `sensor` to the command's payload (a number) or to `value`
        Reboot, // go offline for `downtimeMs`, then reconnect and report state
    };
    QString match;       // the command's subtopic or payload text; "*" matches any command
    Action action = Action::Reply;
    QString replyTo = QStringLiteral("events"); // Reply: "events" or "state"
    QString payload;     // Reply: a payload template ({name}, {seq}, {command}, sensors …)
    QString sensor;      // Set
    std::optional<double> value; // Set: fixed value instead of the command's payload
    std::int64_t downtimeMs = 5000; // Reboot

    friend bool operator==(const CommandRule &, const CommandRule &) = default;
};

struct Behaviours {
    bool stateOnConnect = true; // publish state when (re)connected
    bool applyConfig = true;    // a config message with sensor values sets them
    std::vector<CommandRule> commands;

    friend bool operator==(const Behaviours &, const Behaviours &) = default;
};

struct Fleet {
    QString name;
    QString templateName;                     // "thermostat", …; empty: sensors given in full
    int count = 1;
    QString deviceName = QStringLiteral("{fleet}-{i}"); // {i}: 1 … count, {fleet}: the fleet name
    Identity identity;
    int qos = 0;
    QJsonObject schedule;  // Schedule's JSON; empty: the template's
    QJsonArray sensors;    // sensor specs; empty: the template's
    QJsonObject payload;   // {"format": …, "template": …}; empty: JSON with every sensor
    QString eventsTopic;   // empty: the identity's default ($devices/{id}/events, …)
    QString stateTopic;
    Behaviours behaviours;

    QString deviceNameAt(int index) const; // index from 0; {i} counts from 1

    friend bool operator==(const Fleet &, const Fleet &) = default;
};

// A fault injected into some devices of a fleet at a time of the run.
struct TimelineEvent {
    enum class Fault {
        Offline,          // drop off the network for `durationMs`
        ReconnectStorm,   // disconnect and reconnect `repeat` times, `intervalMs` apart
        SlowLink,         // every packet the device sends waits `delayMs`
        LossyLink,        // `loss` of the packets the device sends never leave (QoS 0 lost,
                          // QoS 1 retried by the client)
        MalformedPayload, // payloads broken (truncated JSON, flipped bytes)
        OversizedPayload, // payloads padded to `sizeBytes`
        WrongCredentials, // reconnect with a wrong password (refused) until the fault ends
        ClockSkew,        // timestamps off by `offsetMs` (may be negative)
        BatteryDrain,     // a sensor named "battery" falls `rate` percent per minute faster
    };
    std::int64_t atMs = 0;
    QString fleet;
    double share = 1.0;     // of the fleet's devices (chosen by the scenario's seed), or:
    QStringList devices;    // these devices by name
    Fault fault = Fault::Offline;
    std::int64_t durationMs = 0; // 0: until the end of the run (faults that last)
    std::int64_t delayMs = 0;
    double loss = 0;
    int repeat = 1;
    std::int64_t intervalMs = 1000;
    int sizeBytes = 0;
    std::int64_t offsetMs = 0;
    double rate = 0;

    friend bool operator==(const TimelineEvent &, const TimelineEvent &) = default;
};

struct Scenario {
    static constexpr const char *Kind = "iotcore-studio/scenario";
    static constexpr int Version = 1;

    std::uint64_t seed = 1;
    std::int64_t durationMs = 0; // 0: until stopped
    std::vector<Fleet> fleets;
    std::vector<TimelineEvent> timeline;

    const Fleet *fleet(const QString &name) const;

    // Checks everything a run needs that the scenario alone can tell: names, counts, faults that
    // name a fleet, devices named twice across fleets. One line naming the fleet or timeline
    // entry and the field; empty when fine.
    QString check() const;

    QJsonObject toJson() const;
    // Parses and checks; nullopt with one line in `error` when anything is wrong.
    static std::optional<Scenario> fromJson(const QJsonObject &json, QString *error);

    friend bool operator==(const Scenario &, const Scenario &) = default;
};

const char *faultName(TimelineEvent::Fault fault);
std::optional<TimelineEvent::Fault> faultFromName(const QString &name);

// The password of device `deviceName` in a fleet provisioned with `secret`: 24 characters from
// an HMAC-SHA256, with lower and upper case letters and digits, so it passes IoT Core's password
// rules. Every process that has the scenario computes the same passwords.
QString devicePassword(const QString &secret, const QString &deviceName);
// A fresh random secret for a fleet being provisioned.
QString newFleetSecret();

} // namespace iotcore::sim
