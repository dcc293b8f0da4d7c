#include "PacketDecoder.h"

#include "Topic.h"

#include <cstdint>
#include <utility>

// The decoder keeps the received bytes in one buffer and a read offset into it. A packet is
// parsed in place once all its bytes are there; its strings are copied once, straight into
// the Packet (a PublishPacket already held by the caller's Packet is reused, so a steady stream
// of PUBLISH packets costs no allocation once the strings have grown). The buffer is compacted
// only when the consumed prefix is at least as large as what is left, so compaction copies at
// most as many bytes as were decoded.
//
// Every check is a function of the bytes seen so far, done in a fixed order (type, flags,
// Remaining Length, size limit, fixed lengths, then the body), so the outcome never depends on
// how the bytes were split across feed() calls.

namespace iotcore::broker {

namespace {

// A buffer that held a large packet is released rather than kept for the connection's lifetime.
constexpr std::size_t ReleaseCapacity = 64 * 1024;

std::string hexByte(unsigned value)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string text = "0x";
    text += digits[(value >> 4) & 0xF];
    text += digits[value & 0xF];
    return text;
}

std::string name(PacketType type)
{
    return packetTypeName(type);
}

// Bounds-checked big-endian reads over one packet's body (MQTT 1.5).
class Reader
{
public:
    explicit Reader(std::string_view data) : m_data(data) {}

    std::size_t remaining() const { return m_data.size() - m_pos; }
    bool atEnd() const { return m_pos == m_data.size(); }

    bool u8(std::uint8_t &value)
    {
        if (remaining() < 1)
            return false;
        value = static_cast<std::uint8_t>(m_data[m_pos++]);
        return true;
    }

    bool u16(std::uint16_t &value)
    {
        if (remaining() < 2)
            return false;
        value = static_cast<std::uint16_t>((static_cast<std::uint8_t>(m_data[m_pos]) << 8)
                                           | static_cast<std::uint8_t>(m_data[m_pos + 1]));
        m_pos += 2;
        return true;
    }

    std::string_view take(std::size_t count)
    {
        const std::string_view bytes = m_data.substr(m_pos, count);
        m_pos += bytes.size();
        return bytes;
    }

