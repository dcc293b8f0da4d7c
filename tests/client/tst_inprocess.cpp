// MqttClient over the in-process transport against a BrokerServer: the same MQTT as over TCP
// (CONNACK, QoS 0/1/2 with in-process and TCP peers, retained messages, wills, takeover), the
// ends a socket would have (the broker stopping, a client deleted while the broker writes to it,
// a broker never started or already destroyed), IoT Core mode asking the authenticator, and a
// fleet of 5,000 clients on one thread.

#include "../net/NetTestSupport.h"

#include "client/InProcessClientTransport.h"
#include "client/MqttClient.h"
#include "iot/Catalog.h"
#include "iot/IotAuthenticator.h"

#include <QPointer>
#include <QSignalSpy>
#include <QtTest/QTest>

#include <memory>
#include <vector>

using namespace iotcore;
using namespace iotcore::test;
using app::InProcessClientTransport;
using app::MqttClient;
using app::MqttMessage;
using app::MqttSubscription;

namespace {

const QString InProcessName = QStringLiteral("inproc");

enum class Via { InProcess, Tcp };

} // namespace

Q_DECLARE_METATYPE(Via)

namespace {

QStringList payloadsOf(const QList<MqttMessage> &messages)
{
    QStringList out;
    for (const MqttMessage &m : messages)
        out << QString::fromUtf8(m.payload());
    return out;
}

} // namespace

class tst_InProcess : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void connectAndDisconnect();
    void roundTrip_data();
    void roundTrip();
    void retainedOnSubscribe();
    void willOnAbort();
    void takeoverClosesTheFirstConnection();
    void unknownListener();
    void waitsForTheBrokerToStart();
    void brokerStopClosesClients();
    void clientDeletedWhileTheBrokerWrites();
    void transportDeletedInsideItsOwnDelivery();
    void iotCoreModeAsksTheAuthenticator();
    void fiveThousandClientsOnOneThread();

private:
    std::unique_ptr<MqttClient> client(const QString &id) const;
    void start(MqttClient &client, Via via);
    QString name(const QString &what) const;

    CapturedLog m_log;
    std::unique_ptr<BrokerServer> m_broker;
    quint16 m_tcpPort = 0;
};

// Fails the calling test function when the client does not connect.
#define CONNECT_VIA(client, via)                                                                  \
    do {                                                                                          \
        start((client), (via));                                                                   \
        QTRY_COMPARE((client).state(), MqttClient::State::Connected);                             \
    } while (false)

#define CONNECT(client) CONNECT_VIA(client, Via::InProcess)

#define SUBSCRIBE(client, subscription, filter, qos)                                              \
    MqttSubscription *subscription = (client).subscribe((filter), (qos));                         \
    QVERIFY(subscription);                                                                        \
    QTRY_COMPARE(subscription->state(), MqttSubscription::State::Subscribed)

void tst_InProcess::initTestCase()
{
    std::string error;
    m_broker = std::make_unique<BrokerServer>(BrokerConfig{}, m_log.log(), nullptr);
    ListenerSpec tcp;
    tcp.name = "open-mqtt";
    QVERIFY2(m_broker->addListener(tcp, &error), error.c_str());
    QVERIFY2(m_broker->addInProcessListener(InProcessName.toStdString(), ListenerInfo::Mode::Open,
                                            &error),
             error.c_str());
    QVERIFY(m_broker->start());
    m_tcpPort = m_broker->listeners().at(0).port;
}

void tst_InProcess::cleanupTestCase()
{
    if (m_broker)
        m_broker->stop();
}

std::unique_ptr<MqttClient> tst_InProcess::client(const QString &id) const
{
    auto client = std::make_unique<MqttClient>();
    client->setHostname(QStringLiteral("127.0.0.1"));
    client->setPort(m_tcpPort);
    client->setClientId(name(id).replace('/', '-'));
    return client;
}

