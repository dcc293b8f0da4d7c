#include "PacketEncoder.h"

#include <algorithm>
#include <cassert>
#include <cstddef>

// Every packet is written in one step: its Remaining Length is computed first, the output grows
// once by the exact packet size, and the bytes are written through a raw pointer.
//
// Preconditions (a caller's bug otherwise, checked by assert in debug builds): strings are at
// most 65535 bytes (longer ones are cut to 65535 so that the stream stays in sync), and a
// packet's Remaining Length is at most MaxRemainingLength.

namespace iotcore::broker {

namespace {

constexpr std::size_t MaxStringLength = 65535;

// MQTT 2.2, Table 2.2 - Flag Bits: PUBREL, SUBSCRIBE and UNSUBSCRIBE carry 0010, the others
// 0000 except PUBLISH.
constexpr std::uint8_t reservedFlags(PacketType type)
{
    switch (type) {
    case PacketType::Pubrel:      // MQTT-3.6.1-1
    case PacketType::Subscribe:   // MQTT-3.8.1-1
    case PacketType::Unsubscribe: // MQTT-3.10.1-1
        return 0x02;
    default:
        return 0x00;
    }
}

constexpr std::uint8_t firstByte(PacketType type)
{
    return static_cast<std::uint8_t>((static_cast<std::uint8_t>(type) << 4) | reservedFlags(type));
}

// Number of bytes of the Remaining Length field, MQTT 2.2.3, Table 2.4.
constexpr std::size_t remainingLengthSize(std::size_t length)
{
    std::size_t size = 1;
    while (length > 127) {
        length >>= 7;
        ++size;
    }
    return size;
}

std::size_t clampedLength(std::string_view text)
{
    assert(text.size() <= MaxStringLength);
    return std::min(text.size(), MaxStringLength);
}

// A UTF-8 string or binary field: two-byte length then the bytes, MQTT 1.5.3.
std::size_t fieldSize(std::string_view text)
{
    return 2 + clampedLength(text);
}

class Writer
{
public:
    // Grows `out` by the whole packet: fixed header plus `remaining` bytes.
    Writer(std::string &out, std::uint8_t header, std::size_t remaining)
    {
        assert(remaining <= MaxRemainingLength);
        const std::size_t start = out.size();
        out.resize(start + 1 + remainingLengthSize(remaining) + remaining);
        m_pos = out.data() + start;
#ifndef NDEBUG
        m_end = out.data() + out.size();
#endif
        byte(header);
        // MQTT 2.2.3: seven bits per byte, least significant group first, bit 7 = "more".
        do {
            std::uint8_t encoded = remaining & 0x7F;
            remaining >>= 7;
            if (remaining > 0)
                encoded |= 0x80;
            byte(encoded);
        } while (remaining > 0);
    }

    ~Writer() { assert(m_pos == m_end); }

    void byte(std::uint8_t value) { *m_pos++ = static_cast<char>(value); }

    // MQTT 1.5.2: big-endian two-byte integer.
    void u16(std::uint16_t value)
    {
        byte(static_cast<std::uint8_t>(value >> 8));
        byte(static_cast<std::uint8_t>(value & 0xFF));
    }

    void raw(std::string_view bytes)
    {
        if (!bytes.empty())
            std::copy(bytes.begin(), bytes.end(), m_pos);
        m_pos += bytes.size();
    }