    std::string_view rest() { return take(remaining()); }

private:
    std::string_view m_data;
    std::size_t m_pos = 0;
};

// A length-prefixed field (UTF-8 string or binary data, MQTT 1.5.3) that must fit in the packet.
bool readField(Reader &r, PacketType type, const char *what, std::string_view &field,
               std::string &error)
{
    std::uint16_t length = 0;
    if (!r.u16(length)) {
        error = name(type) + " ends before the length of its " + what;
        return false;
    }
    if (length > r.remaining()) {
        error = name(type) + " " + what + " length " + std::to_string(length) + " exceeds the "
                + std::to_string(r.remaining()) + " bytes left in the packet";
        return false;
    }
    field = r.take(length);
    return true;
}

// A UTF-8 encoded string field: well-formed, without U+0000 (MQTT-1.5.3-1, MQTT-1.5.3-2).
bool readString(Reader &r, PacketType type, const char *what, std::string_view &field,
                std::string &error)
{
    if (!readField(r, type, what, field, error))
        return false;
    std::string reason;
    if (!isValidMqttString(field, &reason)) {
        error = name(type) + " " + what + " " + reason;
        return false;
    }
    return true;
}

bool readPacketId(Reader &r, PacketType type, std::uint16_t &id, std::string &error)
{
    if (!r.u16(id)) {
        error = name(type) + " ends before its packet identifier (MQTT 2.3.1)";
        return false;
    }
    if (id == 0) {
        // MQTT-2.3.1-1; acknowledgements echo the identifier, so theirs is never 0 either.
        error = name(type) + " packet identifier is 0 (MQTT-2.3.1-1)";
        return false;
    }
    return true;
}

// MQTT 2.2.2, Table 2.2 - Flag Bits.
bool checkFlags(PacketType type, unsigned flags, std::string &error)
{
    switch (type) {
    case PacketType::Publish: {
        const unsigned qos = (flags >> 1) & 0x03;
        if (qos == 3) {
            error = "PUBLISH has both QoS bits set (MQTT-3.3.1-4)";
            return false;
        }
        if (qos == 0 && (flags & 0x08)) {
            error = "PUBLISH has the DUP flag set with QoS 0 (MQTT-3.3.1-2)";
            return false;
        }
        return true;
    }
    case PacketType::Pubrel:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
        if (flags != 0x02) {
            const char *rule = type == PacketType::Pubrel      ? "MQTT-3.6.1-1"
                               : type == PacketType::Subscribe ? "MQTT-3.8.1-1"
                                                               : "MQTT-3.10.1-1";
            error = name(type) + " fixed header flags are " + hexByte(flags)
                    + ", must be 0x02 (" + rule + ", MQTT-2.2.2-1, MQTT-2.2.2-2)";
            return false;
        }
        return true;
    default:
        if (flags != 0) {
            error = name(type) + " fixed header flags are " + hexByte(flags)
                    + ", must be 0x00 (MQTT-2.2.2-1, MQTT-2.2.2-2)";
            return false;
        }
        return true;
    }
}

// Packets whose Remaining Length is fixed, checked before their body is waited for.
bool checkFixedLength(PacketType type, std::uint32_t remaining, std::string &error)
{
    std::uint32_t expected = 0;
    const char *section = nullptr;
    switch (type) {
    case PacketType::Connack:
        expected = 2, section = "3.2.1";
        break;
    case PacketType::Puback:
        expected = 2, section = "3.4.1";
        break;
    case PacketType::Pubrec:
        expected = 2, section = "3.5.1";
        break;
    case PacketType::Pubrel:
        expected = 2, section = "3.6.1";
        break;
    case PacketType::Pubcomp:
        expected = 2, section = "3.7.1";
        break;
    case PacketType::Unsuback:
        expected = 2, section = "3.11.1";
        break;
    case PacketType::Pingreq:
        expected = 0, section = "3.12.1";
        break;
    case PacketType::Pingresp:
        expected = 0, section = "3.13.1";
        break;
    case PacketType::Disconnect:
        expected = 0, section = "3.14.1";
        break;
    default:
        return true;
    }
    if (remaining != expected) {
        error = name(type) + " Remaining Length is " + std::to_string(remaining) + ", must be "
                + std::to_string(expected) + " (MQTT " + section + ")";
        return false;
    }
    return true;
}

// Everything of a CONNECT after the protocol level: flags, keep alive and payload.
bool decodeConnectRest(Reader &r, ConnectPacket &c, std::string &error)
{
    std::uint8_t flags = 0;
    if (!r.u8(flags) || !r.u16(c.keepAlive)) {
        error = "CONNECT ends inside its variable header (MQTT 3.1.2)";
        return false;
    }

    // MQTT 3.1.2.3 Connect Flags
    const bool usernameFlag = flags & 0x80;
    const bool passwordFlag = flags & 0x40;
    const bool willRetain = flags & 0x20;
    const std::uint8_t willQos = (flags >> 3) & 0x03;
    const bool willFlag = flags & 0x04;
    c.cleanSession = flags & 0x02;

    if (flags & 0x01) {
        error = "CONNECT reserved flag is set (MQTT-3.1.2-3)";
        return false;
    }
    if (!willFlag && willQos != 0) {
        error = "CONNECT will QoS is " + std::to_string(willQos)
                + " without the will flag (MQTT-3.1.2-11, MQTT-3.1.2-13)";
        return false;
    }
    if (!willFlag && willRetain) {
        error = "CONNECT will retain is set without the will flag (MQTT-3.1.2-11, MQTT-3.1.2-15)";
        return false;
    }
    if (willQos == 3) {
        error = "CONNECT will QoS is 3 (MQTT-3.1.2-14)";
        return false;
    }
    if (passwordFlag && !usernameFlag) {
        error = "CONNECT password flag is set without the user name flag (MQTT-3.1.2-22)";
        return false;
    }

    // Payload: Client Identifier, Will Topic, Will Message, User Name, Password, each present
    // as the flags say and in this order (MQTT-3.1.3-1).
    std::string_view field;
    if (!readString(r, PacketType::Connect, "client identifier", field, error)) // MQTT-3.1.3-4
        return false;
    c.clientId.assign(field);

    if (willFlag) {
        // MQTT-3.1.2-9: the Will Topic and Will Message are in the payload.
        if (!readField(r, PacketType::Connect, "will topic", field, error))
            return false;
        std::string reason;
        // MQTT-3.1.3-10; the will is published to it, so it is a topic name (MQTT-4.7.1-1).
        if (!isValidTopicName(field, &reason)) {
            error = "CONNECT will topic " + reason;
            return false;
        }
        Will will;
        will.topic.assign(field);
        if (!readField(r, PacketType::Connect, "will message", field, error))
            return false;
        will.payload.assign(field); // binary data, MQTT 3.1.3.3
        will.qos = willQos;
        will.retain = willRetain;
        c.will = std::move(will);
    }
    if (usernameFlag) {
        // MQTT-3.1.2-19, MQTT-3.1.3-11
        if (!readString(r, PacketType::Connect, "user name", field, error))
            return false;
        c.username = std::string(field);
    }
    if (passwordFlag) {
        // MQTT-3.1.2-21: binary data, any bytes.
        if (!readField(r, PacketType::Connect, "password", field, error))
            return false;
        c.password = std::string(field);
    }
    if (!r.atEnd()) {
        error = "CONNECT has " + std::to_string(r.remaining())
                + (r.remaining() == 1 ? " byte" : " bytes")
                + " after its last payload field (MQTT-3.1.3-1)";
        return false;
    }
    return true;
}

bool decodeConnect(std::string_view body, Packet &packet, std::string &error)
{
    Reader r(body);
    std::string_view protocolName;
    if (!readString(r, PacketType::Connect, "protocol name", protocolName, error))
        return false;
    std::uint8_t level = 0;
    if (!r.u8(level)) {
        error = "CONNECT ends before its protocol level (MQTT 3.1.2.2)";
        return false;
    }

    ConnectPacket c;
    if (!decodeConnectRest(r, c, error)) {
        if (level == 4)
            return false;
        // Another protocol level (3.1, 5.0, ...) may lay out the rest differently. The broker
        // answers any level other than 4 with CONNACK 0x01 (MQTT-3.1.2-2), so the packet is
        // delivered with its name and level only and the rest left at the defaults.
        error.clear();
        c = ConnectPacket{};
    }
    c.protocolName.assign(protocolName);
    c.protocolLevel = level;
    packet = std::move(c);
    return true;
}

bool decodeConnack(std::string_view body, Packet &packet, std::string &error)
{
    // Remaining Length is 2 (checked before).
    const auto ackFlags = static_cast<std::uint8_t>(body[0]);
    const auto code = static_cast<std::uint8_t>(body[1]);
    if (ackFlags & 0xFE) {
        error = "CONNACK acknowledge flags " + hexByte(ackFlags)
                + " have reserved bits 7-1 set (MQTT 3.2.2.1)";
        return false;
    }
    if (code > static_cast<std::uint8_t>(ConnectReturnCode::NotAuthorized)) {
        error = "CONNACK return code " + std::to_string(code) + " is reserved (MQTT 3.2.2.3)";
        return false;
    }
    if ((ackFlags & 0x01) && code != 0) {
        error = "CONNACK has session present set with return code " + std::to_string(code)
                + " (MQTT-3.2.2-4)";
        return false;
    }
    packet = ConnackPacket{(ackFlags & 0x01) != 0, static_cast<ConnectReturnCode>(code)};
    return true;
}

bool decodePublish(unsigned flags, std::string_view body, Packet &packet, std::string &error)
{
    const auto qos = static_cast<std::uint8_t>((flags >> 1) & 0x03);
    Reader r(body);
    std::string_view topic;
    if (!readField(r, PacketType::Publish, "topic name", topic, error))
        return false;
    std::string reason;
    if (!isValidTopicName(topic, &reason)) {
        // MQTT-3.3.2-1 (a UTF-8 string), MQTT-3.3.2-2 (no wildcards), MQTT-4.7.3-1 (non-empty)
        error = "PUBLISH topic name " + reason;
        return false;
    }
    std::uint16_t packetId = 0;
    if (qos > 0 && !readPacketId(r, PacketType::Publish, packetId, error))
        return false;
    // MQTT 3.3.3: the rest is the payload, possibly empty.
    const std::string_view payload = r.rest();

    auto *publish = std::get_if<PublishPacket>(&packet);
    if (!publish)
        publish = &packet.emplace<PublishPacket>();
    publish->topic.assign(topic);
    publish->payload.assign(payload);
    publish->qos = qos;
    publish->retain = flags & 0x01;
    publish->dup = flags & 0x08;
    publish->packetId = packetId;
    return true;
}

bool decodeAck(PacketType type, std::string_view body, Packet &packet, std::string &error)
{
    Reader r(body);
    std::uint16_t packetId = 0;
    if (!readPacketId(r, type, packetId, error))
        return false;
    packet = AckPacket{type, packetId};
    return true;
}

bool decodeSubscribe(std::string_view body, Packet &packet, std::string &error)
{
    Reader r(body);
    SubscribePacket s;
    if (!readPacketId(r, PacketType::Subscribe, s.packetId, error))
        return false;
    std::string reason;
    while (!r.atEnd()) {
        std::string_view filter;
        // MQTT-3.8.3-1: the filters are UTF-8 strings.
        if (!readField(r, PacketType::Subscribe, "topic filter", filter, error))
            return false;
        if (!isValidTopicFilter(filter, &reason)) {
            error = "SUBSCRIBE topic filter " + reason;
            return false;
        }
        std::uint8_t qos = 0;
        if (!r.u8(qos)) {
            error = "SUBSCRIBE ends before the requested QoS of a topic filter (MQTT 3.8.3)";
            return false;
        }
        if (qos & 0xFC) {
            error = "SUBSCRIBE requested QoS byte " + hexByte(qos)
                    + " has reserved bits set (MQTT-3-8.3-4)";
            return false;
        }
        if (qos == 3) {
            error = "SUBSCRIBE requested QoS is 3 (MQTT-3-8.3-4)";
            return false;
        }
        s.subscriptions.push_back(TopicSubscription{std::string(filter), qos});
    }
    if (s.subscriptions.empty()) {
        error = "SUBSCRIBE has no topic filters (MQTT-3.8.3-3)";
        return false;
    }
    packet = std::move(s);
    return true;
}

bool decodeSuback(std::string_view body, Packet &packet, std::string &error)
{
    Reader r(body);
    SubackPacket s;
    if (!readPacketId(r, PacketType::Suback, s.packetId, error))
        return false;
    const std::string_view codes = r.rest();
    if (codes.empty()) {
        // One return code per topic filter of the SUBSCRIBE (MQTT-3.9.3-1), which has at least one.
        error = "SUBACK has no return codes (MQTT-3.9.3-1)";
        return false;
    }
    s.returnCodes.reserve(codes.size());
    for (const char byte : codes) {
        const auto code = static_cast<std::uint8_t>(byte);
        if (code > 2 && code != SubackFailure) {
            error = "SUBACK return code " + hexByte(code) + " is reserved (MQTT-3.9.3-2)";
            return false;
        }
        s.returnCodes.push_back(code);
    }
    packet = std::move(s);
    return true;
}

bool decodeUnsubscribe(std::string_view body, Packet &packet, std::string &error)
{
    Reader r(body);
    UnsubscribePacket u;
    if (!readPacketId(r, PacketType::Unsubscribe, u.packetId, error))
        return false;
    std::string reason;
    while (!r.atEnd()) {
        std::string_view filter;
        // MQTT-3.10.3-1: the filters are UTF-8 strings.
        if (!readField(r, PacketType::Unsubscribe, "topic filter", filter, error))
            return false;
        if (!isValidTopicFilter(filter, &reason)) {
            error = "UNSUBSCRIBE topic filter " + reason;
            return false;
        }
        u.filters.emplace_back(filter);
    }
    if (u.filters.empty()) {
        error = "UNSUBSCRIBE has no topic filters (MQTT-3.10.3-2)";
        return false;
    }
    packet = std::move(u);
    return true;
}

bool decodeBody(PacketType type, unsigned flags, std::string_view body, Packet &packet,
                std::string &error)
{
    switch (type) {
    case PacketType::Publish:
        return decodePublish(flags, body, packet, error);
    case PacketType::Connect:
        return decodeConnect(body, packet, error);
    case PacketType::Connack:
        return decodeConnack(body, packet, error);
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
    case PacketType::Unsuback:
        return decodeAck(type, body, packet, error);
    case PacketType::Subscribe:
        return decodeSubscribe(body, packet, error);
    case PacketType::Suback:
        return decodeSuback(body, packet, error);
    case PacketType::Unsubscribe:
        return decodeUnsubscribe(body, packet, error);
    case PacketType::Pingreq:
    case PacketType::Pingresp:
    case PacketType::Disconnect:
        packet = EmptyPacket{type};
        return true;
    }
    error = "unknown packet type"; // unreachable: the type was checked before
    return false;
}

} // namespace

