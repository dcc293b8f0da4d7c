// MqttClient against our broker in-process and against Debian's mosquitto started here: the same
// data-driven cases against both (connect, QoS 0/1/2 both ways, retained, will, persistent
// sessions, unsubscribe, keep-alive, reconnection, CONNACK refusals), plus what only one of them
// offers (WebSocket and TLS on ours, password refusal on mosquitto) and a scripted server for what
// no real broker does on request (malformed packets, withheld acknowledgements, resent QoS 2).

#include "../net/NetTestSupport.h"

#include "client/ClientTlsFiles.h"
#include "client/MqttClient.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest/QTest>

#include <memory>

using namespace iotcore;
using namespace iotcore::test;
using app::MqttClient;
using app::MqttMessage;
using app::MqttSubscription;

namespace {

const QString MosquittoBinary = QStringLiteral("/usr/sbin/mosquitto");

quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

bool acceptsConnections(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(200);
}

// Waits as QTRY_ does, for helpers that are not test functions.
bool waitFor(const std::function<bool()> &condition, int timeoutMs = 5000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QTest::qWait(20);
    }
    return true;
}

// Debian's mosquitto on a port of its own, with a configuration written here.
class Mosquitto
{
public:
    ~Mosquitto() { stop(); }

    bool start(quint16 port, const QStringList &extraLines = {},
               bool allowAnonymous = true)
    {
        m_port = port;
        QFile config(m_dir.filePath(QStringLiteral("mosquitto.conf")));
        if (!config.open(QIODevice::WriteOnly))
            return false;
        config.write(QStringLiteral("listener %1 127.0.0.1\nallow_anonymous %2\n"
                                    "persistence false\nlog_dest stderr\n%3\n")
                         .arg(port)
                         .arg(allowAnonymous ? "true" : "false", extraLines.join('\n'))
                         .toUtf8());
        config.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(MosquittoBinary, {QStringLiteral("-c"), config.fileName()});
        if (!m_process.waitForStarted(5000))
            return false;
        return waitFor([port] { return acceptsConnections(port); });
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }

    quint16 port() const { return m_port; }
    QByteArray output() { return m_process.readAll(); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

// A server that says what a test tells it to, to reach the client's error paths.
class ScriptedServer : public QObject
{
public:
    ScriptedServer()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                auto reader = std::make_shared<PacketReader>();
                QObject::connect(socket, &QIODevice::readyRead, this,
                                 [socket, reader] { reader->feed(socket->readAll()); });
                m_connections.push_back({socket, reader});
            }
        });
    }

    quint16 port() const { return m_server.serverPort(); }
    std::size_t connectionCount() const { return m_connections.size(); }
    QTcpSocket &socket(std::size_t i) { return *m_connections.at(i).socket; }
    PacketReader &received(std::size_t i) { return *m_connections.at(i).reader; }
    void send(std::size_t i, const Packet &packet) { socket(i).write(bytesOf(packet)); }

private:
    struct Connection {
        QTcpSocket *socket;
        std::shared_ptr<PacketReader> reader;
    };
    QTcpServer m_server;
    std::vector<Connection> m_connections;
};

// Messages a signal delivered, kept for QTRY_ checks.
struct Inbox {
    QList<MqttMessage> messages;
    QStringList payloads() const
    {
        QStringList out;
        for (const MqttMessage &m : messages)
            out << QString::fromUtf8(m.payload());
        return out;
    }
};

void collect(MqttClient &client, Inbox &inbox)
{
    QObject::connect(&client, &MqttClient::messageReceived,
                     [&inbox](const MqttMessage &m) { inbox.messages << m; });
}

void collect(MqttSubscription *subscription, Inbox &inbox)
{
    QObject::connect(subscription, &MqttSubscription::messageReceived,
                     [&inbox](const MqttMessage &m) { inbox.messages << m; });
}

QList<qint32> ids(const QSignalSpy &spy)
{
    QList<qint32> out;
    for (const QList<QVariant> &args : spy)
        out << args.at(0).toInt();
    return out;
}

} // namespace

class tst_MqttClient : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void connectAndDisconnect_data() { addBrokers(); }
    void connectAndDisconnect();
    void roundTrip_data();
    void roundTrip();
    void retainedOnSubscribe_data() { addBrokers(); }
    void retainedOnSubscribe();
    void willOnAbnormalDisconnect_data() { addBrokers(); }
    void willOnAbnormalDisconnect();
    void persistentSessionQueuesWhileOffline_data() { addBrokers(); }
    void persistentSessionQueuesWhileOffline();
    void reconnectResubscribesOnlyWithoutSession_data();
    void reconnectResubscribesOnlyWithoutSession();
    void subscriptionState_data() { addBrokers(); }
    void subscriptionState();
    void unsubscribeStopsDelivery_data() { addBrokers(); }
    void unsubscribeStopsDelivery();
    void keepAlivePing_data() { addBrokers(); }
    void keepAlivePing();
    void autoReconnectAfterBrokerRestart_data() { addBrokers(); }
    void autoReconnectAfterBrokerRestart();
    void refusedIdentifier_data() { addBrokers(); }
    void refusedIdentifier();

    void mosquittoRefusesAnonymous();
    void webSocket();
    void tls_data();
    void tls();
    void tlsWithWrongCa();
    void loadTlsFilesErrors();
    void connectionRefused();
    void malformedPacketFromServer_data();
    void malformedPacketFromServer();
    void qos2ReceiverDeliversOnce();
    void persistentInflightResentWithDup();
    void noPingResponseDisconnects();