void tst_InProcess::start(MqttClient &client, Via via)
{
    if (via == Via::Tcp)
        client.connectToHost();
    else
        client.connectInProcess(*m_broker, InProcessName);
}

// Unique per test function and row, so cases never see each other's messages or sessions.
QString tst_InProcess::name(const QString &what) const
{
    return QStringLiteral("%1/%2/%3")
        .arg(QString::fromLatin1(QTest::currentTestFunction()),
             QString::fromLatin1(QTest::currentDataTag()), what);
}

void tst_InProcess::connectAndDisconnect()
{
    auto c = client("c");
    QSignalSpy connected(c.get(), &MqttClient::connected);
    QSignalSpy states(c.get(), &MqttClient::stateChanged);
    c->connectInProcess(*m_broker, InProcessName);
    QCOMPARE(c->state(), MqttClient::State::Connecting); // never connected inside the call
    QTRY_COMPARE(c->state(), MqttClient::State::Connected);
    QCOMPARE(connected.count(), 1);
    QCOMPARE(connected.at(0).at(0).toBool(), false);
    QCOMPARE(c->error(), MqttClient::Error::NoError);
    // The broker logs it as any connection, with the in-process listener and address.
    const std::string clientId = c->clientId().toStdString();
    QTRY_VERIFY2(m_log.contains({"connect", "clientID=\"" + clientId + "\"", "address=\"inproc:",
                                 "listener=\"inproc\""}),
                 m_log.text().c_str());

    c->disconnectFromHost();
    QCOMPARE(c->state(), MqttClient::State::Disconnected);
    QCOMPARE(states.count(), 3); // Connecting, Connected, Disconnected
    QTRY_VERIFY(m_log.contains({"disconnect", clientId, "reason=\"client disconnected\""}));

    // And again with the same object.
    CONNECT(*c);
}

void tst_InProcess::roundTrip_data()
{
    QTest::addColumn<Via>("publisherVia");
    QTest::addColumn<Via>("subscriberVia");
    QTest::addColumn<int>("qos");
    for (int qos = 0; qos <= 2; ++qos) {
        QTest::addRow("inproc-to-inproc-qos%d", qos) << Via::InProcess << Via::InProcess << qos;
        QTest::addRow("tcp-to-inproc-qos%d", qos) << Via::Tcp << Via::InProcess << qos;
        QTest::addRow("inproc-to-tcp-qos%d", qos) << Via::InProcess << Via::Tcp << qos;
    }
}

void tst_InProcess::roundTrip()
{
    QFETCH(Via, publisherVia);
    QFETCH(Via, subscriberVia);
    QFETCH(int, qos);
    auto subscriber = client("sub");
    auto publisher = client("pub");
    CONNECT_VIA(*subscriber, subscriberVia);
    CONNECT_VIA(*publisher, publisherVia);
    const QString topic = name("t");
    SUBSCRIBE(*subscriber, subscription, topic, 2);
    QList<MqttMessage> received;
    connect(subscription, &MqttSubscription::messageReceived,
            [&received](const MqttMessage &m) { received << m; });

    QSignalSpy acknowledged(publisher.get(), &MqttClient::messageAcknowledged);
    const QByteArray payload("binary\0payload\xff", 15);
    const qint32 first = publisher->publish(topic, payload, quint8(qos));
    const qint32 second = publisher->publish(topic, "second", quint8(qos));
    if (qos > 0) {
        QTRY_COMPARE(acknowledged.count(), 2);
        QCOMPARE(acknowledged.at(0).at(0).toInt(), first);
        QCOMPARE(acknowledged.at(1).at(0).toInt(), second);
        QCOMPARE(publisher->inflightCount(), 0);
    }
    QTRY_COMPARE(received.size(), 2);
    QCOMPARE(received.at(0).topic(), topic);
    QCOMPARE(received.at(0).payload(), payload);
    QCOMPARE(int(received.at(0).qos()), qos);
    QVERIFY(!received.at(0).duplicate());
    QCOMPARE(received.at(1).payload(), QByteArray("second"));
}

