#pragma once

// The state MQTT keeps for one client id (MQTT 3.1.2.4): its subscriptions, the QoS 1 and 2
// messages on their way to it, those waiting for it, and the QoS 2 identifiers it has sent and
// not yet released. A persistent session outlives its connections; a clean one ends with its
// connection.

#include "InflightWindow.h"
#include "Message.h"
#include "RingBuffer.h"

#include <cstdint>
#include <map>
#include <string>
#include <unordered_set>

namespace iotcore::broker {

class Broker;
class ClientConnection;
struct StoredSession;

class Session
{
public:
    Session(Broker &broker, std::string clientId, bool persistent);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    const std::string &clientId() const { return m_clientId; }
    bool isPersistent() const { return m_persistent; }
    bool isOnline() const { return m_connection != nullptr; }
    ClientConnection *connection() const { return m_connection; }

    // Subscriptions by filter with their granted QoS.
    const std::map<std::string, std::uint8_t, std::less<>> &subscriptions() const
    {
        return m_subscriptions;
    }
    // Returns true when the filter is new for this session.
    bool addSubscription(const std::string &filter, std::uint8_t qos);
    bool removeSubscription(std::string_view filter);

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
    std::string m_clientId;
    bool m_persistent;
    bool m_dirty = false;
    ClientConnection *m_connection = nullptr;
    std::map<std::string, std::uint8_t, std::less<>> m_subscriptions;
    InflightWindow m_inflight;
    RingBuffer<Queued> m_queue;
    std::unordered_set<std::uint16_t> m_awaitingRelease;
};

} // namespace iotcore::broker