private:
    void addBrokers();
    quint16 brokerPort(); // the row's broker; skips the row when it is missing
    std::unique_ptr<MqttClient> client(quint16 port, const QString &id, bool clean = true);
    QString name(const QString &what) const;

    CapturedLog m_log;
    TestCertificates m_certificates;
    std::unique_ptr<BrokerServer> m_broker;
    quint16 m_ourPort = 0;
    quint16 m_ourWsPort = 0;
    quint16 m_ourTlsPort = 0;
    Mosquitto m_mosquitto;
    bool m_haveMosquitto = false;
};

// Fails the calling test function when the client does not connect.
#define CONNECT(client)                                                                           \
    do {                                                                                          \
        (client).connectToHost();                                                                 \
        QTRY_COMPARE((client).state(), MqttClient::State::Connected);                             \
    } while (false)

#define SUBSCRIBE(client, subscription, filter, qos)                                              \
    MqttSubscription *subscription = (client).subscribe((filter), (qos));                         \
    QVERIFY(subscription);                                                                        \
    QTRY_COMPARE(subscription->state(), MqttSubscription::State::Subscribed)

void tst_MqttClient::initTestCase()
{
    std::string error;
    QVERIFY2(m_certificates.create(&error), error.c_str());

    m_broker = std::make_unique<BrokerServer>(BrokerConfig{}, m_log.log(), nullptr);
    ListenerSpec mqtt;
    mqtt.name = "open-mqtt";
    ListenerSpec ws;
    ws.name = "open-ws";
    ws.protocol = ListenerSpec::Protocol::WebSocket;
    ListenerSpec tls = m_certificates.tlsListener();
    QVERIFY2(m_broker->addListener(mqtt, &error), error.c_str());
    QVERIFY2(m_broker->addListener(ws, &error), error.c_str());
    QVERIFY2(m_broker->addListener(tls, &error), error.c_str());
    QVERIFY(m_broker->start());
    m_ourPort = m_broker->listeners().at(0).port;
    m_ourWsPort = m_broker->listeners().at(1).port;
    m_ourTlsPort = m_broker->listeners().at(2).port;

    m_haveMosquitto = QFile::exists(MosquittoBinary);
    if (m_haveMosquitto)
        QVERIFY2(m_mosquitto.start(freePort()), m_mosquitto.output().constData());
    else
        qWarning("%s is missing: the mosquitto rows are skipped", qPrintable(MosquittoBinary));
}

void tst_MqttClient::cleanupTestCase()
{
    if (m_broker)
        m_broker->stop();
    m_mosquitto.stop();
}

void tst_MqttClient::addBrokers()
{
    QTest::addColumn<QString>("broker");
    QTest::newRow("ours") << "ours";
    QTest::newRow("mosquitto") << "mosquitto";
}

quint16 tst_MqttClient::brokerPort()
{
    QFETCH(QString, broker);
    if (broker == QLatin1String("mosquitto"))
        return m_haveMosquitto ? m_mosquitto.port() : 0;
    return m_ourPort;
}

#define BROKER_PORT(port)                                                                         \
    const quint16 port = brokerPort();                                                            \
    if (port == 0)                                                                                \
        QSKIP("/usr/sbin/mosquitto is not installed (apt install mosquitto)")

std::unique_ptr<MqttClient> tst_MqttClient::client(quint16 port, const QString &id, bool clean)
{
    auto client = std::make_unique<MqttClient>();
    client->setHostname(QStringLiteral("127.0.0.1"));
    client->setPort(port);
    client->setClientId(name(id).replace('/', '-'));
    client->setCleanSession(clean);
    return client;
}

// Unique per test function and row, so cases never see each other's messages or sessions.
QString tst_MqttClient::name(const QString &what) const
{
    return QStringLiteral("%1/%2/%3")
        .arg(QString::fromLatin1(QTest::currentTestFunction()),
             QString::fromLatin1(QTest::currentDataTag()), what);
}

// --- the same cases against both brokers --------------------------------------------------------

