// The engine with its store: a persistent session and a retained message survive a restart of the
// broker through the workspace file. Clients are driven without sockets: a fake transport keeps
// what the broker sends, encoded and decoded with the project's codec.

#include "core/Broker.h"
#include "core/ClientConnection.h"
#include "core/Transport.h"
#include "mqtt/PacketDecoder.h"
#include "mqtt/PacketEncoder.h"
#include "observe/EventTap.h"
#include "observe/Log.h"
#include "store/SqliteBrokerStore.h"

#include <QTemporaryDir>
#include <QtTest/QTest>

#include <algorithm>

using namespace iotcore::broker;

namespace {

// What a fake connection's peer received, kept after the broker frees the transport.
struct Wire {
    std::string bytes;
    bool closed = false;
};

class FakeTransport final : public Transport
{
public:
    explicit FakeTransport(std::shared_ptr<Wire> wire) : m_wire(std::move(wire)) {}

    void requestFlush() override
    {
        m_wire->bytes += m_outbox;
        m_outbox.clear();
    }
    std::size_t pendingBytes() const override { return m_outbox.size(); }
    void close() override
    {
        requestFlush();
        m_wire->closed = true;
    }
    std::string peerAddress() const override { return "192.0.2.1:40000"; }

private:
    std::shared_ptr<Wire> m_wire;
};

QString describe(const Packet &packet)
{
    const auto bytes = [](const std::string &payload) {
        return QString::fromLatin1(QByteArray::fromStdString(payload).toHex(' '));
    };
    switch (packetType(packet)) {
    case PacketType::Connack: {
        const auto &connack = std::get<ConnackPacket>(packet);
        return QStringLiteral("CONNACK present=%1 rc=%2")
            .arg(int(connack.sessionPresent))
            .arg(int(connack.returnCode));
    }
    case PacketType::Publish: {
        const auto &publish = std::get<PublishPacket>(packet);
        return QStringLiteral("PUBLISH %1 qos%2 pid%3%4%5 [%6]")
            .arg(QString::fromStdString(publish.topic))
            .arg(publish.qos)
            .arg(publish.packetId)
            .arg(publish.dup ? QStringLiteral(" dup") : QString())
            .arg(publish.retain ? QStringLiteral(" retain") : QString())
            .arg(bytes(publish.payload));
    }
    case PacketType::Suback: {
        const auto &suback = std::get<SubackPacket>(packet);
        QStringList codes;
        for (const std::uint8_t code : suback.returnCodes)
            codes << QString::number(code);
        return QStringLiteral("SUBACK %1 [%2]").arg(suback.packetId).arg(codes.join(','));
    }
    default:
        if (const auto *ack = std::get_if<AckPacket>(&packet))
            return QStringLiteral("%1 %2").arg(QLatin1String(packetTypeName(ack->type))).arg(ack->packetId);
        return QLatin1String(packetTypeName(packetType(packet)));
    }
}

// One client on a fake connection: sends packets, then reads what the broker answered.
class TestClient
{
public:
    TestClient(Broker &broker, const std::shared_ptr<const ListenerInfo> &listener)
        : m_broker(broker)
        , m_wire(std::make_shared<Wire>())
        , m_connection(&broker.attach(std::make_unique<FakeTransport>(m_wire), listener))
    {
    }

    // One event-loop turn: the bytes arrive, the broker acts, the turn ends.
    void send(const Packet &packet)
    {
        QVERIFY(!m_wire->closed);
        m_connection->onTransportData(encodedPacket(packet));
        m_broker.endOfTurn();
    }

    QStringList received()
    {
        PacketDecoder decoder;
        decoder.feed(m_wire->bytes);
        m_wire->bytes.clear();
        QStringList packets;
        Packet packet;
        while (decoder.next(packet) == PacketDecoder::Status::Packet)
            packets << describe(packet);
        if (decoder.hasError())
            packets << QStringLiteral("decode error: ") + QString::fromStdString(decoder.errorReason());
        return packets;
    }

