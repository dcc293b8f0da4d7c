#include "ExternalBrokerFeed.h"

#include "messages/MessageStore.h"

#include "mqtt/Packet.h"

#include <QDateTime>

namespace iotcore::ui {

using app::MqttClient;
using app::MqttMessage;
using app::MqttSubscription;
using broker::BrokerEvent;

namespace {

// The sender of a live message: MQTT 3.1.1 does not carry the publisher's identity.
const std::string ExternalSender = "(external)";

bool isRefusal(MqttClient::Error error)
{
    switch (error) {
    case MqttClient::Error::InvalidProtocolVersion:
    case MqttClient::Error::IdRejected:
    case MqttClient::Error::ServerUnavailable:
    case MqttClient::Error::BadUsernameOrPassword:
    case MqttClient::Error::NotAuthorized:
        return true;
    default:
        return false;
    }
}

} // namespace

ExternalBrokerFeed::ExternalBrokerFeed(ConnectionProfile profile, MessageStore &store,
                                       QObject *parent)
    : QObject(parent)
    , m_profile(std::move(profile))
    , m_store(store)
{
    if (!m_profile.clientId.isEmpty())
        m_client.setClientId(m_profile.clientId);
    m_client.setUsername(m_profile.username);
    m_client.setPassword(m_profile.password);
    m_client.setAutoReconnect(true);
    m_client.setReconnectMinDelay(ReconnectMinDelayMs);
    m_client.setReconnectMaxDelay(ReconnectMaxDelayMs);

    connect(&m_client, &MqttClient::stateChanged, this, &ExternalBrokerFeed::onStateChanged);
    connect(&m_client, &MqttClient::disconnected, this, &ExternalBrokerFeed::onDisconnected);
    connect(&m_client, &MqttClient::messageReceived, this, &ExternalBrokerFeed::onMessage);

    // Made once: the client sends them on every connection (a clean session forgets them).
    for (const ProfileFilter &entry : std::as_const(m_profile.filters)) {
        MqttSubscription *subscription = m_client.subscribe(entry.filter, entry.qos);
        if (!subscription)
            continue; // ConnectionProfile::validate() names it
        connect(subscription, &MqttSubscription::stateChanged, this,
                [this, subscription] { onSubscriptionState(subscription); });
    }

    m_drainTimer.setInterval(DrainIntervalMs);
    connect(&m_drainTimer, &QTimer::timeout, this, &ExternalBrokerFeed::drain);
}

bool ExternalBrokerFeed::start()
{
    if (m_client.state() != MqttClient::State::Disconnected)
        return true;
    QString error;
    const std::optional<sim::BrokerTarget> target = m_profile.target(&error);
    if (!target) {
        setStatus(Status::Refused, tr("Cannot connect to %1: %2.").arg(m_profile.url(), error));
        return false;
    }
    m_drainTimer.start();
    m_client.connectWithTransport(target->transportFactory(true));
    return true;
}

void ExternalBrokerFeed::stop()
{
    m_stopping = true;
    m_client.disconnectFromHost(); // also cancels a reconnection that is waiting
    m_stopping = false;
    drain();
    m_drainTimer.stop();
    setStatus(Status::Disconnected);
}

int ExternalBrokerFeed::grantedSubscriptions() const
{
    int granted = 0;
    for (const MqttSubscription *subscription : m_client.subscriptions())
        granted += subscription->state() == MqttSubscription::State::Subscribed ? 1 : 0;
    return granted;
}

qint32 ExternalBrokerFeed::publish(const QString &topic, const QByteArray &payload, quint8 qos,
                                   bool retain)
{
    return m_client.publish(topic, payload, qos, retain);
}

void ExternalBrokerFeed::drain()
{
    if (m_pending.empty())
        return;
    std::vector<BrokerEvent> batch;
    batch.swap(m_pending);
    m_store.ingest(batch);
}

void ExternalBrokerFeed::onStateChanged(MqttClient::State state)
{
    if (state == MqttClient::State::Connected)
        setStatus(Status::Connected);
    else if (state == MqttClient::State::Connecting)
        setStatus(Status::Connecting, m_problem); // the last failure stays worth reading
}

void ExternalBrokerFeed::onDisconnected(const QString &reason)
{
    if (m_stopping)
        return;
    const MqttClient::Error error = m_client.error();
    if (isRefusal(error)) {
        // Only "server unavailable" is worth trying again (MqttClient does); the others need
        // the user to change the profile.
        const Status status = error == MqttClient::Error::ServerUnavailable ? Status::Reconnecting
                                                                             : Status::Refused;
        setStatus(status, tr("Refused by %1: %2.").arg(m_profile.endpoint(), reason));
        return;
    }
    const QString text = m_status == Status::Connected
        ? tr("Lost the connection to %1: %2; reconnecting.")
        : tr("Cannot reach %1: %2; trying again.");
    setStatus(Status::Reconnecting, text.arg(m_profile.url(), reason));
}

void ExternalBrokerFeed::onMessage(const MqttMessage &received)
{
    ++m_received;
    auto message = std::make_shared<broker::Message>();
    message->id = m_nextMessageId++;
    message->topic = received.topic().toStdString();
    message->payload = received.payload().toStdString();
    message->qos = received.qos();
    message->retain = received.retain();

    const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
    BrokerEvent published;
    published.kind = BrokerEvent::Kind::Publish;
    published.timeMs = now;
    // Empty for a retained message, which the log then shows as "(retained)".
    published.clientId = received.retain() ? std::string() : ExternalSender;
    published.topic = message->topic;
    published.qos = message->qos;
    published.message = message;

    BrokerEvent delivered = published;
    delivered.kind = BrokerEvent::Kind::Deliver;
    delivered.clientId = m_client.clientId().toStdString();
    delivered.packetId = received.id();

    enqueue(std::move(published));
    if (received.qos() > 0) {
        BrokerEvent acked = delivered;
        acked.kind = BrokerEvent::Kind::Ack;
        acked.detail = received.qos() == 1 ? "PUBACK" : "PUBREC"; // what the client answered
        enqueue(std::move(delivered));
        enqueue(std::move(acked));
    } else {
        enqueue(std::move(delivered));
    }
}

void ExternalBrokerFeed::onSubscriptionState(MqttSubscription *subscription)
{
    if (subscription->state() == MqttSubscription::State::Error) {
        BrokerEvent refused;
        refused.kind = BrokerEvent::Kind::Subscribe;
        refused.timeMs = QDateTime::currentMSecsSinceEpoch();
        refused.clientId = m_client.clientId().toStdString();
        refused.topic = subscription->topic().toStdString();
        refused.qos = broker::SubackFailure;
        refused.detail = subscription->reason().toStdString();
        enqueue(std::move(refused));
    }
    emit subscriptionsChanged();
}

void ExternalBrokerFeed::setStatus(Status status, const QString &problem)
{
    const bool changed = status != m_status || problem != m_problem;
    m_status = status;
    m_problem = problem;
    if (changed)
        emit statusChanged(status);
}

void ExternalBrokerFeed::enqueue(BrokerEvent event)
{
    m_pending.push_back(std::move(event));
}

} // namespace iotcore::ui