void tst_InProcess::retainedOnSubscribe()
{
    const QString topic = name("retained");
    auto publisher = client("pub");
    CONNECT(*publisher);
    QSignalSpy acknowledged(publisher.get(), &MqttClient::messageAcknowledged);
    publisher->publish(topic, "kept", 1, true);
    QTRY_COMPARE(acknowledged.count(), 1);

    auto subscriber = client("sub");
    CONNECT(*subscriber);
    MqttSubscription *subscription = subscriber->subscribe(topic, 1);
    QList<MqttMessage> received;
    connect(subscription, &MqttSubscription::messageReceived,
            [&received](const MqttMessage &m) { received << m; });
    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(received.at(0).payload(), QByteArray("kept"));
    QVERIFY(received.at(0).retain());

    publisher->publish(topic, {}, 1, true); // clears it (MQTT-3.3.1-10)
}

void tst_InProcess::willOnAbort()
{
    const QString willTopic = name("will");
    auto watcher = client("watcher");
    CONNECT(*watcher);
    SUBSCRIBE(*watcher, subscription, willTopic, 1);
    QList<MqttMessage> received;
    connect(subscription, &MqttSubscription::messageReceived,
            [&received](const MqttMessage &m) { received << m; });

    auto device = client("device");
    device->setWillTopic(willTopic);
    device->setWillMessage("gone");
    device->setWillQoS(1);
    CONNECT(*device);
    device->abortConnection(QStringLiteral("network down"));
    QCOMPARE(device->errorString(), QStringLiteral("network down"));
    QTRY_COMPARE(payloadsOf(received), QStringList{"gone"});
    QTRY_VERIFY(m_log.contains({"disconnect", device->clientId().toStdString(),
                                "reason=\"connection closed by peer\""}));
}

void tst_InProcess::takeoverClosesTheFirstConnection()
{
    auto first = client("same");
    auto second = client("same");
    CONNECT(*first);
    QSignalSpy firstDisconnected(first.get(), &MqttClient::disconnected);
    CONNECT(*second); // MQTT-3.1.4-2: the server closes the first connection
    QTRY_COMPARE(firstDisconnected.count(), 1);
    QCOMPARE(firstDisconnected.at(0).at(0).toString(),
             QStringLiteral("connection closed by broker"));
    QCOMPARE(first->error(), MqttClient::Error::TransportInvalid);
    QCOMPARE(second->state(), MqttClient::State::Connected);
}

void tst_InProcess::unknownListener()
{
    auto c = client("c");
    QSignalSpy disconnected(c.get(), &MqttClient::disconnected);
    c->connectInProcess(*m_broker, QStringLiteral("nope"));
    QCOMPARE(disconnected.count(), 0); // closed() never comes from inside open()
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("no in-process listener \"nope\""));
    QCOMPARE(c->error(), MqttClient::Error::TransportInvalid);
}

void tst_InProcess::waitsForTheBrokerToStart()
{
    std::string error;
    auto server = std::make_unique<BrokerServer>(BrokerConfig{}, m_log.log(), nullptr);
    QVERIFY2(server->addInProcessListener("early", ListenerInfo::Mode::Open, &error),
             error.c_str());
    // As in a socket's backlog: connections made before start() are accepted by it.
    auto c = client("c");
    c->connectInProcess(*server, QStringLiteral("early"));
    QVERIFY(server->start());
    QTRY_COMPARE(c->state(), MqttClient::State::Connected);
    server->stop();
    QTRY_COMPARE(c->state(), MqttClient::State::Disconnected);

    // A broker destroyed without ever starting tells the clients waiting for it.
    auto never = std::make_unique<BrokerServer>(BrokerConfig{}, m_log.log(), nullptr);
    QVERIFY2(never->addInProcessListener("never", ListenerInfo::Mode::Open, &error),
             error.c_str());
    auto waiting = client("waiting");
    QSignalSpy disconnected(waiting.get(), &MqttClient::disconnected);
    waiting->connectInProcess(*never, QStringLiteral("never"));
    never.reset();
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("broker stopped"));
}