void tst_MqttClient::connectAndDisconnect()
{
    BROKER_PORT(port);
    auto c = client(port, "c");
    QSignalSpy connected(c.get(), &MqttClient::connected);
    QSignalSpy disconnected(c.get(), &MqttClient::disconnected);
    QSignalSpy states(c.get(), &MqttClient::stateChanged);
    CONNECT(*c);
    QCOMPARE(connected.count(), 1);
    QCOMPARE(connected.at(0).at(0).toBool(), false);
    QCOMPARE(c->error(), MqttClient::Error::NoError);

    c->disconnectFromHost();
    QCOMPARE(c->state(), MqttClient::State::Disconnected);
    QCOMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("disconnected by the client"));
    QCOMPARE(c->error(), MqttClient::Error::NoError);
    QCOMPARE(states.count(), 3); // Connecting, Connected, Disconnected

    // And again with the same object.
    CONNECT(*c);
}

void tst_MqttClient::roundTrip_data()
{
    QTest::addColumn<QString>("broker");
    QTest::addColumn<int>("qos");
    for (const QString &broker : {QStringLiteral("ours"), QStringLiteral("mosquitto")}) {
        for (int qos = 0; qos <= 2; ++qos)
            QTest::newRow(qPrintable(QStringLiteral("%1-qos%2").arg(broker).arg(qos)))
                << broker << qos;
    }
}

void tst_MqttClient::roundTrip()
{
    BROKER_PORT(port);
    QFETCH(int, qos);
    auto subscriber = client(port, "sub");
    auto publisher = client(port, "pub");
    CONNECT(*subscriber);
    CONNECT(*publisher);
    const QString topic = name("t");
    SUBSCRIBE(*subscriber, subscription, topic, 2);
    QCOMPARE(subscription->qos(), quint8(2));
    Inbox fromClient, fromSubscription;
    collect(*subscriber, fromClient);
    collect(subscription, fromSubscription);

    QSignalSpy sent(publisher.get(), &MqttClient::messageSent);
    QSignalSpy acknowledged(publisher.get(), &MqttClient::messageAcknowledged);
    const QByteArray payload("binary\0payload\xff", 15);
    const qint32 first = publisher->publish(topic, payload, quint8(qos));
    const qint32 second = publisher->publish(topic, "second", quint8(qos));
    if (qos == 0) {
        QCOMPARE(first, 0);
        QCOMPARE(second, 0);
    } else {
        QVERIFY(first > 0);
        QVERIFY(second > 0 && second != first);
        QTRY_COMPARE(ids(acknowledged), (QList<qint32>{first, second}));
        QCOMPARE(publisher->inflightCount(), 0);
    }
    QCOMPARE(ids(sent), (QList<qint32>{first, second}));

    QTRY_COMPARE(fromSubscription.messages.size(), 2);
    QCOMPARE(fromClient.messages, fromSubscription.messages);
    const MqttMessage &m = fromSubscription.messages.at(0);
    QCOMPARE(m.topic(), topic);
    QCOMPARE(m.payload(), payload);
    QCOMPARE(int(m.qos()), qos);
    QVERIFY(!m.retain());
    QVERIFY(!m.duplicate());
    QCOMPARE(fromSubscription.messages.at(1).payload(), QByteArray("second"));
    QCOMPARE(acknowledged.count(), qos == 0 ? 0 : 2);
}

void tst_MqttClient::retainedOnSubscribe()
{
    BROKER_PORT(port);
    const QString topic = name("retained");
    auto publisher = client(port, "pub");
    CONNECT(*publisher);
    QSignalSpy acknowledged(publisher.get(), &MqttClient::messageAcknowledged);
    const qint32 id = publisher->publish(topic, "kept", 1, true);
    QTRY_COMPARE(ids(acknowledged), QList<qint32>{id});

    auto subscriber = client(port, "sub");
    CONNECT(*subscriber);
    MqttSubscription *subscription = subscriber->subscribe(topic, 1);
    Inbox inbox;
    collect(subscription, inbox);
    QTRY_COMPARE(inbox.messages.size(), 1);
    QCOMPARE(inbox.messages.at(0).payload(), QByteArray("kept"));
    QVERIFY(inbox.messages.at(0).retain());
    QCOMPARE(subscription->state(), MqttSubscription::State::Subscribed);

    publisher->publish(topic, {}, 1, true); // clears it (MQTT-3.3.1-10)
}

