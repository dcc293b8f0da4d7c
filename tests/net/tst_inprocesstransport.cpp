// The broker's side of in-process connections, through BrokerServer and raw InProcessChannels
// (the client's side is tests/client/tst_inprocess.cpp): MQTT with the engine, the backlog
// before start(), one wake-up per batch, back-pressure on a client that does not read, and how
// each side's end reaches the other.

#include "NetTestSupport.h"

#include "net/InProcessChannel.h"
#include "net/InProcessListener.h"

#include <QtTest/QTest>

#include <atomic>
#include <memory>

using namespace iotcore;
using namespace iotcore::test;

namespace {

// A client side that only counts its wake-ups; the test takes what waits when it wants.
class CountingWaker final : public InProcessChannel::Waker
{
public:
    void wake(std::shared_ptr<InProcessChannel>) override { m_wakes.fetch_add(1); }
    int wakes() const { return m_wakes.load(); }

private:
    std::atomic<int> m_wakes{0};
};

class RawClient
{
public:
    explicit RawClient(InProcessListener &listener)
        : m_waker(std::make_shared<CountingWaker>())
        , m_channel(listener.connect(m_waker))
    {
    }

    InProcessChannel &channel() { return *m_channel; }
    int wakes() const { return m_waker->wakes(); }
    void send(const QByteArray &bytes)
    {
        m_channel->sendToBroker(std::string_view(bytes.constData(), std::size_t(bytes.size())));
    }

    // Takes what waits; true once `count` packets arrived in all.
    bool received(std::size_t count)
    {
        InProcessChannel::ForClient input = m_channel->takeForClient();
        m_accepted = input.accepted;
        m_ended = input.ended;
        m_reader.feed(QByteArray::fromStdString(input.bytes));
        return m_reader.count() >= count;
    }
    const PacketReader &reader() const { return m_reader; }
    bool accepted() const { return m_accepted; }
    InProcessChannel::BrokerEnd ended() const { return m_ended; }

    bool endedWith(InProcessChannel::BrokerEnd end)
    {
        received(0);
        return m_ended == end;
    }

private:
    std::shared_ptr<CountingWaker> m_waker;
    std::shared_ptr<InProcessChannel> m_channel;
    PacketReader m_reader;
    bool m_accepted = false;
    InProcessChannel::BrokerEnd m_ended = InProcessChannel::BrokerEnd::None;
};

QByteArray publishQos0(const std::string &topic, std::size_t size)
{
    PublishPacket publish;
    publish.topic = topic;
    publish.payload = std::string(size, 'x');
    return bytesOf(publish);
}

QByteArray pingBytes()
{
    return bytesOf(EmptyPacket{PacketType::Pingreq});
}

std::size_t countOf(const PacketReader &reader, PacketType type)
{
    std::size_t count = 0;
    for (const Packet &packet : reader.packets())
        count += packetType(packet) == type;
    return count;
}

} // namespace

class tst_InProcessTransport : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void listenerErrors();
    void connectionsWaitForStart();
    void speaksMqttWithTheEngine();
    void oneWakeUpUntilTaken();
    void unreadBytesHoldBackQos0();
    void clientEndIsAPeerClose();
    void engineCloseEndsTheChannel();
    void stopEndsEveryChannel();

private:
    // A server with the in-process listener "inproc", not started.
    void createServer(BrokerConfig config = {});

    std::unique_ptr<CapturedLog> m_log;
    std::unique_ptr<BrokerServer> m_server;
    std::shared_ptr<InProcessListener> m_listener;
};

void tst_InProcessTransport::init()
{
    m_log = std::make_unique<CapturedLog>();
}

void tst_InProcessTransport::cleanup()
{
    m_listener.reset();
    m_server.reset();
    m_log.reset();
}

void tst_InProcessTransport::createServer(BrokerConfig config)
{
    std::string error;
    m_server = std::make_unique<BrokerServer>(config, m_log->log(), nullptr);
    QVERIFY2(m_server->addInProcessListener("inproc", ListenerInfo::Mode::Open, &error),
             error.c_str());
    m_listener = m_server->inProcessListener("inproc");
    QVERIFY(m_listener);
}

