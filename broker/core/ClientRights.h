#pragma once

// What one authenticated client may do, asked by the engine on every PUBLISH and SUBSCRIBE, and
// how its session behaves. A connection without rights (the open listeners) may do everything the
// whole of MQTT 3.1.1 allows. The IoT Core model (broker/iot) implements it for devices,
// registries and brokers.

#include "Message.h"

#include "Transport.h"
#include "mqtt/Packet.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iotcore::broker {

// One entry of the subscription tree that a client's filter turns into.
struct SubscriptionRoute {
    std::string filter; // what goes in the subscription tree
    // When canonicalPrefix is not empty, a delivered topic starting with it has it replaced by
    // deliveredPrefix: "$devices/D/" -> "$me/device/", an alias target -> the alias, or a
    // broker's private space "$brokers/B/" -> "" (its clients see plain topics).
    std::string canonicalPrefix;
    std::string deliveredPrefix;
    bool checkRead = false; // the filter is wider than the client's rights: ask mayRead() per message

    bool renames() const { return !canonicalPrefix.empty(); }

    // A filter of a client living in a topic space of its own (an IoT Core broker's clients):
    // routed under `space`, delivered without it.
    static SubscriptionRoute inSpace(const std::string &space, const std::string &filter)
    {
        return {space + filter, space, std::string(), false};
    }
    std::string deliveredTopic(std::string_view topic) const
    {
        if (!renames() || !topic.starts_with(canonicalPrefix))
            return std::string(topic);
        return deliveredPrefix + std::string(topic.substr(canonicalPrefix.size()));
    }
};

class ClientRights
{
public:
    virtual ~ClientRights() = default;

    struct PublishCheck {
        bool allowed = false;
        std::string topic;      // the canonical topic the message is routed on
        bool kept = false;      // a permanent topic: its last message is kept and replayed
        std::string reason;     // when refused, in the service's wording
    };
    virtual PublishCheck checkPublish(std::string_view topic) const = 0;

    struct SubscribeCheck {
        bool allowed = false;
        std::vector<SubscriptionRoute> routes;
        bool exact = false;     // no wildcard: kept messages are replayed to it
        std::string reason;
    };
    virtual SubscribeCheck checkSubscribe(std::string_view filter) const = 0;

    virtual bool mayRead(std::string_view topic) const = 0;

    // Session semantics (IOT_CORE.md, "QoS, sessions, retain, will").
    virtual bool allowsPersistentSession() const = 0;
    virtual bool storesRetained() const = 0;
    virtual std::uint8_t maxQos() const = 0; // a PUBLISH above it closes; a SUBSCRIBE above it is granted it
    virtual std::size_t maxPayloadSize() const = 0;
    // Prefix of the session keys (client ids) of clients living in a topic space of their own, so
    // that equal client ids of two such spaces are two sessions: "$brokers/<id>/". Empty for the
    // others.
    virtual std::string sessionSpace() const { return {}; }

    // Asked for every PUBLISH the client may make (IOT_CORE.md, "Limits": messages per device and
    // per broker). `drop`: the message is acknowledged but not routed. `warning`: a line for the
    // logs, given at most once in a while so that a flood does not flood the log too.
    struct RateCheck {
        bool drop = false;
        std::string warning;
    };
    virtual RateCheck checkRate() { return {}; }

    // The engine tells the rights what the client did, so that the model can keep monitoring data;
    // the answer is a message for the engine to route (QoS 0), e.g. the monitoring topic's JSON.
    // The engine asks for it (`wanted`) only when a subscription matches noticeTopic(): building
    // the JSON for every device PUBLISH that nobody reads was a third of IoT Core mode's CPU.
    enum class Activity { Connect, Publish, Subscribe, Disconnect };
    struct Notice {
        std::string topic;
        std::string payload;
    };
    virtual std::optional<Notice> activity(Activity activity, bool wanted) = 0;
    // Where notices go; null when the client's activity is not published.
    virtual const std::string *noticeTopic() const { return nullptr; }

    // Text for logs and the event tap, e.g. `device are0… (cert 3f2a…)`.
    virtual std::string describe() const = 0;

    // Whose connection log records what this client does (IOT_CORE.md, "Connection log lines":
    // a registry's log holds only what its own credentials did), and the credential part of its
    // `connected, …` line: `cert: "<sha1>"` or `username: "<id>"`. Empty id: no such log.
    struct LogOwner {
        std::string kind; // "device", "registry", "broker"
        std::string id;
        std::string credential;
    };
    virtual LogOwner logOwner() const { return {}; }

    // False once the identity is gone or refused (a deleted device, a disabled registry): the
    // broker then drops the connection (Broker::dropRevokedClients).
    virtual bool stillAllowed() const = 0;
};

// Decides who a client is at CONNECT. Listeners without one are open: anonymous, any topic.
class Authenticator
{
public:
    virtual ~Authenticator() = default;

    struct Request {
        std::string clientId;
        std::optional<std::string> username;
        std::optional<std::string> password;
        std::optional<PeerCertificate> certificate;
        std::string address;
        // The listener vouches for the username (ListenerInfo::identityAsserted): it names the
        // identity, and neither password nor certificate is checked.
        bool identityAsserted = false;
    };
    struct Verdict {
        ConnectReturnCode code = ConnectReturnCode::NotAuthorized;
        std::unique_ptr<ClientRights> rights; // with Accepted
        std::string reason;                   // otherwise, for the log
        std::string warning;                  // accepted, but worth a line in the log
    };
    // May answer later (a password hash is checked off the broker thread), but `done` is always
    // called on the broker thread, exactly once.
    virtual void authenticate(Request request, std::function<void(Verdict)> done) = 0;
};

} // namespace iotcore::broker
