#pragma once

// The message log's memory: every message the broker routed, with what happened to it at each
// receiver, rebuilt from the event tap's batches. Records have a fixed size and refer to
// interned topics and client ids and to payloads packed in an arena, so a million messages fit
// in well under 500 MB. The oldest records are dropped past the capacity.
//
// Records are numbered by a sequence that never restarts (`seq`); a record stays valid while
// firstSeq() <= seq < endSeq(). GUI thread only (or any one thread).

#include "PayloadArena.h"
#include "StringPool.h"

#include "observe/BrokerEvent.h"

#include <QHash>
#include <QObject>

#include <cstdint>
#include <deque>
#include <string_view>
#include <vector>

namespace iotcore::ui {

enum class LogEntryKind : std::uint8_t {
    Message,          // a routed message
    RefusedPublish,   // a PUBLISH the broker refused: reason says why
    RefusedSubscribe, // a SUBSCRIBE filter the broker refused (SUBACK 0x80): reason says why
};

// Where one message stands at one receiver, as the event tap told it.
enum class DeliveryState : std::uint8_t {
    Sent,         // PUBLISH written to the client; for QoS 0 that is the end
    Received,     // QoS 2: PUBREC came back and PUBREL went out; PUBCOMP still to come
    Acknowledged, // PUBACK (QoS 1) or PUBCOMP (QoS 2)
    Dropped,      // never reached the client or was discarded: reason says why
};

struct ReceiverRecord {
    static constexpr std::uint32_t NoTime = 0xFFFFFFFFu;

    std::uint64_t newer = 0;     // the message's next receiver record (index + 1), 0 at the end
    std::uint64_t recordSeq = 0; // the message's record
    std::uint32_t client = 0;    // in MessageStore::clients()
    std::uint32_t reason = 0;    // in MessageStore::reasons(): why dropped
    // Milliseconds after the message's time (NoTime: the step did not happen).
    std::uint32_t sentAfterMs = NoTime;
    std::uint32_t receivedAfterMs = NoTime; // PUBREC (PUBREL sent at the same moment)
    std::uint32_t endedAfterMs = NoTime;    // PUBACK, PUBCOMP or the drop
    std::uint32_t lastRetryAfterMs = NoTime;
    std::uint16_t packetId = 0;
    std::uint8_t qos = 0;
    DeliveryState state = DeliveryState::Sent;
    std::uint8_t retries = 0; // PUBLISH sent again with DUP (saturates at 255)
};

struct LogRecord {
    enum Flag : std::uint8_t {
        Retain = 1,   // published with RETAIN=1
        Kept = 2,     // IoT Core kept it as the permanent topic's last message
        Replayed = 4, // seen only when delivered (a retained or kept message, or the broker's own)
    };
    // Summary of the receivers' states, for filters and indicators without walking receivers.
    enum Outcome : std::uint8_t {
        AnySent = 1,
        AnyReceived = 2,
        AnyAcknowledged = 4,
        AnyRetried = 8,
        AnyDropped = 16,
    };

    std::int64_t timeMs = 0;
    std::uint64_t messageId = 0; // the broker's Message::id; 0 for refusals
    PayloadArena::Ref payload;
    std::uint32_t payloadSize = 0;
    std::uint32_t topic = 0;       // in topics(): the topic, or the refused filter
    std::uint32_t sender = 0;      // in clients(); 0 when not known (the broker's own messages)
    std::uint32_t reason = 0;      // in reasons(): why refused
    std::uint64_t firstReceiver = 0; // index + 1 of its first receiver record, 0 for none
    std::uint64_t lastReceiver = 0;
    std::uint16_t receiverCount = 0;
    std::uint8_t qos = 0;
    LogEntryKind kind = LogEntryKind::Message;
    std::uint8_t flags = 0;
    std::uint8_t outcomes = 0;
};

class MessageStore : public QObject
{
    Q_OBJECT

public:
    explicit MessageStore(std::size_t capacity = DefaultCapacity, QObject *parent = nullptr);

