#include "Session.h"

#include "Broker.h"
#include "BrokerPersistence.h"
#include "ClientConnection.h"

namespace iotcore::broker {

Session::Session(Broker &broker, std::string key, std::string clientId, bool persistent)
    : m_broker(broker)
    , m_key(std::move(key))
    , m_clientId(std::move(clientId))
    , m_persistent(persistent)
{
}

Session::~Session() = default;

Session::Subscription &Session::setSubscription(const std::string &filter, std::uint8_t qos,
                                               std::vector<SubscriptionRoute> routes)
{
    Subscription &subscription = m_subscriptions[filter];
    subscription.qos = qos;
    subscription.routes.clear();
    for (SubscriptionRoute &route : routes)
        subscription.routes.push_back(std::make_unique<SubscriptionRoute>(std::move(route)));
    m_dirty = true;
    return subscription;
}

const Session::Subscription *Session::subscription(std::string_view filter) const
{
    const auto it = m_subscriptions.find(filter);
    return it == m_subscriptions.end() ? nullptr : &it->second;
}

bool Session::removeSubscription(std::string_view filter)
{
    const auto it = m_subscriptions.find(filter);
    if (it == m_subscriptions.end())
        return false;
    m_subscriptions.erase(it);
    m_dirty = true;
    return true;
}

bool Session::canSendInflight() const
{
    return m_connection && m_inflight.size() < m_broker.config().maxInflightMessages
        && !m_inflight.exhausted();
}

void Session::deliver(const MessagePtr &message, std::uint8_t qos, bool retain)
{
    if (qos == 0) {
        // QoS 0 is not queued for an offline client, and not for a connection that cannot keep up.
        if (!m_connection) {
            recordDrop(message, "client offline");
            return;
        }
        if (m_connection->pendingBytes() > m_broker.config().maxPendingBytesQos0) {
            recordDrop(message, "connection buffer full");
            return;
        }
        m_connection->sendPublish(*message, 0, retain, false, 0);
        m_broker.recordDelivery(BrokerEvent::Kind::Deliver, m_clientId, message, 0, 0);
        return;
    }
    if (m_queue.empty() && canSendInflight()) {
        sendNew(message, qos, retain);
        return;
    }
    if (m_queue.size() >= m_broker.config().maxQueuedMessages) {
        recordDrop(message, "queue full");
        return;
    }
    m_queue.push_back(Queued{message, qos, retain});
    m_dirty = m_dirty || m_persistent;
}

void Session::sendNew(const MessagePtr &message, std::uint8_t qos, bool retain)
{
    InflightWindow::Entry &entry = m_inflight.add(message, qos, retain);
    m_dirty = m_dirty || m_persistent;
    m_connection->sendPublish(*message, qos, retain, false, entry.packetId);
    m_broker.recordDelivery(BrokerEvent::Kind::Deliver, m_clientId, message, qos, entry.packetId);
}

void Session::sendQueued()
{
    while (!m_queue.empty() && canSendInflight()) {
        Queued next = std::move(m_queue.front());
        m_queue.pop_front();
        sendNew(next.message, next.qos, next.retain);
    }
}

void Session::handlePuback(std::uint16_t packetId)
{
    InflightWindow::Entry *entry = m_inflight.find(packetId);
    if (!entry || entry->qos != 1)
        return; // an acknowledgement for nothing we sent is ignored, as mosquitto does
    MessagePtr message = m_inflight.remove(packetId);
    m_dirty = m_dirty || m_persistent;
    m_broker.recordAck(m_clientId, message, packetId, "PUBACK");
    sendQueued();
}

void Session::handlePubrec(std::uint16_t packetId)
{
    InflightWindow::Entry *entry = m_inflight.find(packetId);
    if (!entry || entry->qos != 2) {
        // MQTT 4.3.3: answer PUBREL anyway so a client that lost track can finish the exchange.
        if (m_connection)
            m_connection->sendAck(PacketType::Pubrel, packetId);
        return;
    }
    if (!entry->released) {
        entry->released = true;
        m_dirty = m_dirty || m_persistent;
        m_broker.recordAck(m_clientId, entry->message, packetId, "PUBREC");
    }
    if (m_connection)
        m_connection->sendAck(PacketType::Pubrel, packetId); // MQTT-4.3.3-1
}

void Session::handlePubcomp(std::uint16_t packetId)
{
    InflightWindow::Entry *entry = m_inflight.find(packetId);
    if (!entry || entry->qos != 2 || !entry->released)
        return;
    MessagePtr message = m_inflight.remove(packetId);
    m_dirty = m_dirty || m_persistent;
    m_broker.recordAck(m_clientId, message, packetId, "PUBCOMP");
    sendQueued();
}

bool Session::rememberIncomingQos2(std::uint16_t packetId)
{
    const bool added = m_awaitingRelease.insert(packetId).second;
    if (added && m_persistent)
        m_dirty = true;
    return added;
}

void Session::releaseIncomingQos2(std::uint16_t packetId)
{
    if (m_awaitingRelease.erase(packetId) && m_persistent)
        m_dirty = true;
}

void Session::attach(ClientConnection *connection, bool resumed)
{
    m_connection = connection;
    if (resumed) {
        m_inflight.forEach([this](InflightWindow::Entry &entry) {
            if (entry.released) {
                m_connection->sendAck(PacketType::Pubrel, entry.packetId);
            } else {
                m_connection->sendPublish(*entry.message, entry.qos, entry.retain, true,
                                          entry.packetId);
                m_broker.recordDelivery(BrokerEvent::Kind::Retry, m_clientId, entry.message,
                                        entry.qos, entry.packetId);
            }
        });
    }
    sendQueued();
}

void Session::detach()
{
    m_connection = nullptr;
    if (m_persistent)
        m_dirty = true;
}

void Session::discardMessages(const char *reason)
{
    m_inflight.forEach([&](InflightWindow::Entry &entry) { recordDrop(entry.message, reason); });
    m_inflight.clear();
    m_queue.forEach([&](const Queued &queued) { recordDrop(queued.message, reason); });
    m_queue.clear();
    m_awaitingRelease.clear();
}

void Session::recordDrop(const MessagePtr &message, const char *reason)
{
    m_broker.recordDrop(m_clientId, message, reason);
}

StoredSession Session::snapshot() const
{
    StoredSession stored;
    stored.clientId = m_key; // the client id, in its topic space if it has one
    for (const auto &[filter, subscription] : m_subscriptions)
        stored.subscriptions.push_back({filter, subscription.qos});
    m_inflight.forEach([&](const InflightWindow::Entry &entry) {
        stored.outgoing.push_back({entry.message, entry.qos, entry.retain, entry.packetId,
                                   entry.released});
    });
    m_queue.forEach([&](const Queued &queued) {
        stored.outgoing.push_back({queued.message, queued.qos, queued.retain, 0, false});
    });
    stored.awaitingRelease.assign(m_awaitingRelease.begin(), m_awaitingRelease.end());
    return stored;
}

void Session::restore(const StoredSession &stored)
{
    for (const StoredSubscription &subscription : stored.subscriptions)
        m_subscriptions[subscription.filter].qos = subscription.qos;
    for (const StoredOutgoingMessage &outgoing : stored.outgoing) {
        if (outgoing.packetId != 0)
            m_inflight.restore(outgoing.message, outgoing.packetId, outgoing.qos, outgoing.retain,
                               outgoing.released);
        else
            m_queue.push_back(Queued{outgoing.message, outgoing.qos, outgoing.retain});
    }
    m_awaitingRelease.insert(stored.awaitingRelease.begin(), stored.awaitingRelease.end());
    m_dirty = false;
}

} // namespace iotcore::broker
