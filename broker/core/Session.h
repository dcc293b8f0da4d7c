#pragma once

// The state MQTT keeps for one client id (MQTT 3.1.2.4): its subscriptions, the QoS 1 and 2
// messages on their way to it, those waiting for it, and the QoS 2 identifiers it has sent and
// not yet released. A persistent session outlives its connections; a clean one ends with its
// connection.

#include "ClientRights.h"
#include "InflightWindow.h"
#include "Message.h"
#include "RingBuffer.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <unordered_set>

namespace iotcore::broker {

class Broker;
class ClientConnection;
struct StoredSession;

class Session
{
public:
    // `key` names the session among the broker's: the client id, or for IoT Core clients whose
    // connections coexist (IOT_CORE.md Decision), the client id made unique per connection.
    Session(Broker &broker, std::string key, std::string clientId, bool persistent);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    const std::string &key() const { return m_key; }
    const std::string &clientId() const { return m_clientId; }
    bool isPersistent() const { return m_persistent; }
    bool isOnline() const { return m_connection != nullptr; }
    ClientConnection *connection() const { return m_connection; }

    // A filter the client subscribed to, with its granted QoS. Routes are what an IoT Core
    // client's filter became in the subscription tree; empty for a plain filter.
    struct Subscription {
        std::uint8_t qos = 0;
        std::vector<std::unique_ptr<SubscriptionRoute>> routes;
    };
    using Subscriptions = std::map<std::string, Subscription, std::less<>>;
    const Subscriptions &subscriptions() const { return m_subscriptions; }
    // Adds or replaces the subscription to `filter` and returns it.
    Subscription &setSubscription(const std::string &filter, std::uint8_t qos,
                                  std::vector<SubscriptionRoute> routes);
    const Subscription *subscription(std::string_view filter) const;
    bool removeSubscription(std::string_view filter);

    // What the client may do; null for the open listeners' clients. Owned by the connection.
    const ClientRights *rights() const { return m_rights; }
    void setRights(const ClientRights *rights) { m_rights = rights; }

    // Sends a message at the given QoS, or queues it while the client is offline or its inflight
    // window is full. `retain` is the RETAIN flag it goes out with.
    void deliver(const MessagePtr &message, std::uint8_t qos, bool retain);

    // Acknowledgements from the client (MQTT 4.3).
    void handlePuback(std::uint16_t packetId);
    void handlePubrec(std::uint16_t packetId);
    void handlePubcomp(std::uint16_t packetId);

    // QoS 2 messages the client sent: returns false when the identifier was already seen and not
    // released, so the message must not be routed again (MQTT-4.3.3-2, method B).
    bool rememberIncomingQos2(std::uint16_t packetId);
    void releaseIncomingQos2(std::uint16_t packetId);

    // The connection that now speaks for this session. On a resumed session the unacknowledged
    // messages go again first, with DUP set (MQTT-4.4.0-1), then the queue.
    void attach(ClientConnection *connection, bool resumed);
    // The connection is gone; messages in flight stay for a persistent session.
    void detach();

    // Drops everything the session holds, recording the drops ("client gone").
    void discardMessages(const char *reason);

    std::size_t queuedCount() const { return m_queue.size(); }
    std::size_t inflightCount() const { return m_inflight.size(); }

    // Persistence: a copy of what must survive a restart, and the way back.
    StoredSession snapshot() const;
    void restore(const StoredSession &stored);
    bool isDirty() const { return m_dirty; }
    void markDirty() { m_dirty = true; }
    void markClean() { m_dirty = false; }

    // Routing deduplication (overlapping subscriptions deliver once, at the highest QoS).
    std::uint64_t matchStamp = 0;
    std::uint8_t matchQos = 0;

private:
    struct Queued {
        MessagePtr message;
        std::uint8_t qos = 0;
        bool retain = false;
    };

    void sendNew(const MessagePtr &message, std::uint8_t qos, bool retain);
    void sendQueued();
    bool canSendInflight() const;
    void recordDrop(const MessagePtr &message, const char *reason);

    Broker &m_broker;
    std::string m_key;
    std::string m_clientId;
    bool m_persistent;
    bool m_dirty = false;
    ClientConnection *m_connection = nullptr;
    const ClientRights *m_rights = nullptr;
    Subscriptions m_subscriptions;
    InflightWindow m_inflight;
    RingBuffer<Queued> m_queue;
    std::unordered_set<std::uint16_t> m_awaitingRelease;
};

} // namespace iotcore::broker