    bool closed() const { return m_wire->closed; }

private:
    Broker &m_broker;
    std::shared_ptr<Wire> m_wire;
    ClientConnection *m_connection; // freed by the broker once closed
};

ConnectPacket connectPacket(std::string clientId, bool cleanSession)
{
    ConnectPacket connect;
    connect.clientId = std::move(clientId);
    connect.cleanSession = cleanSession;
    return connect;
}

SubscribePacket subscribe(std::uint16_t packetId, std::string filter, std::uint8_t qos)
{
    return SubscribePacket{packetId, {{std::move(filter), qos}}};
}

PublishPacket publish(std::string topic, std::string payload, std::uint8_t qos,
                      std::uint16_t packetId, bool retain = false, bool dup = false)
{
    PublishPacket packet;
    packet.topic = std::move(topic);
    packet.payload = std::move(payload);
    packet.qos = qos;
    packet.packetId = packetId;
    packet.retain = retain;
    packet.dup = dup;
    return packet;
}

AckPacket ack(PacketType type, std::uint16_t packetId)
{
    return AckPacket{type, packetId};
}

const EmptyPacket Disconnect{PacketType::Disconnect};

// A broker over a store, as `serve -w FILE` runs one: open, load, restore; shutdown at the end.
struct Running {
    explicit Running(const std::string &path)
    {
        std::string error;
        store = SqliteBrokerStore::open(path, &error);
        if (!store)
            qFatal("cannot open the store: %s", error.c_str());
        state = store->load(&error);
        if (!error.empty())
            qFatal("cannot load the store: %s", error.c_str());
        broker = std::make_unique<Broker>(BrokerConfig{}, log, tap, store.get());
        broker->restore(state);
        tap.addSink([this](std::vector<BrokerEvent> &&batch) {
            for (const BrokerEvent &event : batch) {
                if (event.message)
                    messageIds.push_back(event.message->id);
            }
        });
    }

    Log log{LogLevel::Warning};
    EventTap tap;
    std::unique_ptr<SqliteBrokerStore> store;
    StoredBrokerState state; // as loaded at start
    std::unique_ptr<Broker> broker;
    std::vector<std::uint64_t> messageIds; // of every event about a message
    std::shared_ptr<const ListenerInfo> listener =
        std::make_shared<ListenerInfo>(ListenerInfo{"open-mqtt", "mqtt", ListenerInfo::Mode::Open});
};

} // namespace

class TestBrokerPersistence : public QObject
{
    Q_OBJECT

private slots:
    void sessionAndRetainedSurviveRestart();
};