void tst_MqttClient::willOnAbnormalDisconnect()
{
    BROKER_PORT(port);
    const QString willTopic = name("will");
    auto watcher = client(port, "watcher");
    CONNECT(*watcher);
    SUBSCRIBE(*watcher, subscription, willTopic, 1);
    Inbox inbox;
    collect(subscription, inbox);

    auto device = client(port, "device");
    device->setWillTopic(willTopic);
    device->setWillMessage("gone");
    device->setWillQoS(1);
    CONNECT(*device);
    QSignalSpy disconnected(device.get(), &MqttClient::disconnected);
    device->abortConnection(QStringLiteral("network down"));
    QCOMPARE(device->state(), MqttClient::State::Disconnected);
    QCOMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("network down"));

    QTRY_COMPARE(inbox.payloads(), QStringList{"gone"});
    QCOMPARE(inbox.messages.at(0).qos(), quint8(1));

    // A graceful disconnect discards the will (MQTT-3.14.4-3).
    auto polite = client(port, "polite");
    polite->setWillTopic(willTopic);
    polite->setWillMessage("must not arrive");
    CONNECT(*polite);
    polite->disconnectFromHost();
    auto marker = client(port, "marker");
    CONNECT(*marker);
    marker->publish(willTopic, "marker", 1);
    QTRY_COMPARE(inbox.payloads(), (QStringList{"gone", "marker"}));
}

void tst_MqttClient::persistentSessionQueuesWhileOffline()
{
    BROKER_PORT(port);
    const QString topic = name("queued");
    auto device = client(port, "device", false);
    QSignalSpy connected(device.get(), &MqttClient::connected);
    CONNECT(*device);
    QCOMPARE(connected.at(0).at(0).toBool(), false);
    SUBSCRIBE(*device, subscription, topic, 1);
    Inbox inbox;
    collect(subscription, inbox);
    device->disconnectFromHost();

    auto publisher = client(port, "pub");
    CONNECT(*publisher);
    QSignalSpy acknowledged(publisher.get(), &MqttClient::messageAcknowledged);
    for (const char *payload : {"one", "two", "three"})
        publisher->publish(topic, payload, 1);
    QTRY_COMPARE(acknowledged.count(), 3);

    QSignalSpy subscriptionStates(subscription, &MqttSubscription::stateChanged);
    QSignalSpy restored(device.get(), &MqttClient::brokerSessionRestored);
    CONNECT(*device);
    QCOMPARE(connected.count(), 2);
    QCOMPARE(connected.at(1).at(0).toBool(), true);
    QVERIFY(device->sessionPresent());
    QCOMPARE(restored.count(), 1);
    QTRY_COMPARE(inbox.payloads(), (QStringList{"one", "two", "three"}));
    // The server kept the subscription: no SUBSCRIBE again, so no trip through Pending.
    QCOMPARE(subscriptionStates.count(), 0);
    QCOMPARE(subscription->state(), MqttSubscription::State::Subscribed);
}

void tst_MqttClient::reconnectResubscribesOnlyWithoutSession_data()
{
    QTest::addColumn<QString>("broker");
    QTest::addColumn<bool>("clean");
    for (const QString &broker : {QStringLiteral("ours"), QStringLiteral("mosquitto")}) {
        QTest::newRow(qPrintable(broker + "-clean")) << broker << true;
        QTest::newRow(qPrintable(broker + "-persistent")) << broker << false;
    }
}

void tst_MqttClient::reconnectResubscribesOnlyWithoutSession()
{
    BROKER_PORT(port);
    QFETCH(bool, clean);
    const QString topic = name("t");
    auto device = client(port, "device", clean);
    device->setAutoReconnect(true);
    device->setReconnectMinDelay(50);
    device->setReconnectMaxDelay(200);
    CONNECT(*device);
    SUBSCRIBE(*device, subscription, topic, 1);
    Inbox inbox;
    collect(subscription, inbox);

    QSignalSpy connected(device.get(), &MqttClient::connected);
    QSignalSpy scheduled(device.get(), &MqttClient::reconnectScheduled);
    QSignalSpy subscriptionStates(subscription, &MqttSubscription::stateChanged);
    device->abortConnection();
    QCOMPARE(scheduled.count(), 1);
    QCOMPARE(scheduled.at(0).at(0).toInt(), 50);
    QTRY_COMPARE(connected.count(), 1);
    QCOMPARE(connected.at(0).at(0).toBool(), !clean);
    QTRY_COMPARE(subscription->state(), MqttSubscription::State::Subscribed);
    if (clean) {
        QCOMPARE(subscriptionStates.count(), 2); // Pending on losing the session, Subscribed
        QCOMPARE(subscriptionStates.at(0).at(0).value<MqttSubscription::State>(),
                 MqttSubscription::State::SubscriptionPending);
    } else {
        QCOMPARE(subscriptionStates.count(), 0); // no SUBSCRIBE sent again
    }

    auto publisher = client(port, "pub");
    CONNECT(*publisher);
    publisher->publish(topic, "after", 1);
    QTRY_COMPARE(inbox.payloads(), QStringList{"after"});
}