    static constexpr std::size_t DefaultCapacity = 200'000;

    std::size_t capacity() const { return m_capacity; }
    // Drops the oldest records at once if there are more than `capacity` (at least 1).
    void setCapacity(std::size_t capacity);

    // Adds what a batch of tap events says. Emits appended(), then trimmed() if the store is past
    // its capacity, then deliveriesChanged(), each at most once.
    void ingest(const std::vector<broker::BrokerEvent> &batch);
    void clear();

    std::uint64_t firstSeq() const { return m_firstSeq; }
    std::uint64_t endSeq() const { return m_firstSeq + m_records.size(); }
    std::size_t size() const { return m_records.size(); }
    bool contains(std::uint64_t seq) const { return seq >= firstSeq() && seq < endSeq(); }
    const LogRecord &record(std::uint64_t seq) const { return m_records[seq - m_firstSeq]; }

    std::string_view topic(const LogRecord &record) const { return m_topics.at(record.topic); }
    std::string_view sender(const LogRecord &record) const { return m_clients.at(record.sender); }
    std::string_view reason(std::uint32_t reason) const { return m_reasons.at(reason); }
    std::string_view payload(const LogRecord &record) const
    {
        return m_payloads.view(record.payload, record.payloadSize);
    }
    // In the order the broker sent them.
    std::vector<ReceiverRecord> receivers(const LogRecord &record) const;
    // Calls `visit(const ReceiverRecord &)` for each receiver in order, until it returns true;
    // returns whether one did. No allocation: filters walk receivers of a million records.
    template<typename Visit>
    bool anyReceiver(const LogRecord &record, Visit visit) const
    {
        for (std::uint64_t link = record.firstReceiver; link != 0;) {
            const ReceiverRecord &receiver = m_receivers[link - 1 - m_firstReceiver];
            if (visit(receiver))
                return true;
            link = receiver.newer;
        }
        return false;
    }

    const StringPool &topics() const { return m_topics; }
    const StringPool &clients() const { return m_clients; }

    // Payload bytes reserved plus the records' own size: what the log costs, roughly.
    std::size_t memoryUsed() const;

signals:
    void appended(quint64 firstSeq, quint64 endSeq);
    void trimmed(quint64 newFirstSeq);
    // Receivers of records in [firstSeq, lastSeq] changed state.
    void deliveriesChanged(quint64 firstSeq, quint64 lastSeq);
    void cleared();

private:
    struct Batch;

    void ingestEvent(const broker::BrokerEvent &event, Batch &batch);
    std::uint64_t appendRecord(LogRecord record, std::string_view payload);
    std::uint64_t messageRecord(const broker::BrokerEvent &event);
    ReceiverRecord *openReceiver(std::uint64_t seq, std::uint32_t client);
    ReceiverRecord &addReceiver(std::uint64_t seq, std::uint32_t client);
    ReceiverRecord *inflightReceiver(std::uint32_t client, std::uint16_t packetId,
                                     std::uint64_t messageId);
    void forgetInflight(const ReceiverRecord &receiver);
    void trimTo(std::size_t capacity);
    static std::uint32_t afterMs(const LogRecord &record, std::int64_t timeMs);
    static std::uint64_t inflightKey(std::uint32_t client, std::uint16_t packetId)
    {
        return (std::uint64_t(client) << 16) | packetId;
    }

    std::size_t m_capacity;
    std::deque<LogRecord> m_records;
    std::uint64_t m_firstSeq = 0;
    std::deque<ReceiverRecord> m_receivers;
    std::uint64_t m_firstReceiver = 0; // index of m_receivers.front()
    PayloadArena m_payloads;
    StringPool m_topics;
    StringPool m_clients;
    StringPool m_reasons;
    QHash<quint64, quint64> m_recordOfMessage; // broker message id -> seq
    QHash<quint64, quint64> m_inflight;        // (client, packet id) -> receiver index
};

} // namespace iotcore::ui