    void field(std::string_view text)
    {
        const std::size_t length = clampedLength(text);
        u16(static_cast<std::uint16_t>(length));
        raw(text.substr(0, length));
    }

private:
    char *m_pos = nullptr;
#ifndef NDEBUG
    char *m_end = nullptr;
#endif
};

void encodeConnect(const ConnectPacket &p, std::string &out)
{
    // MQTT 3.1.2.3 Connect Flags
    std::uint8_t flags = 0;
    if (p.cleanSession)
        flags |= 0x02;
    if (p.will) {
        flags |= 0x04;                                                     // Will Flag
        flags |= static_cast<std::uint8_t>((p.will->qos & 0x03) << 3); // Will QoS
        if (p.will->retain)
            flags |= 0x20;
    }
    if (p.password)
        flags |= 0x40;
    if (p.username)
        flags |= 0x80;

    // Variable header: protocol name, level, flags, keep alive (MQTT 3.1.2).
    std::size_t remaining = fieldSize(p.protocolName) + 1 + 1 + 2;
    // Payload order: client id, will topic, will message, user name, password (MQTT-3.1.3-1).
    remaining += fieldSize(p.clientId);
    if (p.will)
        remaining += fieldSize(p.will->topic) + fieldSize(p.will->payload);
    if (p.username)
        remaining += fieldSize(*p.username);
    if (p.password)
        remaining += fieldSize(*p.password);

    Writer w(out, firstByte(PacketType::Connect), remaining);
    w.field(p.protocolName);
    w.byte(p.protocolLevel);
    w.byte(flags);
    w.u16(p.keepAlive);
    w.field(p.clientId);
    if (p.will) {
        w.field(p.will->topic);
        w.field(p.will->payload);
    }
    if (p.username)
        w.field(*p.username);
    if (p.password)
        w.field(*p.password);
}

void encodeConnack(const ConnackPacket &p, std::string &out)
{
    // MQTT 3.2: acknowledge flags (bit 0 = session present) and the return code.
    Writer w(out, firstByte(PacketType::Connack), 2);
    w.byte(p.sessionPresent ? 0x01 : 0x00);
    w.byte(static_cast<std::uint8_t>(p.returnCode));
}

void encodeSubscribe(const SubscribePacket &p, std::string &out)
{
    std::size_t remaining = 2;
    for (const TopicSubscription &s : p.subscriptions)
        remaining += fieldSize(s.filter) + 1;

    Writer w(out, firstByte(PacketType::Subscribe), remaining);
    w.u16(p.packetId);
    for (const TopicSubscription &s : p.subscriptions) {
        w.field(s.filter);
        w.byte(s.qos & 0x03); // MQTT-3-8.3-4: the upper six bits are reserved
    }
}

void encodeSuback(const SubackPacket &p, std::string &out)
{
    Writer w(out, firstByte(PacketType::Suback), 2 + p.returnCodes.size());
    w.u16(p.packetId);
    for (std::uint8_t code : p.returnCodes)
        w.byte(code);
}

void encodeUnsubscribe(const UnsubscribePacket &p, std::string &out)
{
    std::size_t remaining = 2;
    for (const std::string &filter : p.filters)
        remaining += fieldSize(filter);

    Writer w(out, firstByte(PacketType::Unsubscribe), remaining);
    w.u16(p.packetId);
    for (const std::string &filter : p.filters)
        w.field(filter);
}

void encodeEmpty(PacketType type, std::string &out)
{
    // PINGREQ, PINGRESP and DISCONNECT have a Remaining Length of 0 (MQTT 3.12, 3.13, 3.14).
    Writer w(out, firstByte(type), 0);
}

} // namespace

void encodePublish(std::string &out, std::string_view topic, std::string_view payload,
                   std::uint8_t qos, bool retain, bool dup, std::uint16_t packetId)
{
    qos &= 0x03;
    // MQTT 3.3.1: DUP (bit 3), QoS (bits 2-1), RETAIN (bit 0). The DUP flag must be 0 for
    // QoS 0 (MQTT-3.3.1-2).
    std::uint8_t header = static_cast<std::uint8_t>(PacketType::Publish) << 4;
    header |= static_cast<std::uint8_t>(qos << 1);
    if (dup && qos > 0)
        header |= 0x08;
    if (retain)
        header |= 0x01;

    // A QoS 0 PUBLISH carries no Packet Identifier (MQTT-2.3.1-5).
    const std::size_t remaining = fieldSize(topic) + (qos > 0 ? 2 : 0) + payload.size();
    Writer w(out, header, remaining);
    w.field(topic);
    if (qos > 0)
        w.u16(packetId);
    w.raw(payload);
}

void encodeAck(std::string &out, PacketType type, std::uint16_t packetId)
{
    // PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK: Remaining Length 2, the Packet Identifier.
    const std::size_t start = out.size();
    out.resize(start + 4);
    char *p = out.data() + start;
    p[0] = static_cast<char>(firstByte(type));
    p[1] = 0x02;
    p[2] = static_cast<char>(packetId >> 8);
    p[3] = static_cast<char>(packetId & 0xFF);
}

void encodePacket(const Packet &packet, std::string &out)
{
    struct Visitor
    {
        std::string &out;

        void operator()(const ConnectPacket &p) const { encodeConnect(p, out); }
        void operator()(const ConnackPacket &p) const { encodeConnack(p, out); }
        void operator()(const PublishPacket &p) const
        {
            encodePublish(out, p.topic, p.payload, p.qos, p.retain, p.dup, p.packetId);
        }
        void operator()(const AckPacket &p) const { encodeAck(out, p.type, p.packetId); }
        void operator()(const SubscribePacket &p) const { encodeSubscribe(p, out); }
        void operator()(const SubackPacket &p) const { encodeSuback(p, out); }
        void operator()(const UnsubscribePacket &p) const { encodeUnsubscribe(p, out); }
        void operator()(const EmptyPacket &p) const { encodeEmpty(p.type, out); }
    };
    std::visit(Visitor{out}, packet);
}

std::string encodedPacket(const Packet &packet)
{
    std::string out;
    encodePacket(packet, out);
    return out;
}

} // namespace iotcore::broker