void tst_InProcess::brokerStopClosesClients()
{
    std::string error;
    auto server = std::make_unique<BrokerServer>(BrokerConfig{}, m_log.log(), nullptr);
    QVERIFY2(server->addInProcessListener("local", ListenerInfo::Mode::Open, &error),
             error.c_str());
    QVERIFY(server->start());
    const app::ClientTransportFactory factory =
        app::inProcessTransportFactory(*server, QStringLiteral("local"));

    std::vector<std::unique_ptr<MqttClient>> clients;
    std::vector<std::unique_ptr<QSignalSpy>> spies;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(client(QStringLiteral("c%1").arg(i)));
        spies.push_back(std::make_unique<QSignalSpy>(clients.back().get(),
                                                     &MqttClient::disconnected));
        clients.back()->connectWithTransport(factory);
    }
    for (const auto &c : clients)
        QTRY_COMPARE(c->state(), MqttClient::State::Connected);

    QVERIFY(server->stop());
    for (std::size_t i = 0; i < clients.size(); ++i) {
        QTRY_COMPARE(spies[i]->count(), 1);
        QCOMPARE(spies[i]->at(0).at(0).toString(), QStringLiteral("broker stopped"));
        QCOMPARE(clients[i]->error(), MqttClient::Error::TransportInvalid);
    }

    // The transports the factory makes outlive the server, and are refused.
    server.reset();
    clients[0]->connectWithTransport(factory);
    QTRY_COMPARE(spies[0]->count(), 2);
    QCOMPARE(spies[0]->at(1).at(0).toString(), QStringLiteral("broker stopped"));
}

void tst_InProcess::clientDeletedWhileTheBrokerWrites()
{
    const QString topic = name("flood");
    const QString willTopic = name("will");
    auto watcher = client("watcher");
    CONNECT(*watcher);
    SUBSCRIBE(*watcher, willSubscription, willTopic, 1);
    QList<MqttMessage> wills;
    connect(willSubscription, &MqttSubscription::messageReceived,
            [&wills](const MqttMessage &m) { wills << m; });

    auto subscriber = client("sub");
    subscriber->setWillTopic(willTopic);
    subscriber->setWillMessage("deleted");
    CONNECT(*subscriber);
    SUBSCRIBE(*subscriber, subscription, topic, 1);
    int received = 0;
    connect(subscriber.get(), &MqttClient::messageReceived, [&received] { ++received; });
    const std::string subscriberId = subscriber->clientId().toStdString();

    auto publisher = client("pub");
    CONNECT(*publisher);
    for (int i = 0; i < 2000; ++i)
        publisher->publish(topic, QByteArray(100, 'x'), quint8(i % 2));
    QTRY_VERIFY(received > 0);
    subscriber.reset(); // with most of the flood still on its way

    QTRY_COMPARE(payloadsOf(wills), QStringList{"deleted"});
    QVERIFY(m_log.contains({"disconnect", subscriberId, "reason=\"connection closed by peer\""}));
    // The broker goes on serving the others.
    QSignalSpy acknowledged(publisher.get(), &MqttClient::messageAcknowledged);
    publisher->publish(topic, "after", 1);
    QTRY_COMPARE(acknowledged.count(), 1);
}

