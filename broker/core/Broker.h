#pragma once

// The engine: sessions by client id, the subscription tree, retained messages, and the routing of
// every PUBLISH between them. It runs on one thread and is driven by the transports (bytes in,
// through ClientConnection) and by a periodic tick; it knows nothing of sockets or event loops.

#include "BrokerConfig.h"
#include "BrokerPersistence.h"
#include "ClientRights.h"
#include "Message.h"
#include "PermanentTopicStore.h"
#include "RetainedStore.h"
#include "SubscriptionTree.h"
#include "observe/BrokerEvent.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace iotcore::broker {

class ClientConnection;
class EventTap;
class Log;
class Session;
class Transport;

class Broker
{
public:
    using Clock = std::chrono::steady_clock;

    struct Statistics {
        std::size_t connections = 0;
        std::size_t sessions = 0;
        std::size_t subscriptions = 0;
        std::size_t retained = 0;
        std::uint64_t messagesReceived = 0;
        std::uint64_t messagesSent = 0;
        std::uint64_t messagesDropped = 0;
    };

    // `persistence` may be null: the state then lives in memory only.
    Broker(BrokerConfig config, Log &log, EventTap &tap, BrokerPersistence *persistence = nullptr);
    ~Broker();
    Broker(const Broker &) = delete;
    Broker &operator=(const Broker &) = delete;

    const BrokerConfig &config() const { return m_config; }
    Log &log() { return m_log; }
    EventTap &tap() { return m_tap; }

    // Puts back what the store kept. Call before the first connection.
    void restore(const StoredBrokerState &state);

    // A new connection from a listener. The broker owns it until it closes.
    ClientConnection &attach(std::unique_ptr<Transport> transport,
                             std::shared_ptr<const ListenerInfo> listener);

    // Periodic work: keep-alive and CONNECT timeouts, writing changed sessions to the store.
    void tick(Clock::time_point now);
    // End of an event-loop turn: hands the event batch to the tap's sinks and frees closed
    // connections.
    void endOfTurn();
    // Closes every connection, saves every persistent session and flushes the store.
    bool shutdown();

    Statistics statistics() const;

    // After the IoT Core catalog changed: closes the connections whose rights are revoked (a
    // disabled registry's devices, a deleted device). Returns how many.
    std::size_t dropRevokedClients();

    // --- used by ClientConnection -----------------------------------------------------------
    struct OpenedSession {
        Session *session;
        bool present; // Session Present flag of CONNACK (MQTT-3.2.2-2, MQTT-3.2.2-3)
    };
    // `coexist`: the connection gets a session of its own even if the client id is in use (IoT
    // Core identities, IOT_CORE.md Decision); otherwise MQTT's takeover (MQTT-3.1.4-2).
    // `space`: ClientRights::sessionSpace(), prefixed to the client id to make the session's key.
    OpenedSession openSession(ClientConnection &connection, const std::string &clientId,
                              bool cleanSession, bool coexist = false,
                              const std::string &space = std::string());
    void closeSession(ClientConnection &connection, Session *session);
    void connectionClosed(ClientConnection &connection);

    MessagePtr makeMessage(std::string topic, std::string payload, std::uint8_t qos, bool retain);
    // Tells the client's rights what it did and routes the notice they answer with (IoT Core's
    // monitoring JSON), which is built only when a subscription would receive it.
    void reportActivity(ClientRights &rights, ClientRights::Activity activity);
    // Whether any subscription matches the topic.
    bool hasSubscribers(std::string_view topic) const;

    // Routes a message to every matching subscription and keeps it when it is retained.
    // `except` (a mosquitto bridge that sent it) does not get it back.
    void publish(const MessagePtr &message, const Session *except = nullptr);
    // Adds or replaces a subscription. `routes` are what an IoT Core client's filter became
    // (ClientRights::checkSubscribe); none for a plain filter.
    void subscribe(Session &session, const std::string &filter, std::uint8_t qos,
                   std::vector<SubscriptionRoute> routes = {});
    // Sends the retained messages matching a filter that was just subscribed (after SUBACK).
    void sendRetained(Session &session, const std::string &filter, std::uint8_t qos);
    bool unsubscribe(Session &session, const std::string &filter);

    // Permanent topics of the IoT Core model: keeps a message, and replays kept messages to an
    // exact subscription that was just made, under the names the client subscribed with.
    // Kept messages are written to the store, so they survive a restart (IOT_CORE.md Decision).
    void keep(const MessagePtr &message);
    void sendKept(Session &session, const std::string &filter);
    const PermanentTopicStore &permanentTopics() const { return m_permanent; }
    // Empties one slot (the console's "clear"). False when nothing was kept there.
    bool clearPermanentTopic(const std::string &topic);
    // Empties every slot whose topic the predicate accepts, e.g. those of a deleted device.
    // Returns how many.
    std::size_t clearPermanentTopics(const std::function<bool(const std::string &topic)> &predicate);

    // One line of the client's entity log (a device's, registry's or broker's connection log),
    // written behind by the store. Nothing for clients without such a log.
    void logEntity(const ClientRights &rights, EntityLogEntry::Level level, std::string message);
    std::string assignClientId();

    // --- the event tap; each is a single branch when nobody listens ---------------------------
    void recordDelivery(BrokerEvent::Kind kind, const std::string &clientId,
                        const MessagePtr &message, std::uint8_t qos, std::uint16_t packetId);
    void recordAck(const std::string &clientId, const MessagePtr &message, std::uint16_t packetId,
                   const char *ack);
    void recordDrop(const std::string &clientId, const MessagePtr &message, const char *reason);
    void record(BrokerEvent &&event);

private:
    void destroySession(Session *session);
    static std::string sessionSpaceOf(const std::string &key);
    void addToTree(Session &session, const std::string &filter);
    void removeFromTree(Session &session, const std::string &filter);
    MessagePtr renamed(const MessagePtr &message, const std::string &topic);
    void saveDirtySessions();

    BrokerConfig m_config;
    Log &m_log;
    EventTap &m_tap;
    BrokerPersistence *m_persistence;

    std::unordered_map<std::string, std::unique_ptr<Session>> m_sessions;
    std::unordered_map<ClientConnection *, std::unique_ptr<ClientConnection>> m_connections;
    std::vector<ClientConnection *> m_closed;
    SubscriptionTree m_subscriptions;
    RetainedStore m_retained;
    PermanentTopicStore m_permanent;

    // Reused by publish(): sessions reached through plain filters, and deliveries through routes.
    struct RoutedDelivery {
        Session *session;
        std::string topic;
        std::uint8_t qos;
    };
    std::vector<Session *> m_targets;
    std::vector<RoutedDelivery> m_routed;
    std::vector<MessagePtr> m_renamed;
    std::uint64_t m_matchStamp = 0;
    std::uint64_t m_nextMessageId = 1;
    std::uint64_t m_nextClientNumber = 1;
    Clock::time_point m_lastSessionSave;
    std::mt19937_64 m_random; // assigned client ids
    mutable Statistics m_stats;
};

} // namespace iotcore::broker
