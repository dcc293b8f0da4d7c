#pragma once

// The broker engine without sockets: an in-memory Transport, a Broker with its log and event
// tap, and an MQTT client that sends encoded packets to the engine and decodes what it answers.
// Each send is one event-loop turn: the bytes arrive, then Broker::endOfTurn() runs, as the real
// event loop does.

#include "core/Broker.h"
#include "core/BrokerConfig.h"
#include "core/ClientConnection.h"
#include "core/Transport.h"
#include "mqtt/Packet.h"
#include "mqtt/PacketDecoder.h"
#include "mqtt/PacketEncoder.h"
#include "observe/EventTap.h"
#include "observe/Log.h"

#include <QtTest/QTest>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iotcore::broker {

using PacketList = std::vector<Packet>;

// --- packets, built as a test reads them --------------------------------------------------------

inline Packet connectPacket(std::string clientId, bool cleanSession = true,
                            std::uint16_t keepAlive = 0, std::optional<Will> will = {})
{
    ConnectPacket c;
    c.clientId = std::move(clientId);
    c.cleanSession = cleanSession;
    c.keepAlive = keepAlive;
    c.will = std::move(will);
    return c;
}

inline Packet connackPacket(bool sessionPresent = false,
                            ConnectReturnCode code = ConnectReturnCode::Accepted)
{
    return ConnackPacket{sessionPresent, code};
}

inline Packet publishPacket(std::string topic, std::string payload, std::uint8_t qos = 0,
                            std::uint16_t packetId = 0, bool retain = false, bool dup = false)
{
    return PublishPacket{std::move(topic), std::move(payload), qos, retain, dup, packetId};
}

inline Packet ackPacket(PacketType type, std::uint16_t packetId)
{
    return AckPacket{type, packetId};
}

inline Packet subscribePacket(std::uint16_t packetId, std::vector<TopicSubscription> filters)
{
    return SubscribePacket{packetId, std::move(filters)};
}

inline Packet subackPacket(std::uint16_t packetId, std::vector<std::uint8_t> returnCodes)
{
    return SubackPacket{packetId, std::move(returnCodes)};
}

inline Packet unsubscribePacket(std::uint16_t packetId, std::vector<std::string> filters)
{
    return UnsubscribePacket{packetId, std::move(filters)};
}

inline Packet emptyPacket(PacketType type)
{
    return EmptyPacket{type};
}

// --- readable failures ---------------------------------------------------------------------------

inline std::string printable(std::string_view text)
{
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7F && c != '"') {
            out += c;
        } else {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02X", u);
            out += escaped;
        }
    }
    return out + "\"";
}

inline std::string describe(const Packet &packet)
{
    std::string out = packetTypeName(packetType(packet));
    if (const auto *p = std::get_if<ConnackPacket>(&packet)) {
        out += "(present=" + std::to_string(p->sessionPresent)
               + " code=" + std::to_string(int(p->returnCode)) + ")";
    } else if (const auto *p = std::get_if<PublishPacket>(&packet)) {
        out += "(" + printable(p->topic) + " " + printable(p->payload)
               + " qos=" + std::to_string(p->qos) + " id=" + std::to_string(p->packetId)
               + " retain=" + std::to_string(p->retain) + " dup=" + std::to_string(p->dup) + ")";
    } else if (const auto *p = std::get_if<AckPacket>(&packet)) {
        out += "(id=" + std::to_string(p->packetId) + ")";
    } else if (const auto *p = std::get_if<SubackPacket>(&packet)) {
        out += "(id=" + std::to_string(p->packetId) + " codes=";
        for (const std::uint8_t code : p->returnCodes)
            out += std::to_string(code) + ";";
        out += ")";
    } else if (const auto *p = std::get_if<ConnectPacket>(&packet)) {
        out += "(" + printable(p->clientId) + ")";
    }
    return out;
}

// Found by QTest through argument-dependent lookup, so that QCOMPARE prints packets.
inline char *toString(const Packet &packet)
{
    return qstrdup(describe(packet).c_str());
}

inline char *toString(const PacketList &packets)
{
    std::string out = "[";
    for (std::size_t i = 0; i < packets.size(); ++i)
        out += (i ? ", " : "") + describe(packets[i]);
    return qstrdup((out + "]").c_str());
}

// --- the engine and its fake network ------------------------------------------------------------

// Everything the broker wrote to one connection, and whether it closed it. Shared between the
// transport (owned by the broker, freed with the connection) and the test client (which outlives
// it).
struct Wire {
    std::string written;
    bool closed = false;
};