void tst_InProcessTransport::listenerErrors()
{
    createServer();
    std::string error;
    QVERIFY(!m_server->addInProcessListener("inproc", ListenerInfo::Mode::Open, &error));
    QCOMPARE(error, std::string("listener inproc: an in-process listener of that name exists"));
    QVERIFY(!m_server->addInProcessListener("iot", ListenerInfo::Mode::IotCore, &error));
    QCOMPARE(error, std::string("listener iot: IoT Core mode needs the workspace's catalog"));
    QVERIFY(!m_server->inProcessListener("iot"));
}

void tst_InProcessTransport::connectionsWaitForStart()
{
    createServer();
    RawClient client(*m_listener);
    client.send(connectBytes("early")); // before the broker accepted: kept in order
    QVERIFY(!client.received(1));
    QVERIFY(!client.accepted());
    QCOMPARE(client.wakes(), 0);

    QVERIFY(m_server->start());
    QTRY_VERIFY(client.received(1));
    QVERIFY(client.accepted());
    QVERIFY(isAcceptedConnack(client.reader().packets().at(0)));
}

void tst_InProcessTransport::speaksMqttWithTheEngine()
{
    createServer();
    QVERIFY(m_server->start());
    RawClient first(*m_listener);
    RawClient second(*m_listener);
    second.send(connectBytes("second"));
    QTRY_VERIFY(second.received(1));
    QVERIFY(isAcceptedConnack(second.reader().packets().at(0)));
    // Numbered per listener in the order of connect(): what logs and IoT Core's monitoring show.
    QTRY_VERIFY2(m_log->contains({"connect", "clientID=\"second\"", "address=\"inproc:2\"",
                                  "listener=\"inproc\""}),
                 m_log->text().c_str());

    second.send(subscribeBytes("a/#", 7, 1) + pingBytes());
    QTRY_VERIFY(second.received(3));
    const auto *suback = second.reader().at<SubackPacket>(1);
    QVERIFY(suback);
    QCOMPARE(suback->packetId, std::uint16_t(7));
    QCOMPARE(packetType(second.reader().packets().at(2)), PacketType::Pingresp);

    first.send(connectBytes("first") + publishBytes("a/b", "hello", 1));
    QTRY_VERIFY(first.received(2));
    QCOMPARE(packetType(first.reader().packets().at(1)), PacketType::Puback);
    QTRY_VERIFY(second.received(4));
    const auto *publish = second.reader().at<PublishPacket>(3);
    QVERIFY(publish);
    QCOMPARE(publish->topic, std::string("a/b"));
    QCOMPARE(publish->payload, std::string("hello"));
}

void tst_InProcessTransport::oneWakeUpUntilTaken()
{
    createServer();
    QVERIFY(m_server->start());
    RawClient subscriber(*m_listener);
    RawClient publisher(*m_listener);
    subscriber.send(connectBytes("sub") + subscribeBytes("t", 1, 0));
    QTRY_VERIFY(subscriber.received(2)); // CONNACK, SUBACK
    publisher.send(connectBytes("pub"));
    QTRY_VERIFY(publisher.received(1));
    const int wakesBefore = subscriber.wakes();

    // Two batches of messages for the subscriber, in two turns of the broker's loop, before it
    // takes anything: one wake-up.
    QByteArray batch;
    for (int i = 0; i < 50; ++i)
        batch += publishQos0("t", 10);
    publisher.send(batch + pingBytes());
    QTRY_VERIFY(publisher.received(2));
    publisher.send(batch + pingBytes());
    QTRY_VERIFY(publisher.received(3)); // the broker has written both batches
    QCOMPARE(subscriber.wakes(), wakesBefore + 1);
    QVERIFY(subscriber.channel().unconsumedByClient() > 0);

    QVERIFY(subscriber.received(2 + 100));
    QCOMPARE(countOf(subscriber.reader(), PacketType::Publish), std::size_t(100));
    QCOMPARE(subscriber.channel().unconsumedByClient(), std::size_t(0));

    // Taken: the next message wakes it again.
    publisher.send(publishQos0("t", 10));
    QTRY_COMPARE(subscriber.wakes(), wakesBefore + 2);
}

