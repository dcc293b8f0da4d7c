#pragma once

// Broker events as the engine records them, built by hand for the message log's tests.

#include "observe/BrokerEvent.h"

#include <memory>
#include <string>
#include <vector>

namespace iotcore::ui::test {

using broker::BrokerEvent;
using broker::MessagePtr;

inline constexpr std::int64_t T0 = 1'764'072'000'000; // 2025-11-25 12:00:00 UTC

inline MessagePtr message(std::uint64_t id, std::string topic, std::string payload,
                          std::uint8_t qos = 0, bool retain = false)
{
    auto made = std::make_shared<broker::Message>();
    made->id = id;
    made->topic = std::move(topic);
    made->payload = std::move(payload);
    made->qos = qos;
    made->retain = retain;
    return made;
}

inline BrokerEvent event(BrokerEvent::Kind kind, std::string clientId, std::int64_t timeMs)
{
    BrokerEvent made;
    made.kind = kind;
    made.clientId = std::move(clientId);
    made.timeMs = timeMs;
    return made;
}

inline BrokerEvent published(const MessagePtr &msg, std::string sender, std::int64_t timeMs = T0,
                             bool kept = false)
{
    BrokerEvent made = event(BrokerEvent::Kind::Publish, std::move(sender), timeMs);
    made.message = msg;
    made.topic = msg->topic;
    made.qos = msg->qos;
    made.kept = kept;
    return made;
}

// Deliver, Retry or Drop of `msg` at `receiver`.
inline BrokerEvent delivery(BrokerEvent::Kind kind, const MessagePtr &msg, std::string receiver,
                            std::uint8_t qos, std::uint16_t packetId, std::int64_t timeMs = T0)
{
    BrokerEvent made = event(kind, std::move(receiver), timeMs);
    made.message = msg;
    made.topic = msg->topic;
    made.qos = qos;
    made.packetId = packetId;
    return made;
}

inline BrokerEvent acked(const MessagePtr &msg, std::string receiver, std::uint16_t packetId,
                         std::string ack, std::int64_t timeMs = T0)
{
    BrokerEvent made = event(BrokerEvent::Kind::Ack, std::move(receiver), timeMs);
    made.message = msg;
    made.topic = msg->topic;
    made.qos = msg->qos;
    made.packetId = packetId;
    made.detail = std::move(ack);
    return made;
}

inline BrokerEvent dropped(const MessagePtr &msg, std::string receiver, std::string reason,
                           std::int64_t timeMs = T0)
{
    BrokerEvent made = event(BrokerEvent::Kind::Drop, std::move(receiver), timeMs);
    made.message = msg;
    made.topic = msg->topic;
    made.qos = msg->qos;
    made.detail = std::move(reason);
    return made;
}

inline BrokerEvent refused(std::string clientId, std::string topic, std::string reason,
                           std::int64_t timeMs = T0)
{
    BrokerEvent made = event(BrokerEvent::Kind::Refuse, std::move(clientId), timeMs);
    made.topic = std::move(topic);
    made.detail = std::move(reason);
    return made;
}

inline BrokerEvent subscribed(std::string clientId, std::string filter, std::uint8_t granted,
                              std::string reason = {}, std::int64_t timeMs = T0)
{
    BrokerEvent made = event(BrokerEvent::Kind::Subscribe, std::move(clientId), timeMs);
    made.topic = std::move(filter);
    made.qos = granted;
    made.detail = std::move(reason);
    return made;
}

// A message published by `sender` and delivered at QoS 0 to each of `receivers`.
inline std::vector<BrokerEvent> routed(std::uint64_t id, const std::string &topic,
                                       const std::string &payload, const std::string &sender,
                                       const std::vector<std::string> &receivers,
                                       std::uint8_t qos = 0, std::int64_t timeMs = T0)
{
    const MessagePtr msg = message(id, topic, payload, qos);
    std::vector<BrokerEvent> events{published(msg, sender, timeMs)};
    std::uint16_t packetId = 1;
    for (const std::string &receiver : receivers)
        events.push_back(delivery(BrokerEvent::Kind::Deliver, msg, receiver, qos,
                                  qos > 0 ? packetId++ : 0, timeMs));
    return events;
}

} // namespace iotcore::ui::test
