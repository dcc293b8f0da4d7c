#include "SimulatedDevice.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <limits>

namespace iotcore::sim {

using app::MqttClient;
using app::MqttMessage;
using Fault = TimelineEvent::Fault;

namespace {

// The sensor values a payload template reads, plus {command} for replies.
class DeviceValues : public PayloadValues
{
public:
    DeviceValues(const SensorSet &sensors, const QString &command) : m_sensors(sensors), m_command(command) { }

    QJsonValue value(int index) const override
    {
        if (index >= m_sensors.size())
            return m_command;
        const SensorValue &value = m_sensors.value(index);
        if (const double *number = std::get_if<double>(&value))
            return *number;
        if (const bool *flag = std::get_if<bool>(&value))
            return *flag;
        if (const QString *text = std::get_if<QString>(&value))
            return *text;
        const GeoPoint &point = std::get<GeoPoint>(value);
        QJsonObject geo{{QStringLiteral("lat"), point.latitude}, {QStringLiteral("lon"), point.longitude}};
        if (point.hasAltitude)
            geo.insert(QStringLiteral("alt"), point.altitude);
        return geo;
    }

private:
    const SensorSet &m_sensors;
    const QString &m_command;
};

// Whether `fault` picks this device: each fault draws from the device's seed and its own start
// time, so the same devices are picked in every run and in every fleet slice.
constexpr int ReconnectMinDelayMs = 1000;
constexpr int ReconnectMaxDelayMs = 30'000;
constexpr int WrongCredentialRetryMs = 5000;

} // namespace

SimulatedDevice::SimulatedDevice(std::shared_ptr<const FleetModel> model, Identity identity,
                                 DeviceEnvironment &environment, QObject *parent)
    : QObject(parent),
      m_model(std::move(model)),
      m_identity(std::move(identity)),
      m_environment(environment),
      m_sensors(m_model->sensorsShared(), m_identity.seed, m_identity.name),
      m_cursor(m_model->schedule(), 0, m_identity.seed)
{
    m_link.random = Random(Random::finalize(m_identity.seed ^ 0x6c696e6bULL));
    m_eventsTopic = m_model->eventsTopic(m_identity.id, m_identity.name);
    m_stateTopic = m_model->stateTopic(m_identity.id, m_identity.name);
    m_commandsPrefix = QStringLiteral("$devices/%1/commands").arg(m_identity.id);
    m_configTopic = m_model->configTopic(m_identity.id);

    m_client.setClientId(m_identity.name);
    m_client.setUsername(m_identity.username);
    m_client.setPassword(m_identity.password);
    m_client.setCleanSession(true);
    m_client.setAutoReconnect(true);
    m_client.setReconnectMinDelay(ReconnectMinDelayMs);
    m_client.setReconnectMaxDelay(ReconnectMaxDelayMs);
    connect(&m_client, &MqttClient::connected, this, &SimulatedDevice::onConnected);
    connect(&m_client, &MqttClient::disconnected, this, &SimulatedDevice::onDisconnected);
    connect(&m_client, &MqttClient::messageReceived, this, &SimulatedDevice::onMessage);
    connect(&m_client, &MqttClient::messageAcknowledged, this, [this] {
        ShardStats::add(m_environment.stats->acknowledged);
        if (m_stopping && m_client.inflightCount() == 0)
            m_client.disconnectFromHost();
    });

    m_tickTask = m_environment.scheduler->add([this](qint64 dueMs) { tick(dueMs); });
    m_faultTask = m_environment.scheduler->add([this](qint64) { runFaults(now()); });
    ShardStats::add(m_environment.stats->devices);
}

SimulatedDevice::~SimulatedDevice()
{
    m_environment.scheduler->remove(m_tickTask);
    m_environment.scheduler->remove(m_faultTask);
    if (m_wasConnected && isConnected())
        ShardStats::add(m_environment.stats->connected, -1);
    ShardStats::add(m_environment.stats->devices, -1);
}

qint64 SimulatedDevice::now() const
{
    return m_environment.scheduler->clock().nowMs();
}

void SimulatedDevice::start(qint64 atMs)
{
    m_running = true;
    m_connectOnTick = true;
    m_cursor = ScheduleCursor(m_model->schedule(), atMs, m_identity.seed);
    // The connection is made at the start time; the first message waits for its phase.
    m_environment.scheduler->scheduleAt(m_tickTask, atMs);
}

void SimulatedDevice::stop()
{
    m_running = false;
    m_stopping = true;
    m_client.setAutoReconnect(false); // a connection lost now stays lost
    m_environment.scheduler->cancel(m_tickTask);
    m_environment.scheduler->cancel(m_faultTask);
    // A device that stops keeps nothing back: what it sent at QoS 1 is acknowledged before it
    // says goodbye (a clean session would drop it on DISCONNECT).
    if (!isConnected() || m_client.inflightCount() == 0)
        m_client.disconnectFromHost();
}

bool SimulatedDevice::isStopped() const
{
    // A slow link may still hold the DISCONNECT: the device is gone once it has left.
    return m_client.state() == MqttClient::State::Disconnected && !(m_currentLink && m_currentLink->isHoldingPackets());
}

void SimulatedDevice::pause()
{
    m_paused = true;
    // A device still waiting for its start keeps that tick: it connects, then waits for resume().
    if (!m_connectOnTick)
        m_environment.scheduler->cancel(m_tickTask);
}

void SimulatedDevice::resume()
{
    if (!m_paused)
        return;
    m_paused = false;
    if (!m_running || m_connectOnTick)
        return;
    m_cursor.skipMissed(now());
    m_environment.scheduler->scheduleAt(m_tickTask, m_cursor.dueMs());
}

void SimulatedDevice::connectNow()
{
    if (!m_running || m_offline || m_client.state() != MqttClient::State::Disconnected)
        return;
    const bool iotCore = m_model->fleet().identity.kind != sim::Identity::Kind::Anonymous;
    app::ClientTransportFactory transport = iotCore ? m_environment.iotCoreTransport : m_environment.openTransport;
    m_client.connectWithTransport([this, transport] {
        auto link = std::make_unique<FaultyLink>(transport(), m_link);
        m_currentLink = link.get();
        return link;
    });
}

void SimulatedDevice::onConnected()
{
    if (m_stopping) {
        m_client.disconnectFromHost();
        return;
    }
    m_wasConnected = true;
    ShardStats::add(m_environment.stats->connected);
    ShardStats::add(m_environment.stats->connects);
    if (m_model->listensForCommands()) {
        if (!m_model->commandRules().empty())
            m_client.subscribe(m_commandsPrefix + QStringLiteral("/#"), quint8(m_model->fleet().qos));
        if (m_model->fleet().behaviours.applyConfig)
            m_client.subscribe(m_configTopic, quint8(m_model->fleet().qos));
    }
    if (m_model->fleet().behaviours.stateOnConnect)
        publishState(now());
}

void SimulatedDevice::onDisconnected(const QString &reason)
{
    if (m_wasConnected) {
        m_wasConnected = false;
        ShardStats::add(m_environment.stats->connected, -1);
    }
    if (m_stopping || m_offline || m_injectedAbort) {
        m_injectedAbort = false;
        return;
    }
    const MqttClient::Error error = m_client.error();
    const int code = int(error);
    if (code >= 1 && code <= 5) {
        ShardStats::add(m_environment.stats->refused);
        // A refused device stays out (MqttClient does not retry a refusal) unless the refusal
        // is what a wrong-credentials fault asked for: that one retries on its own rhythm.
        if (!faultActive(Fault::WrongCredentials))
            m_environment.reportProblem(m_identity.name, reason);
        return;
    }
    ShardStats::add(m_environment.stats->disconnects);
    m_environment.reportProblem(m_identity.name, reason);
}

void SimulatedDevice::tick(qint64 dueMs)
{
    if (!m_running)
        return;
    if (m_connectOnTick) {
        m_connectOnTick = false;
        connectNow();
    }
    if (m_paused)
        return; // resume() puts the device back on its schedule
    if (dueMs >= m_cursor.dueMs()) {
        if (isConnected())
            publishEvents(dueMs);
        m_cursor.advance();
    }
    m_environment.scheduler->scheduleAt(m_tickTask, m_cursor.dueMs());
}

void SimulatedDevice::publishEvents(qint64 dueMs)
{
    m_sensors.sample(dueMs - m_environment.runStartMs);
    if (m_batteryDrainPerMinute > 0) {
        const int battery = m_sensors.model().indexOf(u"battery");
        const double minutes = double(dueMs - m_batteryDrainSinceMs) / 60'000.0;
        m_sensors.setOffset(battery, -(m_batteryDrained + m_batteryDrainPerMinute * minutes), 0.0);
    }
    const Schedule &schedule = m_model->schedule();
    if (schedule.onlyOnChange) {
        const bool heartbeat = m_lastSentMs < 0 || schedule.onlyOnChange->heartbeatDue(dueMs - m_lastSentMs);
        if (!heartbeat && !valuesChangedEnough())
            return;
    }
    const PayloadTemplate &payload = m_model->eventsPayload();
    QByteArray bytes;
    if (faultActive(Fault::MalformedPayload)) {
        bytes = payload.renderMalformed(PayloadContext{m_identity.name, m_identity.id, m_identity.index,
                                                       m_environment.runStartEpochMs + (dueMs - m_environment.runStartMs) + m_clockSkewMs,
                                                       m_seq},
                                        DeviceValues(m_sensors, {}),
                                        m_seq % 2 ? PayloadTemplate::Malformation::FlippedBytes
                                                  : PayloadTemplate::Malformation::Truncated);
    } else {
        bytes = render(payload, dueMs);
        for (const ActiveFault &fault : m_faults) {
            if (fault.event.fault == Fault::OversizedPayload && bytes.size() < fault.event.sizeBytes)
                bytes = payload.renderOversized(
                    PayloadContext{m_identity.name, m_identity.id, m_identity.index,
                                   m_environment.runStartEpochMs + (dueMs - m_environment.runStartMs) + m_clockSkewMs, m_seq},
                    DeviceValues(m_sensors, {}), fault.event.sizeBytes);
        }
    }
    publish(m_eventsTopic, bytes);
    m_lastSentMs = dueMs;
    rememberSentValues();
    if (schedule.sendStateOnChange && m_sensors.values() != m_lastStateValues)
        publishState(dueMs);
}

bool SimulatedDevice::valuesChangedEnough() const
{
    if (m_lastSentValues.size() != m_sensors.values().size())
        return true;
    for (std::size_t i = 0; i < m_lastSentValues.size(); ++i) {
        const SensorValue &now = m_sensors.values()[i];
        const SensorValue &then = m_lastSentValues[i];
        const double *a = std::get_if<double>(&now);
        const double *b = std::get_if<double>(&then);
        if (a && b ? m_model->schedule().onlyOnChange->exceedsDeadband(*b, *a) : now != then)
            return true;
    }
    return false;
}

void SimulatedDevice::rememberSentValues()
{
    m_lastSentValues = m_sensors.values();
}

void SimulatedDevice::publishState(qint64 nowMs)
{
    if (!isConnected())
        return;
    m_lastStateValues = m_sensors.values();
    publish(m_stateTopic, render(m_model->statePayload(), nowMs));
}

QByteArray SimulatedDevice::render(const PayloadTemplate &payload, qint64 atMs, const QString &command)
{
    const PayloadContext context{m_identity.name, m_identity.id, m_identity.index,
                                 m_environment.runStartEpochMs + (atMs - m_environment.runStartMs) + m_clockSkewMs,
                                 m_seq};
    return payload.render(context, DeviceValues(m_sensors, command));
}

void SimulatedDevice::publish(const QString &topic, const QByteArray &payload)
{
    const qint32 id = m_client.publish(topic, payload, quint8(m_model->fleet().qos));
    if (id < 0)
        return;
    ++m_seq;
    ++m_sent;
    ShardStats::add(m_environment.stats->published);
    if (m_link.dropped != m_lostCounted) {
        ShardStats::add(m_environment.stats->lost, qint64(m_link.dropped - m_lostCounted));
        m_lostCounted = m_link.dropped;
    }
}

// --- behaviours ---------------------------------------------------------------------------------

void SimulatedDevice::onMessage(const MqttMessage &message)
{
    ShardStats::add(m_environment.stats->commands);
    const QString topic = message.topic();
    if (topic == m_configTopic) {
        applyConfig(message.payload());
        return;
    }
    if (topic == m_commandsPrefix || topic.startsWith(m_commandsPrefix + u'/'))
        handleCommand(topic.mid(m_commandsPrefix.size() + 1), message.payload());
}

void SimulatedDevice::handleCommand(const QString &subtopic, const QByteArray &payload)
{
    const QString text = QString::fromUtf8(payload).trimmed();
    const std::vector<CommandRule> &rules = m_model->commandRules();
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const CommandRule &rule = rules[i];
        const bool matches = rule.match == QLatin1String("*") || rule.match == subtopic || rule.match == text
                             || subtopic.startsWith(rule.match + u'/');
        if (!matches)
            continue;
        switch (rule.action) {
        case CommandRule::Action::Reply: {
            const QString &topic = rule.replyTo == QLatin1String("state") ? m_stateTopic : m_eventsTopic;
            publish(topic, render(*m_model->replyPayload(i), now(), text));
            break;
        }
        case CommandRule::Action::Set: {
            // The value: the rule's own, else the payload as a number, else {"<sensor>": n}.
            std::optional<double> value = rule.value;
            bool isNumber = false;
            const double number = text.toDouble(&isNumber);
            if (!value && isNumber)
                value = number;
            if (!value) {
                const QJsonValue field = QJsonDocument::fromJson(payload).object().value(rule.sensor);
                if (field.isDouble())
                    value = field.toDouble();
            }
            if (!value) {
                m_environment.reportProblem(m_identity.name,
                                            QStringLiteral("command \"%1\": \"%2\" is not a number for %3")
                                                .arg(rule.match, text.left(40), rule.sensor));
                break;
            }
            m_sensors.hold(m_sensors.model().indexOf(rule.sensor), *value);
            publishState(now());
            break;
        }
        case CommandRule::Action::Reboot:
            reboot(rule.downtimeMs);
            break;
        }
        return; // the first rule that matches answers
    }
}

