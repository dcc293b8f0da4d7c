#pragma once

// One simulated device: an MqttClient (the same client as everything else, over any transport),
// its sensors, its place in its fleet's schedule, its behaviours (commands, config, state on
// connect) and the faults injected into it. It owns no timer: the shard's Scheduler runs its
// ticks, so a hundred thousand devices cost one timer between them.
//
// Lives on its shard's thread; the shard creates, drives and deletes it there.

#include "FaultyLink.h"
#include "FleetModel.h"
#include "Schedule.h"
#include "Scheduler.h"
#include "SensorSet.h"
#include "SimulationStats.h"

#include "client/MqttClient.h"

#include <QObject>
#include <QPointer>

#include <memory>
#include <vector>

namespace iotcore::sim {

// What every device of a shard shares.
struct DeviceEnvironment {
    Scheduler *scheduler = nullptr;
    app::ClientTransportFactory iotCoreTransport; // devices logging in as IoT Core entities
    app::ClientTransportFactory openTransport;    // anonymous devices
    ShardStats *stats = nullptr;
    qint64 runStartMs = 0;        // scheduler clock time of the run's start
    qint64 runStartEpochMs = 0;   // the wall-clock time of the same instant
    std::function<void(const QString &device, const QString &problem)> reportProblem;
};

class SimulatedDevice : public QObject
{
    Q_OBJECT

public:
    struct Identity {
        QString name;     // in its fleet: "thermostat-12"
        QString id;       // the IoT Core device id, or the name when the fleet is not IoT Core's
        QString username; // empty: anonymous
        QString password;
        int index = 0;    // in its fleet, from 0
        quint64 seed = 0; // sensors, schedule phase, jitter and faults draw from it
    };

    SimulatedDevice(std::shared_ptr<const FleetModel> model, Identity identity, DeviceEnvironment &environment,
                    QObject *parent = nullptr);
    ~SimulatedDevice() override;

    const Identity &identity() const { return m_identity; }
    const FleetModel &model() const { return *m_model; }
    bool isConnected() const { return m_client.state() == app::MqttClient::State::Connected; }
    const SensorSet &sensors() const { return m_sensors; }
    quint64 sent() const { return m_sent; }

    // Connects at `atMs` (scheduler time) and publishes on its schedule from then on.
    void start(qint64 atMs);
    // Stops publishing and disconnects cleanly (DISCONNECT: no will) once the broker has
    // acknowledged what is in flight.
    void stop();
    bool isStopped() const;
    // Leaves the schedule: no events until resume(), while the connection, the answers to
    // commands and the faults carry on (a paused device is a quiet one, not a missing one).
    void pause();
    // Back on the schedule from now: what fell due while paused is skipped, not sent in a burst.
    void resume();
    bool isPaused() const { return m_paused; }
    // Starts a fault now; it ends by itself after its duration.
    void injectFault(const TimelineEvent &fault);
    // The faults acting on the device now, in the order they started.
    std::vector<TimelineEvent::Fault> activeFaults() const;

private:
    struct ActiveFault {
        TimelineEvent event;
        qint64 endMs = 0;    // Scheduler::NotScheduled: until the run ends
        qint64 nextStepMs = Scheduler::NotScheduled; // storms and wrong credentials act again
        int stepsLeft = 0;
    };

    void connectNow();
    void onConnected();
    void onDisconnected(const QString &reason);
    void onMessage(const app::MqttMessage &message);
    void tick(qint64 dueMs);
    void publishEvents(qint64 dueMs);
    void publishState(qint64 nowMs);
    void publish(const QString &topic, const QByteArray &payload);
    void handleCommand(const QString &subtopic, const QByteArray &payload);
    void applyConfig(const QByteArray &payload);
    void reboot(qint64 downtimeMs);
    QByteArray render(const PayloadTemplate &payload, qint64 atMs, const QString &command = {});
    bool valuesChangedEnough() const;
    void rememberSentValues();
    // Faults.
    void runFaults(qint64 nowMs);
    void startFault(ActiveFault &fault, qint64 nowMs);
    void stepFault(ActiveFault &fault, qint64 nowMs);
    void endFault(const ActiveFault &fault, qint64 nowMs);
    void scheduleFaultTask();
    bool faultActive(TimelineEvent::Fault kind) const;
    // Drops the connection for a fault: the device does not report it as a problem.
    void abortByFault(const QString &reason);
    qint64 now() const;

    std::shared_ptr<const FleetModel> m_model;
    Identity m_identity;
    DeviceEnvironment &m_environment;
    app::MqttClient m_client;
    SensorSet m_sensors;
    ScheduleCursor m_cursor;
    TaskId m_tickTask;
    TaskId m_faultTask;
    LinkFaults m_link;
    QPointer<FaultyLink> m_currentLink; // the transport of the current or last connection
    std::vector<ActiveFault> m_faults;
    QString m_eventsTopic;
    QString m_stateTopic;
    QString m_commandsPrefix; // "$devices/<id>/commands"
    QString m_configTopic;
    quint64 m_seq = 0;
    quint64 m_sent = 0;
    qint64 m_lastSentMs = -1;
    std::vector<SensorValue> m_lastSentValues;
    std::vector<SensorValue> m_lastStateValues;
    qint64 m_clockSkewMs = 0;
    double m_batteryDrainPerMinute = 0;
    qint64 m_batteryDrainSinceMs = 0;
    double m_batteryDrained = 0;
    bool m_running = false;
    bool m_paused = false;
    bool m_offline = false;     // an offline or reboot fault keeps it disconnected
    bool m_wasConnected = false;
    bool m_stopping = false;
    bool m_connectOnTick = false;
    bool m_injectedAbort = false;
    quint64 m_lostCounted = 0;
};

} // namespace iotcore::sim