void tst_MqttClient::subscriptionState()
{
    BROKER_PORT(port);
    auto c = client(port, "c");
    // Before connecting: pending, sent on connecting.
    MqttSubscription *early = c->subscribe(name("early"), 1);
    QVERIFY(early);
    QCOMPARE(early->state(), MqttSubscription::State::SubscriptionPending);
    QCOMPARE(c->publish(name("t"), "offline"), -1);
    CONNECT(*c);
    QTRY_COMPARE(early->state(), MqttSubscription::State::Subscribed);
    QCOMPARE(early->qos(), quint8(1));

    MqttSubscription *wild = c->subscribe(name("+/wild/#"), 2);
    QVERIFY(wild);
    QCOMPARE(wild->state(), MqttSubscription::State::SubscriptionPending);
    QSignalSpy states(wild, &MqttSubscription::stateChanged);
    QTRY_COMPARE(states.count(), 1);
    QCOMPARE(states.at(0).at(0).value<MqttSubscription::State>(),
             MqttSubscription::State::Subscribed);
    QCOMPARE(wild->qos(), quint8(2));

    QCOMPARE(c->subscribe(name("early"), 1), early); // the same object
    QCOMPARE(c->subscriptions().size(), 2);
    QVERIFY(!c->subscribe(QStringLiteral("a/#/b")));
    QVERIFY(!c->subscribe(QStringLiteral("a"), 3));
    QCOMPARE(c->publish(QStringLiteral("a/+"), "x"), -1);
    QCOMPARE(c->publish(QStringLiteral("a"), "x", 3), -1);
    QCOMPARE(c->state(), MqttClient::State::Connected);
}

void tst_MqttClient::unsubscribeStopsDelivery()
{
    BROKER_PORT(port);
    const QString topic = name("t");
    const QString markerTopic = name("marker");
    auto subscriber = client(port, "sub");
    CONNECT(*subscriber);
    SUBSCRIBE(*subscriber, subscription, topic, 1);
    SUBSCRIBE(*subscriber, marker, markerTopic, 1);
    Inbox inbox;
    collect(*subscriber, inbox);
    auto publisher = client(port, "pub");
    CONNECT(*publisher);
    publisher->publish(topic, "before", 1);
    QTRY_COMPARE(inbox.payloads(), QStringList{"before"});

    subscription->unsubscribe();
    QCOMPARE(subscription->state(), MqttSubscription::State::UnsubscriptionPending);
    QTRY_COMPARE(subscription->state(), MqttSubscription::State::Unsubscribed);
    QCOMPARE(subscriber->subscriptions(), QList<MqttSubscription *>{marker});
    publisher->publish(topic, "after", 1);
    publisher->publish(markerTopic, "marker", 1); // from one publisher, in order
    QTRY_COMPARE(inbox.payloads(), (QStringList{"before", "marker"}));
}

void tst_MqttClient::keepAlivePing()
{
    BROKER_PORT(port);
    auto c = client(port, "c");
    c->setKeepAlive(1);
    QSignalSpy pings(c.get(), &MqttClient::pingResponseReceived);
    CONNECT(*c);
    QTRY_VERIFY_WITH_TIMEOUT(pings.count() >= 2, 5000);
    QCOMPARE(c->state(), MqttClient::State::Connected);
    QVERIFY(c->requestPing());
    QTRY_VERIFY(pings.count() >= 3);
}

void tst_MqttClient::autoReconnectAfterBrokerRestart()
{
    QFETCH(QString, broker);
    const bool mosquitto = broker == QLatin1String("mosquitto");
    if (mosquitto && !m_haveMosquitto)
        QSKIP("/usr/sbin/mosquitto is not installed (apt install mosquitto)");

    // A broker of this test's own, stopped and started again on the same port.
    Mosquitto ownMosquitto;
    std::unique_ptr<BrokerServer> ownBroker;
    quint16 port = 0;
    const auto startBroker = [&]() -> bool {
        if (mosquitto)
            return ownMosquitto.start(port ? port : freePort());
        ownBroker = std::make_unique<BrokerServer>(BrokerConfig{}, m_log.log(), nullptr);
        ListenerSpec spec;
        spec.name = "open-mqtt";
        spec.port = port;
        std::string error;
        return ownBroker->addListener(spec, &error) && ownBroker->start();
    };
    QVERIFY(startBroker());
    port = mosquitto ? ownMosquitto.port() : ownBroker->listeners().at(0).port;

    auto device = client(port, "device");
    device->setAutoReconnect(true);
    device->setReconnectMinDelay(100);
    device->setReconnectMaxDelay(400);
    CONNECT(*device);
    const QString topic = name("t");
    SUBSCRIBE(*device, subscription, topic, 1);
    Inbox inbox;
    collect(subscription, inbox);

    QSignalSpy scheduled(device.get(), &MqttClient::reconnectScheduled);
    if (mosquitto) {
        ownMosquitto.stop();
    } else {
        ownBroker->stop();
        ownBroker.reset(); // closes its listening socket
    }
    QTRY_COMPARE(device->state(), MqttClient::State::Disconnected);
    QCOMPARE(device->error(), MqttClient::Error::TransportInvalid);
    QVERIFY(!device->errorString().isEmpty());
    // Attempts fail while the broker is down, with the delay doubling up to the maximum.
    QTRY_VERIFY(scheduled.count() >= 4);
    QCOMPARE(scheduled.at(0).at(0).toInt(), 100);
    QCOMPARE(scheduled.at(1).at(0).toInt(), 200);
    QCOMPARE(scheduled.at(2).at(0).toInt(), 400);
    QCOMPARE(scheduled.at(3).at(0).toInt(), 400);

    QVERIFY(startBroker());
    QTRY_COMPARE_WITH_TIMEOUT(device->state(), MqttClient::State::Connected, 10000);
    QTRY_COMPARE(subscription->state(), MqttSubscription::State::Subscribed); // a new session
    auto publisher = client(port, "pub");
    CONNECT(*publisher);
    publisher->publish(topic, "back", 1);
    QTRY_COMPARE(inbox.payloads(), QStringList{"back"});
    device->disconnectFromHost();
    if (ownBroker)
        ownBroker->stop();
}