void SimulatedDevice::applyConfig(const QByteArray &payload)
{
    const QJsonObject config = QJsonDocument::fromJson(payload).object();
    bool changed = false;
    for (auto it = config.begin(); it != config.end(); ++it) {
        const int index = m_sensors.model().indexOf(it.key());
        if (index < 0)
            continue;
        const QJsonValue value = it.value();
        if (value.isDouble())
            m_sensors.hold(index, value.toDouble());
        else if (value.isBool())
            m_sensors.hold(index, value.toBool());
        else if (value.isString())
            m_sensors.hold(index, value.toString());
        else
            continue;
        changed = true;
    }
    if (changed)
        publishState(now());
}

void SimulatedDevice::reboot(qint64 downtimeMs)
{
    TimelineEvent outage;
    outage.fault = Fault::Offline;
    outage.durationMs = std::max<qint64>(downtimeMs, 1);
    injectFault(outage);
}

// --- faults -------------------------------------------------------------------------------------

void SimulatedDevice::abortByFault(const QString &reason)
{
    // Only a live connection reports its end; a client already down has nothing to abort.
    m_injectedAbort = m_client.state() != MqttClient::State::Disconnected;
    m_client.abortConnection(reason);
    m_injectedAbort = false;
}

std::vector<Fault> SimulatedDevice::activeFaults() const
{
    std::vector<Fault> kinds;
    kinds.reserve(m_faults.size());
    for (const ActiveFault &fault : m_faults)
        kinds.push_back(fault.event.fault);
    return kinds;
}