void tst_InProcess::transportDeletedInsideItsOwnDelivery()
{
    // Its hub may go with it (when it was the thread's last in-process transport), while that
    // hub is delivering.
    auto *transport = new InProcessClientTransport(m_broker->inProcessListener("inproc"),
                                                   InProcessName);
    QPointer<InProcessClientTransport> alive(transport);
    const std::string clientId = name("raw").replace('/', '-').toStdString();
    connect(transport, &app::ClientTransport::opened,
            [transport, clientId] { transport->write(connectBytes(clientId)); });
    PacketReader reader;
    connect(transport, &app::ClientTransport::bytesReceived,
            [transport, &reader](const QByteArray &bytes) {
                reader.feed(bytes);
                delete transport;
            });
    transport->open();
    QTRY_VERIFY(!alive);
    QVERIFY(reader.count() >= 1);
    QVERIFY(isAcceptedConnack(reader.packets().at(0)));
    QTRY_VERIFY(m_log.contains({"disconnect", clientId, "reason=\"connection closed by peer\""}));

    // And a new transport on this thread works as before.
    auto c = client("after");
    CONNECT(*c);
}

void tst_InProcess::iotCoreModeAsksTheAuthenticator()
{
    std::string error;
    auto server = std::make_unique<BrokerServer>(BrokerConfig{}, m_log.log(), nullptr);
    QVERIFY(!server->addInProcessListener("iot", ListenerInfo::Mode::IotCore, &error));
    QCOMPARE(error, std::string("listener iot: IoT Core mode needs the workspace's catalog"));

    BrokerServer *raw = server.get();
    auto authenticator = std::make_shared<IotAuthenticator>(
        [raw](std::function<void()> task) {
            raw->post([task = std::move(task)](Broker &) { task(); });
        },
        std::make_shared<const Catalog>());
    server->setAuthenticator(authenticator);
    QVERIFY2(server->addInProcessListener("iot", ListenerInfo::Mode::IotCore, &error),
             error.c_str());
    QVERIFY(server->start());

    auto device = client("device");
    device->setUsername(QStringLiteral("are0000000000000000a"));
    device->setPassword(QStringLiteral("Device-Pass-2026!"));
    QSignalSpy disconnected(device.get(), &MqttClient::disconnected);
    device->connectInProcess(*server, QStringLiteral("iot"));
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(device->error(), MqttClient::Error::NotAuthorized); // CONNACK 5
    QVERIFY2(m_log.contains({"refuse", "address=\"inproc:1\"", "returnCode=\"5\"",
                             "unknown username"}),
             m_log.text().c_str());
    server->stop();
}

void tst_InProcess::fiveThousandClientsOnOneThread()
{
    constexpr int Count = 5000;
    const QString topic = name("fleet");
    std::vector<std::unique_ptr<MqttClient>> fleet;
    fleet.reserve(Count);
    int connected = 0;
    int subscribed = 0;
    int received = 0;
    for (int i = 0; i < Count; ++i) {
        auto c = client(QStringLiteral("d%1").arg(i));
        MqttClient *raw = c.get();
        connect(raw, &MqttClient::connected, [raw, &connected, &subscribed, topic] {
            ++connected;
            MqttSubscription *subscription = raw->subscribe(topic, 1);
            QObject::connect(subscription, &MqttSubscription::stateChanged,
                             [&subscribed](MqttSubscription::State state) {
                                 subscribed += state == MqttSubscription::State::Subscribed;
                             });
        });
        connect(raw, &MqttClient::messageReceived, [&received] { ++received; });
        raw->connectInProcess(*m_broker, InProcessName);
        fleet.push_back(std::move(c));
    }
    QTRY_COMPARE_WITH_TIMEOUT(connected, Count, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(subscribed, Count, 60000);

    auto publisher = client("pub");
    CONNECT(*publisher);
    publisher->publish(topic, "to everyone", 1);
    QTRY_COMPARE_WITH_TIMEOUT(received, Count, 60000);
    for (const auto &c : fleet)
        QCOMPARE(c->state(), MqttClient::State::Connected);
}

QTEST_GUILESS_MAIN(tst_InProcess)
#include "tst_inprocess.moc"
