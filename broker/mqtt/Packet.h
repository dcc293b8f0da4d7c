#pragma once

// MQTT 3.1.1 control packets as plain values (OASIS MQTT 3.1.1, section 3).
// Strings are raw UTF-8 bytes as they travel on the wire; payloads are opaque bytes.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace iotcore::broker {

enum class PacketType : std::uint8_t {
    Connect = 1,
    Connack = 2,
    Publish = 3,
    Puback = 4,
    Pubrec = 5,
    Pubrel = 6,
    Pubcomp = 7,
    Subscribe = 8,
    Suback = 9,
    Unsubscribe = 10,
    Unsuback = 11,
    Pingreq = 12,
    Pingresp = 13,
    Disconnect = 14,
};

const char *packetTypeName(PacketType type);

// CONNACK return codes, MQTT 3.2.2.3.
enum class ConnectReturnCode : std::uint8_t {
    Accepted = 0,
    UnacceptableProtocolVersion = 1,
    IdentifierRejected = 2,
    ServerUnavailable = 3,
    BadUsernameOrPassword = 4,
    NotAuthorized = 5,
};

const char *connectReturnCodeText(ConnectReturnCode code);

// SUBACK return code for a refused filter, MQTT 3.9.3.
inline constexpr std::uint8_t SubackFailure = 0x80;

// Largest Remaining Length the four-byte encoding can carry, MQTT 2.2.3.
inline constexpr std::uint32_t MaxRemainingLength = 268'435'455;

struct Will {
    std::string topic;
    std::string payload;
    std::uint8_t qos = 0;
    bool retain = false;

    bool operator==(const Will &) const = default;
};

struct ConnectPacket {
    std::string protocolName = "MQTT";
    std::uint8_t protocolLevel = 4;
    bool cleanSession = true;
    std::uint16_t keepAlive = 0;
    std::string clientId;
    std::optional<Will> will;
    std::optional<std::string> username;
    std::optional<std::string> password;

    bool operator==(const ConnectPacket &) const = default;
};

struct ConnackPacket {
    bool sessionPresent = false;
    ConnectReturnCode returnCode = ConnectReturnCode::Accepted;

    bool operator==(const ConnackPacket &) const = default;
};

struct PublishPacket {
    std::string topic;
    std::string payload;
    std::uint8_t qos = 0;
    bool retain = false;
    bool dup = false;
    std::uint16_t packetId = 0; // only for QoS 1 and 2

    bool operator==(const PublishPacket &) const = default;
};

// PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK: a type and a packet identifier.
struct AckPacket {
    PacketType type = PacketType::Puback;
    std::uint16_t packetId = 0;

    bool operator==(const AckPacket &) const = default;
};

struct TopicSubscription {
    std::string filter;
    std::uint8_t qos = 0;

    bool operator==(const TopicSubscription &) const = default;
};

struct SubscribePacket {
    std::uint16_t packetId = 0;
    std::vector<TopicSubscription> subscriptions;

    bool operator==(const SubscribePacket &) const = default;
};

struct SubackPacket {
    std::uint16_t packetId = 0;
    std::vector<std::uint8_t> returnCodes; // 0, 1, 2 or SubackFailure

    bool operator==(const SubackPacket &) const = default;
};

struct UnsubscribePacket {
    std::uint16_t packetId = 0;
    std::vector<std::string> filters;

    bool operator==(const UnsubscribePacket &) const = default;
};

// PINGREQ, PINGRESP and DISCONNECT: a type and nothing else.
struct EmptyPacket {
    PacketType type = PacketType::Pingreq;

    bool operator==(const EmptyPacket &) const = default;
};

using Packet = std::variant<ConnectPacket, ConnackPacket, PublishPacket, AckPacket,
                            SubscribePacket, SubackPacket, UnsubscribePacket, EmptyPacket>;

PacketType packetType(const Packet &packet);

} // namespace iotcore::broker
