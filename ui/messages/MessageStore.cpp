#include "MessageStore.h"

#include "mqtt/Packet.h"

#include <algorithm>
#include <limits>

namespace iotcore::ui {

using broker::BrokerEvent;

// What one ingest() changed, to be announced once at its end.
struct MessageStore::Batch {
    std::uint64_t appendedFrom = 0;
    std::uint64_t firstChanged = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t lastChanged = 0;

    void changed(std::uint64_t seq)
    {
        if (seq >= appendedFrom)
            return; // announced as appended
        firstChanged = std::min(firstChanged, seq);
        lastChanged = std::max(lastChanged, seq);
    }
};

MessageStore::MessageStore(std::size_t capacity, QObject *parent)
    : QObject(parent)
    , m_capacity(std::max<std::size_t>(capacity, 1))
{
    // Growing a hash of a million entries rehashes it whole: a stall the GUI would feel.
    m_recordOfMessage.reserve(qsizetype(m_capacity));
}

void MessageStore::setCapacity(std::size_t capacity)
{
    m_capacity = std::max<std::size_t>(capacity, 1);
    m_recordOfMessage.reserve(qsizetype(m_capacity));
    const std::uint64_t before = m_firstSeq;
    trimTo(m_capacity);
    if (m_firstSeq != before)
        emit trimmed(m_firstSeq);
}

void MessageStore::ingest(const std::vector<BrokerEvent> &events)
{
    Batch batch;
    batch.appendedFrom = endSeq();
    for (const BrokerEvent &event : events)
        ingestEvent(event, batch);

    // Announced before the trim, so that every record is seen once (the topic tree counts them
    // all) even when one batch is larger than the capacity.
    if (batch.appendedFrom < endSeq())
        emit appended(batch.appendedFrom, endSeq());
    const std::uint64_t firstBefore = m_firstSeq;
    trimTo(m_capacity);
    if (m_firstSeq != firstBefore)
        emit trimmed(m_firstSeq);
    const std::uint64_t firstChanged = std::max(batch.firstChanged, m_firstSeq);
    if (firstChanged <= batch.lastChanged)
        emit deliveriesChanged(firstChanged, batch.lastChanged);
}

void MessageStore::ingestEvent(const BrokerEvent &event, Batch &batch)
{
    switch (event.kind) {
    case BrokerEvent::Kind::Publish: {
        if (!event.message)
            return;
        LogRecord record;
        record.timeMs = event.timeMs;
        record.messageId = event.message->id;
        record.topic = m_topics.intern(event.message->topic);
        record.sender = m_clients.intern(event.clientId);
        record.qos = event.qos;
        record.flags = (event.message->retain ? LogRecord::Retain : 0)
            | (event.kept ? LogRecord::Kept : 0);
        m_recordOfMessage.insert(record.messageId,
                                 appendRecord(record, event.message->payload));
        return;
    }
    case BrokerEvent::Kind::Deliver: {
        if (!event.message)
            return;
        const std::uint64_t seq = messageRecord(event);
        ReceiverRecord &receiver = addReceiver(seq, m_clients.intern(event.clientId));
        LogRecord &record = m_records[seq - m_firstSeq];
        receiver.sentAfterMs = afterMs(record, event.timeMs);
        receiver.qos = event.qos;
        receiver.packetId = event.packetId;
        record.outcomes |= LogRecord::AnySent;
        if (event.qos > 0)
            m_inflight.insert(inflightKey(receiver.client, receiver.packetId),
                              m_firstReceiver + m_receivers.size() - 1);
        batch.changed(seq);
        return;
    }
    case BrokerEvent::Kind::Retry:
    case BrokerEvent::Kind::Ack: {
        if (!event.message)
            return;
        const std::uint32_t client = m_clients.intern(event.clientId);
        ReceiverRecord *receiver = inflightReceiver(client, event.packetId, event.message->id);
        if (!receiver) {
            // Sent before this log started watching (a resumed session): only its record is new.
            const auto found = m_recordOfMessage.constFind(event.message->id);
            if (found == m_recordOfMessage.cend())
                return;
            receiver = &addReceiver(*found, client);
            receiver->qos = event.message->qos;
            receiver->packetId = event.packetId;
            m_inflight.insert(inflightKey(client, event.packetId),
                              m_firstReceiver + m_receivers.size() - 1);
        }
        LogRecord &record = m_records[receiver->recordSeq - m_firstSeq];
        const std::uint32_t after = afterMs(record, event.timeMs);
        if (event.kind == BrokerEvent::Kind::Retry) {
            receiver->retries = std::uint8_t(std::min(receiver->retries + 1, 255));
            receiver->lastRetryAfterMs = after;
            record.outcomes |= LogRecord::AnyRetried;
        } else if (event.detail == "PUBREC") {
            receiver->state = DeliveryState::Received;
            receiver->receivedAfterMs = after;
            record.outcomes |= LogRecord::AnyReceived;
        } else { // PUBACK or PUBCOMP: the exchange is over
            receiver->state = DeliveryState::Acknowledged;
            receiver->endedAfterMs = after;
            record.outcomes |= LogRecord::AnyAcknowledged;
            forgetInflight(*receiver);
        }
        batch.changed(receiver->recordSeq);
        return;
    }
    case BrokerEvent::Kind::Drop: {
        if (!event.message)
            return;
        const std::uint64_t seq = messageRecord(event);
        const std::uint32_t client = m_clients.intern(event.clientId);
        ReceiverRecord *receiver = openReceiver(seq, client);
        if (receiver) {
            forgetInflight(*receiver);
        } else {
            receiver = &addReceiver(seq, client);
            receiver->qos = event.qos;
        }
        LogRecord &record = m_records[seq - m_firstSeq];
        receiver->state = DeliveryState::Dropped;
        receiver->reason = m_reasons.intern(event.detail);
        receiver->endedAfterMs = afterMs(record, event.timeMs);
        record.outcomes |= LogRecord::AnyDropped;
        batch.changed(seq);
        return;
    }
    case BrokerEvent::Kind::Refuse:
    case BrokerEvent::Kind::Subscribe: {
        // A refusal without a topic is about a connection (CONNECT, protocol), not a message.
        const bool refusedSubscribe = event.kind == BrokerEvent::Kind::Subscribe
            && event.qos == broker::SubackFailure;
        const bool refusedPublish = event.kind == BrokerEvent::Kind::Refuse && !event.topic.empty();
        if (!refusedSubscribe && !refusedPublish)
            return;
        LogRecord record;
        record.timeMs = event.timeMs;
        record.kind = refusedSubscribe ? LogEntryKind::RefusedSubscribe : LogEntryKind::RefusedPublish;
        record.topic = m_topics.intern(event.topic);
        record.sender = m_clients.intern(event.clientId);
        record.reason = m_reasons.intern(event.detail);
        appendRecord(record, {});
        return;
    }
    case BrokerEvent::Kind::Connect:
    case BrokerEvent::Kind::Disconnect:
    case BrokerEvent::Kind::Unsubscribe:
        return;
    }
}

std::uint64_t MessageStore::appendRecord(LogRecord record, std::string_view payload)
{
    record.payload = m_payloads.append(payload);
    record.payloadSize = std::uint32_t(payload.size());
    m_records.push_back(record);
    return endSeq() - 1;
}

// The record of the event's message; one is made for a message whose PUBLISH the log did not
// see: a retained or kept message replayed to a new subscriber, or one the broker published
// itself (wills, monitoring).
std::uint64_t MessageStore::messageRecord(const BrokerEvent &event)
{
    const broker::Message &message = *event.message;
    if (const auto found = m_recordOfMessage.constFind(message.id);
        found != m_recordOfMessage.cend() && contains(*found))
        return *found;
    LogRecord record;
    record.timeMs = event.timeMs;
    record.messageId = message.id;
    record.topic = m_topics.intern(message.topic);
    record.qos = message.qos;
    record.flags = LogRecord::Replayed | (message.retain ? LogRecord::Retain : 0);
    const std::uint64_t seq = appendRecord(record, message.payload);
    m_recordOfMessage.insert(message.id, seq);
    return seq;
}

ReceiverRecord &MessageStore::addReceiver(std::uint64_t seq, std::uint32_t client)
{
    LogRecord &record = m_records[seq - m_firstSeq];
    ReceiverRecord &receiver = m_receivers.emplace_back();
    receiver.recordSeq = seq;
    receiver.client = client;
    const std::uint64_t link = m_firstReceiver + m_receivers.size(); // index + 1
    if (record.lastReceiver != 0)
        m_receivers[record.lastReceiver - 1 - m_firstReceiver].newer = link;
    else
        record.firstReceiver = link;
    record.lastReceiver = link;
    if (record.receiverCount < std::numeric_limits<std::uint16_t>::max())
        ++record.receiverCount;
    return receiver;
}

// The receiver of record `seq` named `client` still waiting for its exchange to end.
ReceiverRecord *MessageStore::openReceiver(std::uint64_t seq, std::uint32_t client)
{
    const LogRecord &record = m_records[seq - m_firstSeq];
    for (std::uint64_t link = record.firstReceiver; link != 0;) {
        ReceiverRecord &receiver = m_receivers[link - 1 - m_firstReceiver];
        const bool open = receiver.state == DeliveryState::Sent
            || receiver.state == DeliveryState::Received;
        if (receiver.client == client && open)
            return &receiver;
        link = receiver.newer;
    }
    return nullptr;
}

ReceiverRecord *MessageStore::inflightReceiver(std::uint32_t client, std::uint16_t packetId,
                                               std::uint64_t messageId)
{
    const auto found = m_inflight.constFind(inflightKey(client, packetId));
    if (found == m_inflight.cend())
        return nullptr;
    const std::uint64_t index = *found;
    if (index >= m_firstReceiver && index - m_firstReceiver < m_receivers.size()) {
        ReceiverRecord &receiver = m_receivers[index - m_firstReceiver];
        if (receiver.client == client && contains(receiver.recordSeq)
            && record(receiver.recordSeq).messageId == messageId)
            return &receiver;
    }
    return nullptr;
}

void MessageStore::forgetInflight(const ReceiverRecord &receiver)
{
    if (receiver.qos > 0)
        m_inflight.remove(inflightKey(receiver.client, receiver.packetId));
}

void MessageStore::trimTo(std::size_t capacity)
{
    if (m_records.size() <= capacity)
        return;
    while (m_records.size() > capacity) {
        const LogRecord &oldest = m_records.front();
        if (oldest.messageId != 0) {
            const auto found = m_recordOfMessage.find(oldest.messageId);
            if (found != m_recordOfMessage.end() && *found == m_firstSeq)
                m_recordOfMessage.erase(found);
        }
        m_records.pop_front();
        ++m_firstSeq;
    }
    // Receivers are appended roughly in their messages' order; those of dropped records go
    // from the front, the few behind a live message's receiver wait for the next trim.
    while (!m_receivers.empty() && m_receivers.front().recordSeq < m_firstSeq) {
        const ReceiverRecord &receiver = m_receivers.front();
        if (receiver.qos > 0) {
            const auto found = m_inflight.find(inflightKey(receiver.client, receiver.packetId));
            if (found != m_inflight.end() && *found == m_firstReceiver)
                m_inflight.erase(found);
        }
        m_receivers.pop_front();
        ++m_firstReceiver;
    }
    m_payloads.releaseBefore(m_records.front().payload);
}

std::vector<ReceiverRecord> MessageStore::receivers(const LogRecord &record) const
{
    std::vector<ReceiverRecord> result;
    result.reserve(record.receiverCount);
    anyReceiver(record, [&](const ReceiverRecord &receiver) {
        result.push_back(receiver);
        return false;
    });
    return result;
}

void MessageStore::clear()
{
    m_firstSeq = endSeq();
    m_records.clear();
    m_firstReceiver += m_receivers.size();
    m_receivers.clear();
    m_payloads.clear();
    m_recordOfMessage.clear();
    m_recordOfMessage.reserve(qsizetype(m_capacity));
    m_inflight.clear();
    emit cleared();
}

std::size_t MessageStore::memoryUsed() const
{
    return m_payloads.bytesReserved() + m_records.size() * sizeof(LogRecord)
        + m_receivers.size() * sizeof(ReceiverRecord);
}

std::uint32_t MessageStore::afterMs(const LogRecord &record, std::int64_t timeMs)
{
    const std::int64_t after = timeMs - record.timeMs;
    return std::uint32_t(std::clamp<std::int64_t>(after, 0, ReceiverRecord::NoTime - 1));
}

} // namespace iotcore::ui