void tst_MqttClient::refusedIdentifier()
{
    BROKER_PORT(port);
    // An empty client id needs a clean session (MQTT-3.1.3-8): CONNACK 2.
    auto c = client(port, "unused", false);
    c->setClientId(QString());
    c->setAutoReconnect(true); // a refusal is not retried
    QSignalSpy disconnected(c.get(), &MqttClient::disconnected);
    QSignalSpy scheduled(c.get(), &MqttClient::reconnectScheduled);
    c->connectToHost();
    QTRY_COMPARE(c->state(), MqttClient::State::Disconnected);
    QCOMPARE(c->error(), MqttClient::Error::IdRejected);
    QVERIFY2(c->errorString().contains(QLatin1String("CONNACK 2")), qPrintable(c->errorString()));
    QCOMPARE(disconnected.count(), 1);
    QCOMPARE(scheduled.count(), 0);

    // With a clean session the server assigns one.
    c->setCleanSession(true);
    CONNECT(*c);
}

// --- one broker only ----------------------------------------------------------------------------

void tst_MqttClient::mosquittoRefusesAnonymous()
{
    if (!m_haveMosquitto)
        QSKIP("/usr/sbin/mosquitto is not installed (apt install mosquitto)");
    Mosquitto closed;
    QVERIFY(closed.start(freePort(), {}, false));
    auto c = client(closed.port(), "anonymous");
    c->connectToHost();
    QTRY_COMPARE(c->state(), MqttClient::State::Disconnected);
    QCOMPARE(c->error(), MqttClient::Error::NotAuthorized);
    QVERIFY2(c->errorString().startsWith(QLatin1String("connection refused: "))
                 && c->errorString().contains(QLatin1String("CONNACK 5")),
             qPrintable(c->errorString()));
}

void tst_MqttClient::webSocket()
{
    auto overWs = client(m_ourWsPort, "ws");
    QSignalSpy connected(overWs.get(), &MqttClient::connected);
    overWs->connectToHostWebSocket();
    QTRY_COMPARE(overWs->state(), MqttClient::State::Connected);
    SUBSCRIBE(*overWs, subscription, name("t"), 2);
    Inbox inbox;
    collect(subscription, inbox);

    auto overTcp = client(m_ourPort, "tcp");
    CONNECT(*overTcp);
    overTcp->publish(name("t"), QByteArray(100000, 'x'), 2); // spans many frames
    QTRY_COMPARE(inbox.messages.size(), 1);
    QCOMPARE(inbox.messages.at(0).payload(), QByteArray(100000, 'x'));

    QSignalSpy acknowledged(overWs.get(), &MqttClient::messageAcknowledged);
    const qint32 id = overWs->publish(name("t"), "over ws", 1);
    QTRY_COMPARE(ids(acknowledged), QList<qint32>{id});
    QTRY_COMPARE(inbox.messages.size(), 2);

    // Nothing listens on this path's port: an error, not a hang.
    auto nowhere = client(freePort(), "nowhere");
    nowhere->connectToHostWebSocket();
    QTRY_COMPARE(nowhere->state(), MqttClient::State::Disconnected);
    QCOMPARE(nowhere->error(), MqttClient::Error::TransportInvalid);
}

void tst_MqttClient::tls_data()
{
    QTest::addColumn<bool>("clientCertificate");
    QTest::newRow("ca-only") << false;
    QTest::newRow("client-certificate") << true;
}

