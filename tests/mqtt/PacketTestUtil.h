#pragma once

// Helpers shared by the MQTT codec tests: hex literals, readable packet descriptions for QCOMPARE
// and a decode loop that feeds bytes in a given split.

#include "mqtt/Packet.h"
#include "mqtt/PacketDecoder.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QtTest/QTest>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace iotcore::broker {

// "30 05 00 03 61 2F 62" -> bytes. QByteArray::fromHex skips the spaces.
inline QByteArray hex(const char *text)
{
    return QByteArray::fromHex(QByteArray(text));
}

inline std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

inline std::string printable(std::string_view text)
{
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7F && c != '"' && c != '\\') {
            out += c;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", u);
            out += buf;
        }
    }
    return out + "\"";
}

inline std::string describe(const Packet &packet)
{
    std::string out = packetTypeName(packetType(packet));
    out += '{';
    if (const auto *p = std::get_if<ConnectPacket>(&packet)) {
        out += "protocol=" + printable(p->protocolName) + " level=" + std::to_string(p->protocolLevel)
               + " clean=" + std::to_string(p->cleanSession)
               + " keepAlive=" + std::to_string(p->keepAlive) + " clientId=" + printable(p->clientId);
        if (p->will) {
            out += " will={topic=" + printable(p->will->topic) + " payload=" + printable(p->will->payload)
                   + " qos=" + std::to_string(p->will->qos)
                   + " retain=" + std::to_string(p->will->retain) + "}";
        }
        if (p->username)
            out += " username=" + printable(*p->username);
        if (p->password)
            out += " password=" + printable(*p->password);
    } else if (const auto *p = std::get_if<ConnackPacket>(&packet)) {
        out += "sessionPresent=" + std::to_string(p->sessionPresent)
               + " code=" + std::to_string(static_cast<int>(p->returnCode));
    } else if (const auto *p = std::get_if<PublishPacket>(&packet)) {
        out += "topic=" + printable(p->topic) + " payload=" + printable(p->payload)
               + " qos=" + std::to_string(p->qos) + " retain=" + std::to_string(p->retain)
               + " dup=" + std::to_string(p->dup) + " id=" + std::to_string(p->packetId);
    } else if (const auto *p = std::get_if<AckPacket>(&packet)) {
        out += "id=" + std::to_string(p->packetId);
    } else if (const auto *p = std::get_if<SubscribePacket>(&packet)) {
        out += "id=" + std::to_string(p->packetId);
        for (const auto &s : p->subscriptions)
            out += " " + printable(s.filter) + ":" + std::to_string(s.qos);
    } else if (const auto *p = std::get_if<SubackPacket>(&packet)) {
        out += "id=" + std::to_string(p->packetId) + " codes=";
        for (const auto code : p->returnCodes)
            out += std::to_string(code) + ",";
    } else if (const auto *p = std::get_if<UnsubscribePacket>(&packet)) {
        out += "id=" + std::to_string(p->packetId);
        for (const auto &f : p->filters)
            out += " " + printable(f);
    }
    return out + '}';
}

// Found by QTest through argument-dependent lookup, so QCOMPARE prints packets.
inline char *toString(const Packet &packet)
{
    return qstrdup(describe(packet).c_str());
}

using PacketList = std::vector<Packet>;

inline char *toString(const PacketList &packets)
{
    std::string out = "[";
    for (const auto &p : packets)
        out += describe(p) + (&p == &packets.back() ? "" : ", ");
    return qstrdup((out + "]").c_str());
}

// The outcome of feeding a whole stream: the packets, then NeedMore or Error.
struct DecodeResult
{
    PacketList packets;
    PacketDecoder::Status last = PacketDecoder::Status::NeedMore;
    std::string error;
    std::size_t buffered = 0;
};

// Feeds `stream` in chunks of the given sizes (the rest in one last chunk), calling next()
// until it stops returning a packet after each chunk.
inline DecodeResult decodeInChunks(std::string_view stream, const std::vector<std::size_t> &chunks,
                                   std::size_t maxPacketSize = MaxRemainingLength + 5)
{
    PacketDecoder decoder(maxPacketSize);
    DecodeResult result;
    std::size_t pos = 0;
    auto drain = [&] {
        for (;;) {
            Packet packet;
            result.last = decoder.next(packet);
            if (result.last != PacketDecoder::Status::Packet)
                break;
            result.packets.push_back(std::move(packet));
        }
    };
    for (const std::size_t size : chunks) {
        if (pos >= stream.size())
            break;
        const std::size_t n = std::min(size, stream.size() - pos);
        decoder.feed(stream.substr(pos, n));
        pos += n;
        drain();
    }
    if (pos < stream.size())
        decoder.feed(stream.substr(pos));
    drain();
    result.error = decoder.errorReason();
    result.buffered = decoder.bufferedBytes();
    return result;
}

inline DecodeResult decodeAll(std::string_view stream)
{
    return decodeInChunks(stream, {});
}

} // namespace iotcore::broker

Q_DECLARE_METATYPE(iotcore::broker::Packet)
Q_DECLARE_METATYPE(iotcore::broker::PacketList)
