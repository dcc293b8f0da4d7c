#include "Broker.h"

#include "ClientConnection.h"
#include "Session.h"
#include "Transport.h"
#include "observe/EventTap.h"
#include "observe/Log.h"

#include <algorithm>
#include <chrono>
#include <random>

namespace iotcore::broker {

namespace {

std::int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace

Broker::Broker(BrokerConfig config, Log &log, EventTap &tap, BrokerPersistence *persistence)
    : m_config(config)
    , m_log(log)
    , m_tap(tap)
    , m_persistence(persistence)
    , m_lastSessionSave(Clock::now())
{
}

Broker::~Broker()
{
    // Connections refer to sessions: free them first.
    m_connections.clear();
    m_sessions.clear();
}

void Broker::restore(const StoredBrokerState &state)
{
    for (const MessagePtr &message : state.retained) {
        m_retained.store(message);
        m_nextMessageId = std::max(m_nextMessageId, message->id + 1);
    }
    for (const StoredSession &stored : state.sessions) {
        // Queued messages may be newer than every retained one: new ids start after them all.
        for (const StoredOutgoingMessage &outgoing : stored.outgoing)
            m_nextMessageId = std::max(m_nextMessageId, outgoing.message->id + 1);
        auto session = std::make_unique<Session>(*this, stored.clientId, true);
        session->restore(stored);
        for (const auto &[filter, qos] : session->subscriptions())
            m_subscriptions.subscribe(filter, session.get(), qos);
        m_sessions.insert_or_assign(stored.clientId, std::move(session));
    }
}

ClientConnection &Broker::attach(std::unique_ptr<Transport> transport,
                                 std::shared_ptr<const ListenerInfo> listener)
{
    auto connection = std::make_unique<ClientConnection>(*this, std::move(transport),
                                                         std::move(listener));
    ClientConnection &ref = *connection;
    m_connections.emplace(connection.get(), std::move(connection));
    return ref;
}

void Broker::tick(Clock::time_point now)
{
    for (auto &[raw, connection] : m_connections)
        connection->checkTimeouts(now);
    if (m_persistence && now - m_lastSessionSave >= m_config.sessionSaveInterval) {
        m_lastSessionSave = now;
        saveDirtySessions();
    }
}

void Broker::endOfTurn()
{
    m_tap.flush();
    for (ClientConnection *connection : m_closed)
        m_connections.erase(connection);
    m_closed.clear();
}

bool Broker::shutdown()
{
    std::vector<ClientConnection *> open;
    for (auto &[raw, connection] : m_connections) {
        if (!connection->isClosed())
            open.push_back(raw);
    }
    // A broker that stops is not the clients' fault: their wills are not published.
    for (ClientConnection *connection : open)
        connection->close("server shutting down", true);
    endOfTurn();
    if (!m_persistence)
        return true;
    for (auto &[clientId, session] : m_sessions) {
        if (session->isPersistent())
            session->markDirty();
    }
    saveDirtySessions();
    return m_persistence->flush();
}

Broker::Statistics Broker::statistics() const
{
    m_stats.connections = m_connections.size() - m_closed.size();
    m_stats.sessions = m_sessions.size();
    m_stats.subscriptions = m_subscriptions.subscriptionCount();
    m_stats.retained = m_retained.size();
    return m_stats;
}

Broker::OpenedSession Broker::openSession(ClientConnection &connection, const std::string &clientId,
                                          bool cleanSession)
{
    auto it = m_sessions.find(clientId);
    if (it != m_sessions.end()) {
        ClientConnection *previous = it->second->connection();
        if (previous && previous != &connection) {
            // MQTT-3.1.4-2: the server disconnects the existing client with the same id.
            previous->close("session taken over by a new connection");
            it = m_sessions.find(clientId);
        }
    }
    if (it != m_sessions.end() && (cleanSession || !it->second->isPersistent())) {
        // MQTT-3.1.2-6: a clean session discards any previous one.
        destroySession(it->second.get());
        it = m_sessions.end();
    }
    if (it != m_sessions.end())
        return {it->second.get(), true};
    auto session = std::make_unique<Session>(*this, clientId, !cleanSession);
    Session *raw = session.get();
    m_sessions.emplace(clientId, std::move(session));
    if (!cleanSession)
        raw->markDirty();
    return {raw, false};
}

void Broker::closeSession(ClientConnection &connection, Session *session)
{
    if (!session || session->connection() != &connection)
        return;
    session->detach();
    if (!session->isPersistent())
        destroySession(session); // MQTT-3.1.2-6: a clean session ends with its connection
}

void Broker::destroySession(Session *session)
{
    for (const auto &[filter, qos] : session->subscriptions())
        m_subscriptions.unsubscribe(filter, session);
    session->discardMessages("client gone");
    if (session->isPersistent() && m_persistence)
        m_persistence->removeSession(session->clientId());
    m_sessions.erase(session->clientId());
}

void Broker::connectionClosed(ClientConnection &connection)
{
    m_closed.push_back(&connection);
}

MessagePtr Broker::makeMessage(std::string topic, std::string payload, std::uint8_t qos,
                               bool retain)
{
    auto message = std::make_shared<Message>();
    message->topic = std::move(topic);
    message->payload = std::move(payload);
    message->qos = qos;
    message->retain = retain;
    message->id = m_nextMessageId++;
    return message;
}

void Broker::publish(const MessagePtr &message)
{
    ++m_stats.messagesReceived;
    if (message->retain) {
        // MQTT-3.3.1-5: stored to be given to future subscribers; an empty payload removes the
        // topic's retained message (MQTT-3.3.1-10) and is itself not stored (MQTT-3.3.1-11).
        if (message->payload.empty()) {
            if (m_retained.clear(message->topic) && m_persistence)
                m_persistence->removeRetained(message->topic);
        } else {
            m_retained.store(message);
            if (m_persistence)
                m_persistence->saveRetained(message);
        }
    }

    // Overlapping subscriptions of one session: one delivery at the highest granted QoS.
    const std::uint64_t stamp = ++m_matchStamp;
    m_targets.clear();
    m_subscriptions.match(message->topic, [&](const SubscriptionTree::Subscriber &subscriber) {
        Session *session = subscriber.session;
        if (session->matchStamp != stamp) {
            session->matchStamp = stamp;
            session->matchQos = subscriber.qos;
            m_targets.push_back(session);
        } else if (subscriber.qos > session->matchQos) {
            session->matchQos = subscriber.qos;
        }
    });
    for (Session *session : m_targets) {
        // MQTT-3.3.1-9: a message matching an established subscription goes out with RETAIN 0.
        session->deliver(message, std::min(message->qos, session->matchQos), false);
    }
    m_stats.messagesSent += m_targets.size();
}

void Broker::subscribe(Session &session, const std::string &filter, std::uint8_t qos)
{
    m_subscriptions.subscribe(filter, &session, qos);
    session.addSubscription(filter, qos);
}

void Broker::sendRetained(Session &session, const std::string &filter, std::uint8_t qos)
{
    // MQTT-3.3.1-8: a message sent because of a new subscription carries RETAIN 1.
    m_retained.match(filter, [&](const MessagePtr &message) {
        session.deliver(message, std::min(message->qos, qos), true);
    });
}

bool Broker::unsubscribe(Session &session, const std::string &filter)
{
    m_subscriptions.unsubscribe(filter, &session);
    return session.removeSubscription(filter);
}

std::string Broker::assignClientId()
{
    // MQTT-3.1.3-6: a unique id for a client that sent none.
    static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::random_device device;
    std::mt19937_64 random(device());
    while (true) {
        std::string id = "auto-";
        for (int i = 0; i < 16; ++i)
            id += alphabet[random() % 36];
        if (!m_sessions.contains(id))
            return id;
    }
}

void Broker::saveDirtySessions()
{
    for (auto &[clientId, session] : m_sessions) {
        if (session->isPersistent() && session->isDirty()) {
            m_persistence->saveSession(session->snapshot());
            session->markClean();
        }
    }
}

void Broker::recordDelivery(BrokerEvent::Kind kind, const std::string &clientId,
                            const MessagePtr &message, std::uint8_t qos, std::uint16_t packetId)
{
    if (!m_tap.enabled())
        return;
    BrokerEvent event;
    event.kind = kind;
    event.clientId = clientId;
    event.topic = message->topic;
    event.message = message;
    event.qos = qos;
    event.packetId = packetId;
    record(std::move(event));
}

void Broker::recordAck(const std::string &clientId, const MessagePtr &message,
                       std::uint16_t packetId, const char *ack)
{
    if (!m_tap.enabled())
        return;
    BrokerEvent event;
    event.kind = BrokerEvent::Kind::Ack;
    event.clientId = clientId;
    if (message) {
        event.topic = message->topic;
        event.qos = message->qos;
    }
    event.message = message;
    event.packetId = packetId;
    event.detail = ack;
    record(std::move(event));
}

void Broker::recordDrop(const std::string &clientId, const MessagePtr &message,
                        const char *reason)
{
    ++m_stats.messagesDropped;
    if (!m_tap.enabled())
        return;
    BrokerEvent event;
    event.kind = BrokerEvent::Kind::Drop;
    event.clientId = clientId;
    event.topic = message->topic;
    event.message = message;
    event.qos = message->qos;
    event.detail = reason;
    record(std::move(event));
}

void Broker::record(BrokerEvent &&event)
{
    if (!m_tap.enabled())
        return;
    event.timeMs = nowMs();
    m_tap.record(std::move(event));
}

} // namespace iotcore::broker