void tst_InProcessTransport::unreadBytesHoldBackQos0()
{
    BrokerConfig config;
    config.maxPendingBytesQos0 = 4096;
    createServer(config);
    QVERIFY(m_server->start());
    RawClient subscriber(*m_listener);
    RawClient publisher(*m_listener);
    subscriber.send(connectBytes("slow") + subscribeBytes("t", 1, 0));
    QTRY_VERIFY(subscriber.received(2));
    publisher.send(connectBytes("fast"));
    QTRY_VERIFY(publisher.received(1));

    QByteArray flood;
    for (int i = 0; i < 200; ++i)
        flood += publishQos0("t", 100);
    publisher.send(flood + pingBytes());
    QTRY_VERIFY(publisher.received(2)); // everything routed

    // What the subscriber has not taken counts as the connection's pending bytes.
    const std::size_t waiting = subscriber.channel().unconsumedByClient();
    QVERIFY2(waiting > 4096 && waiting < 4096 + 200, std::to_string(waiting).c_str());
    QVERIFY(subscriber.received(2));
    const std::size_t delivered = countOf(subscriber.reader(), PacketType::Publish);
    QVERIFY2(delivered > 0 && delivered < 200, std::to_string(delivered).c_str());

    // Taken, the limit no longer holds it back.
    publisher.send(publishQos0("t", 100));
    QTRY_VERIFY(subscriber.received(2 + delivered + 1));
}

void tst_InProcessTransport::clientEndIsAPeerClose()
{
    createServer();
    QVERIFY(m_server->start());
    RawClient polite(*m_listener);
    polite.send(connectBytes("polite") + bytesOf(EmptyPacket{PacketType::Disconnect}));
    polite.channel().endFromClient(false); // the bytes before the end are read first
    QTRY_VERIFY(m_log->contains({"disconnect", "clientID=\"polite\"",
                                 "reason=\"client disconnected\""}));

    RawClient dropped(*m_listener);
    dropped.send(connectBytes("dropped"));
    QTRY_VERIFY(dropped.received(1));
    dropped.channel().endFromClient(true);
    QTRY_VERIFY(m_log->contains({"disconnect", "clientID=\"dropped\"",
                                 "reason=\"connection closed by peer\""}));
    // Nothing waits for a client that is gone.
    QCOMPARE(dropped.channel().unconsumedByClient(), std::size_t(0));
}

void tst_InProcessTransport::engineCloseEndsTheChannel()
{
    createServer();
    QVERIFY(m_server->start());
    RawClient client(*m_listener);
    client.send(pingBytes()); // MQTT-3.1.0-1: CONNECT first
    QTRY_VERIFY(client.endedWith(InProcessChannel::BrokerEnd::Closed));
    // Nothing more goes either way.
    client.send(connectBytes("late"));
    QVERIFY(!client.received(1));
}

void tst_InProcessTransport::stopEndsEveryChannel()
{
    createServer();
    QVERIFY(m_server->start());
    RawClient connected(*m_listener);
    connected.send(connectBytes("c"));
    QTRY_VERIFY(connected.received(1));

    QVERIFY(m_server->stop());
    QVERIFY(connected.endedWith(InProcessChannel::BrokerEnd::Stopped));
    QVERIFY(m_log->contains({"disconnect", "clientID=\"c\"", "reason=\"server shutting down\""}));

    RawClient late(*m_listener);
    QVERIFY(late.endedWith(InProcessChannel::BrokerEnd::Stopped));
    QVERIFY(!late.accepted());

    // The listener outlives its server, refusing.
    m_server.reset();
    RawClient afterwards(*m_listener);
    QVERIFY(afterwards.endedWith(InProcessChannel::BrokerEnd::Stopped));
}

QTEST_GUILESS_MAIN(tst_InProcessTransport)
#include "tst_inprocesstransport.moc"
