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
    , m_random(std::random_device{}())
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
        // The key is the client id, prefixed with its topic space for an IoT Core broker's client
        // ("$brokers/<id>/"): its subscriptions are routed in that space again.
        const std::string space = sessionSpaceOf(stored.clientId);
        auto session = std::make_unique<Session>(*this, stored.clientId,
                                                 stored.clientId.substr(space.size()), true);
        session->restore(stored);
        std::vector<std::pair<std::string, std::uint8_t>> filters;
        for (const auto &[filter, subscription] : session->subscriptions())
            filters.emplace_back(filter, subscription.qos);
        for (const auto &[filter, qos] : filters) {
            std::vector<SubscriptionRoute> routes;
            if (!space.empty())
                routes.push_back(SubscriptionRoute::inSpace(space, filter));
            session->setSubscription(filter, qos, std::move(routes));
            addToTree(*session, filter);
        }
        m_sessions.insert_or_assign(stored.clientId, std::move(session));
    }
    for (const MessagePtr &message : state.permanent) {
        m_permanent.keep(message);
        m_nextMessageId = std::max(m_nextMessageId, message->id + 1);
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

std::string Broker::sessionSpaceOf(const std::string &key)
{
    // "$brokers/<id>/<client id>": the space is up to and with the second slash.
    if (!key.starts_with("$brokers/"))
        return {};
    const std::size_t slash = key.find('/', 9);
    return slash == std::string::npos ? std::string() : key.substr(0, slash + 1);
}

std::size_t Broker::dropRevokedClients()
{
    std::vector<ClientConnection *> revoked;
    for (auto &[raw, connection] : m_connections) {
        if (connection->isConnected() && connection->rights() && !connection->rights()->stillAllowed())
            revoked.push_back(raw);
    }
    for (ClientConnection *connection : revoked)
        connection->close("credentials revoked or registry disabled");
    return revoked.size();
}

Broker::OpenedSession Broker::openSession(ClientConnection &connection,
                                          const std::string &clientIdOnly, bool cleanSession,
                                          bool coexist, const std::string &space)
{
    const std::string clientId = space + clientIdOnly; // the session's key
    if (coexist) {
        // A session of its own, whoever else uses the client id; never persistent.
        std::string key = clientId + '\x1f' + std::to_string(m_nextClientNumber++);
        auto session = std::make_unique<Session>(*this, key, clientIdOnly, false);
        Session *raw = session.get();
        m_sessions.emplace(std::move(key), std::move(session));
        return {raw, false};
    }
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
    auto session = std::make_unique<Session>(*this, clientId, clientIdOnly, !cleanSession);
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
    for (const auto &[filter, subscription] : session->subscriptions())
        removeFromTree(*session, filter);
    session->discardMessages("client gone");
    if (session->isPersistent() && m_persistence)
        m_persistence->removeSession(session->key());
    m_sessions.erase(session->key());
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

void Broker::reportActivity(ClientRights &rights, ClientRights::Activity activity)
{
    const std::string *topic = rights.noticeTopic();
    const bool wanted = topic && hasSubscribers(*topic);
    if (std::optional<ClientRights::Notice> notice = rights.activity(activity, wanted))
        publish(makeMessage(std::move(notice->topic), std::move(notice->payload), 0, false));
}

bool Broker::hasSubscribers(std::string_view topic) const
{
    bool any = false;
    m_subscriptions.match(topic, [&any](const auto &) { any = true; });
    return any;
}

void Broker::publish(const MessagePtr &message, const Session *except)
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
    m_routed.clear();
    m_subscriptions.match(message->topic, [&](const SubscriptionTree::Subscriber &subscriber) {
        Session *session = subscriber.session;
        if (session == except)
            return;
        if (subscriber.route) {
            const SubscriptionRoute &route = *subscriber.route;
            // A route wider than the client's rights is narrowed here, message by message.
            if (route.checkRead
                && (!session->rights() || !session->rights()->mayRead(message->topic)))
                return;
            std::string topic = route.deliveredTopic(message->topic);
            for (RoutedDelivery &routed : m_routed) {
                if (routed.session == session && routed.topic == topic) {
                    routed.qos = std::max(routed.qos, subscriber.qos);
                    return;
                }
            }
            m_routed.push_back({session, std::move(topic), subscriber.qos});
            return;
        }
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
    m_renamed.clear();
    for (const RoutedDelivery &routed : m_routed) {
        // A client that subscribed through "$me/…" or an alias gets the message under that name.
        routed.session->deliver(renamed(message, routed.topic),
                                std::min(message->qos, routed.qos), false);
    }
    m_stats.messagesSent += m_targets.size() + m_routed.size();
}

MessagePtr Broker::renamed(const MessagePtr &message, const std::string &topic)
{
    if (topic == message->topic)
        return message;
    for (const MessagePtr &copy : m_renamed) {
        if (copy->topic == topic)
            return copy;
    }
    auto copy = std::make_shared<Message>(*message);
    copy->topic = topic;
    m_renamed.push_back(copy);
    return copy;
}

void Broker::subscribe(Session &session, const std::string &filter, std::uint8_t qos,
                       std::vector<SubscriptionRoute> routes)
{
    if (session.subscription(filter))
        removeFromTree(session, filter); // MQTT-3.8.4-3: the new subscription replaces the old
    session.setSubscription(filter, qos, std::move(routes));
    addToTree(session, filter);
}

void Broker::addToTree(Session &session, const std::string &filter)
{
    const Session::Subscription *subscription = session.subscription(filter);
    if (subscription->routes.empty()) {
        m_subscriptions.subscribe(filter, &session, subscription->qos);
        return;
    }
    for (const auto &route : subscription->routes)
        m_subscriptions.subscribe(route->filter, &session, subscription->qos, route.get());
}

void Broker::removeFromTree(Session &session, const std::string &filter)
{
    const Session::Subscription *subscription = session.subscription(filter);
    if (!subscription)
        return;
    if (subscription->routes.empty()) {
        m_subscriptions.unsubscribe(filter, &session);
        return;
    }
    for (const auto &route : subscription->routes)
        m_subscriptions.unsubscribe(route->filter, &session, route.get());
}

void Broker::sendRetained(Session &session, const std::string &filter, std::uint8_t qos)
{
    // MQTT-3.3.1-8: a message sent because of a new subscription carries RETAIN 1.
    const Session::Subscription *subscription = session.subscription(filter);
    if (!subscription || subscription->routes.empty()) {
        m_retained.match(filter, [&](const MessagePtr &message) {
            session.deliver(message, std::min(message->qos, qos), true);
        });
        return;
    }
    m_renamed.clear();
    for (const auto &route : subscription->routes) {
        m_retained.match(route->filter, [&](const MessagePtr &message) {
            session.deliver(renamed(message, route->deliveredTopic(message->topic)),
                            std::min(message->qos, qos), true);
        });
    }
}

bool Broker::unsubscribe(Session &session, const std::string &filter)
{
    removeFromTree(session, filter);
    return session.removeSubscription(filter);
}

void Broker::keep(const MessagePtr &message)
{
    m_permanent.keep(message);
    if (m_persistence)
        m_persistence->savePermanent(message);
}

bool Broker::clearPermanentTopic(const std::string &topic)
{
    if (!m_permanent.clear(topic))
        return false;
    if (m_persistence)
        m_persistence->removePermanent(topic);
    return true;
}

std::size_t Broker::clearPermanentTopics(const std::function<bool(const std::string &)> &predicate)
{
    const std::vector<std::string> cleared = m_permanent.clearIf(predicate);
    if (m_persistence) {
        for (const std::string &topic : cleared)
            m_persistence->removePermanent(topic);
    }
    return cleared.size();
}

void Broker::logEntity(const ClientRights &rights, EntityLogEntry::Level level,
                       std::string message)
{
    if (!m_persistence)
        return;
    ClientRights::LogOwner owner = rights.logOwner();
    if (owner.id.empty())
        return;
    m_persistence->appendEntityLog({std::move(owner.kind), std::move(owner.id),
                                    std::chrono::system_clock::now(), level, std::move(message)});
}

void Broker::sendKept(Session &session, const std::string &filter)
{
    const Session::Subscription *subscription = session.subscription(filter);
    if (!subscription)
        return;
    m_renamed.clear();
    for (const auto &route : subscription->routes) {
        // Replayed with RETAIN 1 (IOT_CORE.md, "Permanent topics": Decisions).
        if (MessagePtr kept = m_permanent.find(route->filter)) {
            session.deliver(renamed(kept, route->deliveredTopic(kept->topic)),
                            std::min(kept->qos, subscription->qos), true);
        }
    }
}

std::string Broker::assignClientId()
{
    // MQTT-3.1.3-6: a unique id for a client that sent none.
    static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    while (true) {
        std::string id = "auto-";
        std::uint64_t bits = m_random();
        for (int i = 0; i < 12; ++i, bits /= 36)
            id += alphabet[bits % 36];
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
