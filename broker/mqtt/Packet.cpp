#include "Packet.h"

namespace iotcore::broker {

const char *packetTypeName(PacketType type)
{
    // MQTT 2.2.1, Table 2.1 - Control packet types
    switch (type) {
    case PacketType::Connect:
        return "CONNECT";
    case PacketType::Connack:
        return "CONNACK";
    case PacketType::Publish:
        return "PUBLISH";
    case PacketType::Puback:
        return "PUBACK";
    case PacketType::Pubrec:
        return "PUBREC";
    case PacketType::Pubrel:
        return "PUBREL";
    case PacketType::Pubcomp:
        return "PUBCOMP";
    case PacketType::Subscribe:
        return "SUBSCRIBE";
    case PacketType::Suback:
        return "SUBACK";
    case PacketType::Unsubscribe:
        return "UNSUBSCRIBE";
    case PacketType::Unsuback:
        return "UNSUBACK";
    case PacketType::Pingreq:
        return "PINGREQ";
    case PacketType::Pingresp:
        return "PINGRESP";
    case PacketType::Disconnect:
        return "DISCONNECT";
    }
    return "RESERVED"; // 0 and 15 are reserved, MQTT 2.2.1
}

const char *connectReturnCodeText(ConnectReturnCode code)
{
    // MQTT 3.2.2.3, Table 3.1 - Connect Return code values
    switch (code) {
    case ConnectReturnCode::Accepted:
        return "Connection Accepted";
    case ConnectReturnCode::UnacceptableProtocolVersion:
        return "Connection Refused, unacceptable protocol version";
    case ConnectReturnCode::IdentifierRejected:
        return "Connection Refused, identifier rejected";
    case ConnectReturnCode::ServerUnavailable:
        return "Connection Refused, Server unavailable";
    case ConnectReturnCode::BadUsernameOrPassword:
        return "Connection Refused, bad user name or password";
    case ConnectReturnCode::NotAuthorized:
        return "Connection Refused, not authorized";
    }
    return "Reserved return code"; // 6-255 are reserved for future use
}

PacketType packetType(const Packet &packet)
{
    struct Visitor
    {
        PacketType operator()(const ConnectPacket &) const { return PacketType::Connect; }
        PacketType operator()(const ConnackPacket &) const { return PacketType::Connack; }
        PacketType operator()(const PublishPacket &) const { return PacketType::Publish; }
        PacketType operator()(const AckPacket &p) const { return p.type; }
        PacketType operator()(const SubscribePacket &) const { return PacketType::Subscribe; }
        PacketType operator()(const SubackPacket &) const { return PacketType::Suback; }
        PacketType operator()(const UnsubscribePacket &) const { return PacketType::Unsubscribe; }
        PacketType operator()(const EmptyPacket &p) const { return p.type; }
    };
    return std::visit(Visitor{}, packet);
}

} // namespace iotcore::broker