void tst_MqttClient::tls()
{
    QFETCH(bool, clientCertificate);
    QString certificateFile, keyFile;
    if (clientCertificate) {
        std::string error;
        const auto issued = m_certificates.ca().issueClientCertificate("device-1", &error);
        QVERIFY2(issued, error.c_str());
        QVERIFY(m_certificates.write("client.pem", issued->certificatePem, &error));
        QVERIFY(m_certificates.write("client-key.pem", issued->privateKeyPem, &error));
        certificateFile = QString::fromStdString(m_certificates.file("client.pem"));
        keyFile = QString::fromStdString(m_certificates.file("client-key.pem"));
    }
    QString error;
    const auto configuration = app::loadClientTlsConfiguration(
        QString::fromStdString(m_certificates.file("ca.pem")), certificateFile, keyFile, &error);
    QVERIFY2(configuration, qPrintable(error));
    QCOMPARE(configuration->localCertificate().isNull(), !clientCertificate);

    auto c = client(m_ourTlsPort, "tls");
    c->connectToHostEncrypted(*configuration);
    QTRY_COMPARE(c->state(), MqttClient::State::Connected);
    SUBSCRIBE(*c, subscription, name("t"), 1);
    Inbox inbox;
    collect(subscription, inbox);
    QSignalSpy acknowledged(c.get(), &MqttClient::messageAcknowledged);
    const qint32 id = c->publish(name("t"), "secret", 1);
    QTRY_COMPARE(ids(acknowledged), QList<qint32>{id});
    QTRY_COMPARE(inbox.payloads(), QStringList{"secret"});
}

void tst_MqttClient::tlsWithWrongCa()
{
    // The system's CAs do not know our local CA: the handshake fails, as an error.
    auto c = client(m_ourTlsPort, "tls");
    c->connectToHostEncrypted(QSslConfiguration::defaultConfiguration());
    QTRY_COMPARE(c->state(), MqttClient::State::Disconnected);
    QCOMPARE(c->error(), MqttClient::Error::TransportInvalid);
    QVERIFY(!c->errorString().isEmpty());
}

void tst_MqttClient::loadTlsFilesErrors()
{
    QString error;
    const QString missing = QStringLiteral("/nonexistent/ca.pem");
    QVERIFY(!app::loadClientTlsConfiguration(missing, {}, {}, &error));
    QVERIFY2(error.contains(QLatin1String("/nonexistent/ca.pem")), qPrintable(error));
    const QString ca = QString::fromStdString(m_certificates.file("ca.pem"));
    QVERIFY(!app::loadClientTlsConfiguration(ca, ca, {}, &error));
    QVERIFY(!app::loadClientTlsConfiguration(ca, ca, ca, &error)); // a certificate is no key
    QVERIFY2(error.contains(QLatin1String("private key")), qPrintable(error));
}

void tst_MqttClient::connectionRefused()
{
    auto c = client(freePort(), "nobody-listens");
    QSignalSpy errors(c.get(), &MqttClient::errorChanged);
    QSignalSpy disconnected(c.get(), &MqttClient::disconnected);
    c->connectToHost();
    QCOMPARE(c->state(), MqttClient::State::Connecting);
    QTRY_COMPARE(c->state(), MqttClient::State::Disconnected);
    QCOMPARE(c->error(), MqttClient::Error::TransportInvalid);
    QCOMPARE(errors.count(), 1);
    QCOMPARE(disconnected.count(), 1);
    QVERIFY2(c->errorString().contains(QLatin1String("refused"), Qt::CaseInsensitive),
             qPrintable(c->errorString()));
}

// --- a scripted server for what real brokers do not do on request -------------------------------

void tst_MqttClient::malformedPacketFromServer_data()
{
    QTest::addColumn<QByteArray>("reply");
    QTest::addColumn<QString>("reasonPart");
    QTest::newRow("garbage") << QByteArray("\xff\xff\xff\xff\xff", 5) << "malformed";
    QTest::newRow("reserved-flags") << QByteArray("\x21\x02\x00\x00", 4) << "malformed";
    QTest::newRow("publish-before-connack")
        << bytesOf(PublishPacket{"t", "x", 0, false, false, 0}) << "before CONNACK";
    QTest::newRow("server-sends-subscribe")
        << bytesOf(ConnackPacket{}) + bytesOf(SubscribePacket{1, {{"t", 0}}})
        << "only clients send";
    QTest::newRow("session-present-to-clean")
        << bytesOf(ConnackPacket{true, ConnectReturnCode::Accepted}) << "MQTT-3.2.2-1";
}

void tst_MqttClient::malformedPacketFromServer()
{
    QFETCH(QByteArray, reply);
    QFETCH(QString, reasonPart);
    ScriptedServer server;
    auto c = client(server.port(), "c");
    c->connectToHost();
    QTRY_VERIFY(server.connectionCount() == 1 && server.received(0).first<ConnectPacket>());
    server.socket(0).write(reply);
    QTRY_COMPARE(c->state(), MqttClient::State::Disconnected);
    QCOMPARE(c->error(), MqttClient::Error::ProtocolViolation);
    QVERIFY2(c->errorString().contains(reasonPart), qPrintable(c->errorString()));
}