bool SimulatedDevice::faultActive(Fault kind) const
{
    return std::any_of(m_faults.begin(), m_faults.end(),
                       [kind](const ActiveFault &fault) { return fault.event.fault == kind; });
}

void SimulatedDevice::injectFault(const TimelineEvent &event)
{
    if (!m_running)
        return;
    const qint64 nowMs = now();
    ActiveFault fault;
    fault.event = event;
    fault.endMs = event.durationMs > 0 ? nowMs + event.durationMs : Scheduler::NotScheduled;
    ShardStats::add(m_environment.stats->faults);
    startFault(fault, nowMs);
    m_faults.push_back(fault);
    scheduleFaultTask();
}

void SimulatedDevice::startFault(ActiveFault &fault, qint64 nowMs)
{
    const TimelineEvent &event = fault.event;
    switch (event.fault) {
    case Fault::Offline:
        m_offline = true;
        m_client.setAutoReconnect(false);
        m_client.abortConnection(tr("offline (injected fault)"));
        break;
    case Fault::ReconnectStorm:
        fault.stepsLeft = event.repeat;
        fault.nextStepMs = nowMs;
        stepFault(fault, nowMs);
        break;
    case Fault::SlowLink:
        m_link.delayMs = event.delayMs;
        break;
    case Fault::LossyLink:
        m_link.loss = event.loss;
        break;
    case Fault::WrongCredentials:
        m_client.setPassword(m_identity.password + QStringLiteral("-wrong"));
        if (m_client.username().isEmpty())
            m_client.setUsername(m_identity.name);
        abortByFault(tr("reconnecting with wrong credentials (injected fault)"));
        fault.nextStepMs = nowMs + WrongCredentialRetryMs;
        fault.stepsLeft = std::numeric_limits<int>::max();
        break;
    case Fault::ClockSkew:
        m_clockSkewMs = event.offsetMs;
        break;
    case Fault::BatteryDrain:
        if (m_sensors.model().indexOf(u"battery") < 0) {
            m_environment.reportProblem(m_identity.name, tr("battery-drain fault: the device has no sensor named battery"));
            break;
        }
        m_batteryDrainPerMinute = event.rate;
        m_batteryDrainSinceMs = nowMs;
        break;
    case Fault::MalformedPayload:
    case Fault::OversizedPayload:
        break; // read when publishing
    }
}

