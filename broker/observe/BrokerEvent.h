#pragma once

#include "core/Message.h"

#include <cstdint>
#include <string>

namespace iotcore::broker {

// One thing the broker did, as the console and the logs see it.
struct BrokerEvent {
    enum class Kind : std::uint8_t {
        Connect,     // clientId, address (detail), identity
        Disconnect,  // clientId, reason (detail)
        Subscribe,   // clientId, topic = filter, qos = granted (0x80 refused), detail = reason
        Unsubscribe, // clientId, topic = filter
        Publish,     // clientId (sender), message, qos, packetId, kept
        Deliver,     // clientId (receiver), message, qos, packetId
        Ack,         // clientId (receiver), packetId, detail = "PUBACK" | "PUBREC" | "PUBCOMP"
        Retry,       // clientId (receiver), message, packetId: sent again with DUP
        Drop,        // clientId (receiver), message, detail = why
        Refuse,      // clientId, detail = why (CONNECT refused, protocol violation, ...)
    };

    Kind kind = Kind::Publish;
    std::int64_t timeMs = 0; // milliseconds since the Unix epoch
    std::string clientId;
    std::string topic;       // the filter for Subscribe/Unsubscribe
    std::string detail;      // address, reason, identity or ack type
    std::string identity;
    MessagePtr message;      // Publish, Deliver, Retry, Drop
    std::uint16_t packetId = 0;
    std::uint8_t qos = 0;
    bool kept = false;       // Publish: IoT Core keeps it as its permanent topic's last message
};

const char *brokerEventKindName(BrokerEvent::Kind kind);

} // namespace iotcore::broker