void tst_MqttClient::qos2ReceiverDeliversOnce()
{
    ScriptedServer server;
    auto c = client(server.port(), "c");
    Inbox inbox;
    collect(*c, inbox);
    c->connectToHost();
    QTRY_COMPARE(server.connectionCount(), std::size_t(1));
    QTRY_VERIFY(server.received(0).first<ConnectPacket>());
    server.send(0, ConnackPacket{});
    QTRY_COMPARE(c->state(), MqttClient::State::Connected);

    server.send(0, PublishPacket{"t", "exactly once", 2, false, false, 7});
    server.send(0, PublishPacket{"t", "exactly once", 2, false, true, 7}); // resent, DUP
    QTRY_COMPARE(server.received(0).count(), std::size_t(3));
    QCOMPARE(*server.received(0).at<AckPacket>(1), (AckPacket{PacketType::Pubrec, 7}));
    QCOMPARE(*server.received(0).at<AckPacket>(2), (AckPacket{PacketType::Pubrec, 7}));
    server.send(0, AckPacket{PacketType::Pubrel, 7});
    QTRY_COMPARE(server.received(0).count(), std::size_t(4));
    QCOMPARE(*server.received(0).at<AckPacket>(3), (AckPacket{PacketType::Pubcomp, 7}));
    QCOMPARE(inbox.payloads(), QStringList{"exactly once"});

    // After PUBREL the id is free: the same id is a new message.
    server.send(0, PublishPacket{"t", "next", 2, false, false, 7});
    QTRY_COMPARE(inbox.payloads(), (QStringList{"exactly once", "next"}));
}

void tst_MqttClient::persistentInflightResentWithDup()
{
    ScriptedServer server;
    auto c = client(server.port(), "c", false);
    c->setAutoReconnect(true);
    c->setReconnectMinDelay(20);
    c->connectToHost();
    QTRY_VERIFY(server.connectionCount() == 1 && server.received(0).first<ConnectPacket>());
    QCOMPARE(server.received(0).first<ConnectPacket>()->cleanSession, false);
    server.send(0, ConnackPacket{});
    QTRY_COMPARE(c->state(), MqttClient::State::Connected);

    QSignalSpy retried(c.get(), &MqttClient::messageRetried);
    QSignalSpy acknowledged(c.get(), &MqttClient::messageAcknowledged);
    const qint32 q1 = c->publish(QStringLiteral("t"), "one", 1);
    const qint32 q2 = c->publish(QStringLiteral("t"), "two", 2);
    QTRY_COMPARE(server.received(0).count(), std::size_t(3));
    server.send(0, AckPacket{PacketType::Pubrec, quint16(q2)}); // q2 reaches PUBREL
    QTRY_COMPARE(server.received(0).count(), std::size_t(4));
    QCOMPARE(*server.received(0).at<AckPacket>(3), (AckPacket{PacketType::Pubrel, quint16(q2)}));
    server.socket(0).abort(); // the network fails before PUBACK and PUBCOMP

    QTRY_VERIFY(server.connectionCount() == 2 && server.received(1).first<ConnectPacket>());
    server.send(1, ConnackPacket{true, ConnectReturnCode::Accepted});
    QTRY_COMPARE(server.received(1).count(), std::size_t(3));
    const PublishPacket *again = server.received(1).at<PublishPacket>(1);
    QVERIFY(again);
    QCOMPARE(again->packetId, quint16(q1));
    QVERIFY(again->dup);
    QCOMPARE(again->payload, std::string("one"));
    QCOMPARE(*server.received(1).at<AckPacket>(2), (AckPacket{PacketType::Pubrel, quint16(q2)}));
    QCOMPARE(ids(retried), (QList<qint32>{q1, q2}));
    QCOMPARE(c->inflightCount(), 2);

    server.send(1, AckPacket{PacketType::Puback, quint16(q1)});
    server.send(1, AckPacket{PacketType::Pubcomp, quint16(q2)});
    QTRY_COMPARE(ids(acknowledged), (QList<qint32>{q1, q2}));
    QCOMPARE(c->inflightCount(), 0);
}

void tst_MqttClient::noPingResponseDisconnects()
{
    ScriptedServer server; // answers CONNACK, never PINGREQ
    auto c = client(server.port(), "c");
    c->setKeepAlive(1);
    c->connectToHost();
    QTRY_VERIFY(server.connectionCount() == 1 && server.received(0).first<ConnectPacket>());
    server.send(0, ConnackPacket{});
    QTRY_COMPARE(c->state(), MqttClient::State::Connected);
    QTRY_VERIFY(server.received(0).first<EmptyPacket>()); // PINGREQ after a second idle
    QTRY_COMPARE(c->state(), MqttClient::State::Disconnected);
    QCOMPARE(c->error(), MqttClient::Error::Timeout);
    QVERIFY2(c->errorString().contains(QLatin1String("PINGRESP")), qPrintable(c->errorString()));
}

QTEST_GUILESS_MAIN(tst_MqttClient)
#include "tst_mqttclient.moc"