PacketDecoder::PacketDecoder(std::size_t maxPacketSize) : m_maxPacketSize(maxPacketSize) {}

void PacketDecoder::feed(std::string_view bytes)
{
    // After a protocol error the connection is closed: nothing more is buffered.
    if (!m_error.empty() || bytes.empty())
        return;
    if (m_offset == m_buffer.size()) {
        if (m_buffer.capacity() > ReleaseCapacity && bytes.size() <= ReleaseCapacity)
            std::string().swap(m_buffer);
        else
            m_buffer.clear();
        m_offset = 0;
    } else if (m_offset > 0 && m_offset >= m_buffer.size() - m_offset) {
        m_buffer.erase(0, m_offset);
        m_offset = 0;
    }
    m_buffer.append(bytes);
}

PacketDecoder::Status PacketDecoder::next(Packet &packet)
{
    if (!m_error.empty())
        return Status::Error;

    const std::size_t available = m_buffer.size() - m_offset;
    if (available == 0) {
        m_buffer.clear();
        m_offset = 0;
        return Status::NeedMore;
    }
    const auto *data = reinterpret_cast<const unsigned char *>(m_buffer.data() + m_offset);

    // Fixed header byte 1: packet type and flags (MQTT 2.2.1, 2.2.2).
    const unsigned typeValue = data[0] >> 4;
    const unsigned flags = data[0] & 0x0F;
    if (typeValue == 0 || typeValue == 15)
        return fail("packet type " + std::to_string(typeValue) + " is reserved (MQTT 2.2.1)");
    const auto type = static_cast<PacketType>(typeValue);
    std::string error;
    if (!checkFlags(type, flags, error))
        return fail(std::move(error));

    // Remaining Length: at most four bytes, seven bits each, low group first (MQTT 2.2.3).
    std::uint32_t remaining = 0;
    std::size_t pos = 1;
    for (unsigned shift = 0;; shift += 7) {
        if (pos >= available)
            return Status::NeedMore;
        const unsigned char byte = data[pos++];
        remaining |= static_cast<std::uint32_t>(byte & 0x7F) << shift;
        if (!(byte & 0x80))
            break;
        if (pos == 5)
            return fail(name(type) + " Remaining Length is longer than 4 bytes (MQTT 2.2.3)");
    }

    // Refuse an oversized packet before buffering any of it.
    const std::size_t total = pos + remaining;
    if (total > m_maxPacketSize) {
        return fail(name(type) + " of " + std::to_string(total)
                    + " bytes exceeds the maximum packet size of "
                    + std::to_string(m_maxPacketSize) + " bytes");
    }
    if (!checkFixedLength(type, remaining, error))
        return fail(std::move(error));
    if (available < total)
        return Status::NeedMore;

    const std::string_view body(m_buffer.data() + m_offset + pos, remaining);
    m_offset += total;
    if (!decodeBody(type, flags, body, packet, error))
        return fail(std::move(error));
    return Status::Packet;
}

PacketDecoder::Status PacketDecoder::fail(std::string reason)
{
    m_error = std::move(reason);
    // Nothing received is of any use once the stream is broken.
    std::string().swap(m_buffer);
    m_offset = 0;
    return Status::Error;
}

} // namespace iotcore::broker