void TestBrokerPersistence::sessionAndRetainedSurviveRestart()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("workspace.sqlite")).toStdString();
    const std::string second("\0second", 7);
    const QString secondHex = QStringLiteral("00 73 65 63 6f 6e 64");

    std::uint64_t lastIdBeforeRestart = 0;
    {
        Running run(path);
        QVERIFY(run.state.retained.empty() && run.state.sessions.empty());
        TestClient sub(*run.broker, run.listener);
        TestClient pub(*run.broker, run.listener);

        sub.send(connectPacket("sub", false));
        QCOMPARE(sub.received(), QStringList{"CONNACK present=0 rc=0"});
        sub.send(SubscribePacket{1, {{"sensors/#", 1}, {"alarms/#", 2}}});
        QCOMPARE(sub.received(), QStringList{"SUBACK 1 [1,2]"});
        pub.send(connectPacket("pub", true));
        QCOMPARE(pub.received(), QStringList{"CONNACK present=0 rc=0"});

        // Left in flight: a QoS 1 message never acknowledged, a QoS 2 one released (PUBREC
        // received, PUBREL sent) and never completed.
        pub.send(publish("sensors/1", "first", 1, 10));
        QCOMPARE(pub.received(), QStringList{"PUBACK 10"});
        QCOMPARE(sub.received(), QStringList{"PUBLISH sensors/1 qos1 pid1 [66 69 72 73 74]"});
        pub.send(publish("alarms/fire", "evacuate", 2, 11));
        QCOMPARE(pub.received(), QStringList{"PUBREC 11"});
        pub.send(ack(PacketType::Pubrel, 11));
        QCOMPARE(pub.received(), QStringList{"PUBCOMP 11"});
        QCOMPARE(sub.received().size(), 1);
        sub.send(ack(PacketType::Pubrec, 2));
        QCOMPARE(sub.received(), QStringList{"PUBREL 2"});

        // A QoS 2 message from the client, received and not yet released (MQTT-4.3.3-2).
        sub.send(publish("other/x", "once", 2, 9));
        QCOMPARE(sub.received(), QStringList{"PUBREC 9"});
        sub.send(Disconnect);
        QVERIFY(sub.closed());

        // While it is away: a retained message, then one queued for it.
        pub.send(publish("status/hub", "online", 1, 12, true));
        pub.send(publish("sensors/2", second, 1, 13));
        QCOMPARE(pub.received(), (QStringList{"PUBACK 12", "PUBACK 13"}));

        QVERIFY2(run.broker->shutdown(), run.store->lastError().c_str());
        lastIdBeforeRestart = *std::max_element(run.messageIds.begin(), run.messageIds.end());
    }

    {
        Running run(path);
        QCOMPARE(run.state.retained.size(), std::size_t(1));
        QCOMPARE(run.state.sessions.size(), std::size_t(1)); // "pub" had a clean session
        TestClient sub(*run.broker, run.listener);
        TestClient pub(*run.broker, run.listener);
        TestClient watcher(*run.broker, run.listener);

        // MQTT-3.2.2-2, then MQTT-4.4.0-1: what was in flight goes again first, in its order,
        // then the queue.
        sub.send(connectPacket("sub", false));
        QCOMPARE(sub.received(),
                 (QStringList{"CONNACK present=1 rc=0",
                              "PUBLISH sensors/1 qos1 pid1 dup [66 69 72 73 74]",
                              "PUBREL 2",
                              "PUBLISH sensors/2 qos1 pid3 [" + secondHex + "]"}));
        sub.send(ack(PacketType::Puback, 1));
        sub.send(ack(PacketType::Pubcomp, 2));
        sub.send(ack(PacketType::Puback, 3));
        QCOMPARE(sub.received(), QStringList{});

        // The retained message follows the SUBACK with RETAIN set (MQTT-3.3.1-6, MQTT-3.3.1-8).
        sub.send(subscribe(2, "status/#", 1));
        QCOMPARE(sub.received(),
                 (QStringList{"SUBACK 2 [1]", "PUBLISH status/hub qos1 pid4 retain [6f 6e 6c 69 6e 65]"}));
        sub.send(ack(PacketType::Puback, 4));

        // The QoS 2 identifier still awaits its PUBREL: the same message again is acknowledged
        // and not routed a second time.
        watcher.send(connectPacket("watcher", true));
        watcher.send(subscribe(1, "other/#", 2));
        QCOMPARE(watcher.received(), (QStringList{"CONNACK present=0 rc=0", "SUBACK 1 [2]"}));
        sub.send(publish("other/x", "once", 2, 9, false, true));
        QCOMPARE(sub.received(), QStringList{"PUBREC 9"});
        QCOMPARE(watcher.received(), QStringList{});
        sub.send(ack(PacketType::Pubrel, 9));
        QCOMPARE(sub.received(), QStringList{"PUBCOMP 9"});

        // Messages after the restart are not numbered like those kept from before it.
        pub.send(connectPacket("pub", true));
        pub.send(publish("sensors/3", "third", 1, 1));
        QCOMPARE(pub.received(), (QStringList{"CONNACK present=0 rc=0", "PUBACK 1"}));
        QCOMPARE(sub.received(), QStringList{"PUBLISH sensors/3 qos1 pid5 [74 68 69 72 64]"});
        run.broker->endOfTurn();
        QVERIFY(run.messageIds.back() > lastIdBeforeRestart);
        sub.send(ack(PacketType::Puback, 5));
        QVERIFY(run.broker->shutdown());
    }

    // The session was saved again at shutdown: its subscriptions, nothing left to send.
    Running run(path);
    QCOMPARE(run.state.sessions.size(), std::size_t(1));
    const StoredSession &session = run.state.sessions[0];
    QCOMPARE(session.clientId, std::string("sub"));
    QCOMPARE(session.subscriptions.size(), std::size_t(3));
    QVERIFY(session.outgoing.empty());
    QVERIFY(session.awaitingRelease.empty());
    QCOMPARE(run.state.retained.size(), std::size_t(1));
    QCOMPARE(run.state.retained[0]->payload, std::string("online"));
    QVERIFY(run.state.retained[0]->retain);
}

QTEST_GUILESS_MAIN(TestBrokerPersistence)
#include "tst_brokerpersistence.moc"