class FakeTransport final : public Transport
{
public:
    FakeTransport(std::shared_ptr<Wire> wire, std::string address)
        : m_wire(std::move(wire))
        , m_address(std::move(address))
    {
    }

    void requestFlush() override
    {
        m_wire->written += m_outbox;
        m_outbox.clear();
    }
    std::size_t pendingBytes() const override { return m_outbox.size(); }
    void close() override
    {
        requestFlush();
        m_wire->closed = true;
    }
    std::string peerAddress() const override { return m_address; }

private:
    std::shared_ptr<Wire> m_wire;
    std::string m_address;
};

// A Broker with its log (lines captured) and event tap, as the application builds them.
class Engine
{
public:
    using Clock = Broker::Clock;

    explicit Engine(BrokerConfig config = {}, BrokerPersistence *persistence = nullptr)
        : broker(config, log, tap, persistence)
    {
        log.setWriter([this](std::string_view line) { logLines.emplace_back(line); });
    }

    // Adds a sink that keeps every event the broker records from now on.
    void recordEvents()
    {
        tap.addSink([this](std::vector<BrokerEvent> &&batch) {
            for (BrokerEvent &event : batch)
                events.push_back(std::move(event));
        });
    }

    // One turn of the broker's periodic work at a chosen time.
    void tick(Clock::time_point now)
    {
        broker.tick(now);
        broker.endOfTurn();
    }

    Log log;
    EventTap tap;
    std::vector<std::string> logLines;
    std::vector<BrokerEvent> events;
    Broker broker;
};

// One MQTT client on its own connection. The connection belongs to the broker, which frees it at
// the end of the turn in which it closed; the client then touches only its Wire.
class TestClient
{
public:
    // `listener`: an IoT Core listener with its authenticator; an open one when null.
    explicit TestClient(Engine &engine, std::string address = "192.0.2.1:50000",
                        std::shared_ptr<const ListenerInfo> listener = nullptr)
        : m_engine(engine)
        , m_wire(std::make_shared<Wire>())
    {
        if (!listener) {
            auto open = std::make_shared<ListenerInfo>();
            open->name = "open-mqtt";
            open->scheme = "mqtt";
            listener = std::move(open);
        }
        m_connection = &engine.broker.attach(std::make_unique<FakeTransport>(m_wire, address),
                                             std::move(listener));
    }

    // Sends the packet's bytes as one read and returns what the broker sent back in that turn.
    PacketList send(const Packet &packet) { return sendBytes(encodedPacket(packet)); }

    PacketList sendBytes(std::string_view bytes)
    {
        if (m_wire->closed) {
            QTest::qFail("the test sends on a connection the broker closed", __FILE__, __LINE__);
            return {};
        }
        m_connection->onTransportData(bytes);
        m_engine.broker.endOfTurn();
        return received();
    }

    PacketList connect(std::string clientId, bool cleanSession = true, std::uint16_t keepAlive = 0,
                       std::optional<Will> will = {})
    {
        return send(connectPacket(std::move(clientId), cleanSession, keepAlive, std::move(will)));
    }

    PacketList subscribe(std::uint16_t packetId, std::string filter, std::uint8_t qos)
    {
        return send(subscribePacket(packetId, {{std::move(filter), qos}}));
    }

    // The network fails under the connection (no DISCONNECT).
    void dropConnection()
    {
        if (!m_wire->closed)
            m_connection->onTransportClosed("connection reset by peer");
        m_engine.broker.endOfTurn();
    }

    // Packets the broker sent since the last call.
    PacketList received()
    {
        m_decoder.feed(std::string_view(m_wire->written).substr(m_readOffset));
        m_readOffset = m_wire->written.size();
        PacketList packets;
        Packet packet;
        PacketDecoder::Status status;
        while ((status = m_decoder.next(packet)) == PacketDecoder::Status::Packet)
            packets.push_back(std::move(packet));
        if (status == PacketDecoder::Status::Error)
            QTest::qFail(("the broker sent bytes that do not decode: " + m_decoder.errorReason())
                             .c_str(),
                         __FILE__, __LINE__);
        return packets;
    }

    bool isClosed() const { return m_wire->closed; }

private:
    Engine &m_engine;
    std::shared_ptr<Wire> m_wire;
    ClientConnection *m_connection; // valid while !isClosed()
    PacketDecoder m_decoder;
    std::size_t m_readOffset = 0;
};

} // namespace iotcore::broker
