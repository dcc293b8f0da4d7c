#pragma once

// Where the engine keeps what must survive a restart: retained messages, persistent sessions,
// the kept messages of IoT Core's permanent topics, and each device's and registry's connection
// log.
// Calls come from the broker thread and must not block it: an implementation queues the write
// and performs it behind, batching many into one transaction. load() and flush() block.

#include "Message.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace iotcore::broker {

struct StoredSubscription {
    std::string filter;
    std::uint8_t qos = 0;
};

struct StoredOutgoingMessage {
    MessagePtr message;
    std::uint8_t qos = 0;
    bool retain = false;          // the RETAIN flag it is delivered with
    std::uint16_t packetId = 0;   // 0 while still queued
    bool released = false;        // QoS 2: PUBREC received, PUBREL sent
};

struct StoredSession {
    std::string clientId;
    std::vector<StoredSubscription> subscriptions;
    std::vector<StoredOutgoingMessage> outgoing;   // inflight first (in send order), then queued
    std::vector<std::uint16_t> awaitingRelease;    // QoS 2 ids received, PUBREL not yet seen
};

struct StoredBrokerState {
    std::vector<MessagePtr> retained;
    std::vector<StoredSession> sessions;
    std::vector<MessagePtr> permanent; // IoT Core's kept messages (PermanentTopicStore)
};

// One line of a device's, registry's or broker's connection log (IOT_CORE.md, "Connection log
// lines"), in the service's wording.
struct EntityLogEntry {
    enum class Level { Info, Warn, Error };
    std::string ownerKind; // "device", "registry", "broker"
    std::string ownerId;
    std::chrono::system_clock::time_point time;
    Level level = Level::Info;
    std::string message;
};

// As `yc iot … logs --levels` names them.
inline const char *entityLogLevelName(EntityLogEntry::Level level)
{
    switch (level) {
    case EntityLogEntry::Level::Warn: return "WARN";
    case EntityLogEntry::Level::Error: return "ERROR";
    case EntityLogEntry::Level::Info: break;
    }
    return "INFO";
}

class BrokerPersistence
{
public:
    virtual ~BrokerPersistence() = default;

    virtual void saveRetained(const MessagePtr &message) = 0;
    virtual void removeRetained(const std::string &topic) = 0;
    virtual void saveSession(StoredSession session) = 0;
    virtual void removeSession(const std::string &clientId) = 0;
    // Kept messages of permanent topics: like retained ones, the latest per topic wins.
    virtual void savePermanent(const MessagePtr &message) = 0;
    virtual void removePermanent(const std::string &topic) = 0;
    // Connect, disconnect and refusals only, never a routed message: not on the hot path.
    virtual void appendEntityLog(EntityLogEntry entry) = 0;

    // Blocks until everything queued so far is written. Returns false, with a reason in
    // lastError(), when the store could not be written (a full disk, a read-only file).
    virtual bool flush() = 0;
    virtual std::string lastError() const = 0;
};

} // namespace iotcore::broker