void SimulatedDevice::stepFault(ActiveFault &fault, qint64 nowMs)
{
    if (fault.event.fault == Fault::ReconnectStorm) {
        // Drop the connection as a network failure would (the will goes out) and come back at
        // once, `repeat` times.
        abortByFault(tr("reconnect storm (injected fault)"));
        connectNow();
        --fault.stepsLeft;
        fault.nextStepMs = fault.stepsLeft > 0 ? nowMs + std::max<qint64>(fault.event.intervalMs, 1)
                                               : Scheduler::NotScheduled;
        if (fault.stepsLeft <= 0 && fault.endMs == Scheduler::NotScheduled)
            fault.endMs = nowMs;
    } else if (fault.event.fault == Fault::WrongCredentials) {
        if (m_client.state() == MqttClient::State::Disconnected)
            connectNow();
        fault.nextStepMs = nowMs + WrongCredentialRetryMs;
    }
}

void SimulatedDevice::endFault(const ActiveFault &fault, qint64 nowMs)
{
    switch (fault.event.fault) {
    case Fault::Offline:
        m_offline = false;
        m_client.setAutoReconnect(true);
        m_cursor.skipMissed(nowMs);
        connectNow();
        break;
    case Fault::SlowLink:
        m_link.delayMs = 0;
        break;
    case Fault::LossyLink:
        m_link.loss = 0;
        break;
    case Fault::WrongCredentials:
        m_client.setPassword(m_identity.password);
        m_client.setUsername(m_identity.username);
        if (m_client.state() != MqttClient::State::Connected) {
            abortByFault(tr("credentials restored"));
            connectNow();
        }
        break;
    case Fault::ClockSkew:
        m_clockSkewMs = 0;
        break;
    case Fault::BatteryDrain:
        m_batteryDrained += m_batteryDrainPerMinute * double(nowMs - m_batteryDrainSinceMs) / 60'000.0;
        m_batteryDrainPerMinute = 0;
        // What was drained stays drained.
        m_sensors.setOffset(m_sensors.model().indexOf(u"battery"), -m_batteryDrained, 0.0);
        break;
    case Fault::ReconnectStorm:
    case Fault::MalformedPayload:
    case Fault::OversizedPayload:
        break;
    }
}

void SimulatedDevice::runFaults(qint64 nowMs)
{
    for (ActiveFault &fault : m_faults) {
        if (fault.nextStepMs <= nowMs && fault.endMs > nowMs)
            stepFault(fault, nowMs);
    }
    // Ended faults go, in the order they started; the link goes back to normal only when no
    // other fault of the same kind still holds it.
    for (auto it = m_faults.begin(); it != m_faults.end();) {
        if (it->endMs <= nowMs) {
            const ActiveFault ended = *it;
            it = m_faults.erase(it);
            if (!faultActive(ended.event.fault))
                endFault(ended, nowMs);
        } else {
            ++it;
        }
    }
    scheduleFaultTask();
}

void SimulatedDevice::scheduleFaultTask()
{
    qint64 next = Scheduler::NotScheduled;
    for (const ActiveFault &fault : m_faults)
        next = std::min({next, fault.endMs, fault.nextStepMs});
    if (next == Scheduler::NotScheduled)
        m_environment.scheduler->cancel(m_faultTask);
    else
        m_environment.scheduler->scheduleAt(m_faultTask, next);
}

} // namespace iotcore::sim
