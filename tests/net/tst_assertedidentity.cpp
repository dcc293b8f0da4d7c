// In-process listeners that assert identities (BrokerServer::addInProcessAssertedListener): the
// CONNECT username alone names a device, registry or broker of the catalog, and the client gets
// exactly that entity's IoT Core rights, as after a password. Unknown ids and disabled registries
// are refused; ordinary in-process and TCP IoT Core listeners still want a credential.

#include "NetTestSupport.h"

#include "client/MqttClient.h"
#include "iot/Catalog.h"
#include "iot/IotAuthenticator.h"

#include <QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace iotcore;
using namespace iotcore::test;
using app::MqttClient;
using app::MqttMessage;
using app::MqttSubscription;

namespace {

const QString Asserted = QStringLiteral("console");
const QString Ordinary = QStringLiteral("simulator");

} // namespace

class tst_AssertedIdentity : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void deviceGetsExactlyItsOwnRights();
    void registryPublishesToItsDevices();
    void brokerLivesInItsOwnSpace();
    void unknownIdIsRefused_data();
    void unknownIdIsRefused();
    void disabledRegistryIsRefused();
    void otherListenersStillWantCredentials_data();
    void otherListenersStillWantCredentials();
    void assertingListenerNeedsANewNameAndACatalog();

private:
    std::unique_ptr<MqttClient> connectAs(const QString &username, const QString &listener);
    std::unique_ptr<MqttClient> refusedAs(const QString &username, const QString &listener);

    CapturedLog m_log;
    std::unique_ptr<BrokerServer> m_server;
    std::shared_ptr<IotAuthenticator> m_authenticator;
    quint16 m_tcpPort = 0;
    QString m_home;
    QString m_office;
    QString m_boiler;
    QString m_lamp;
    QString m_printer; // in the disabled registry "office"
    QString m_factory;
};

void tst_AssertedIdentity::initTestCase()
{
    Catalog catalog;
    Registry home;
    home.name = "home";
    m_home = QString::fromStdString(catalog.createRegistry(home)->id);
    Registry office;
    office.name = "office";
    m_office = QString::fromStdString(catalog.createRegistry(office)->id);
    Device boiler;
    boiler.registryId = m_home.toStdString();
    boiler.name = "boiler";
    m_boiler = QString::fromStdString(catalog.createDevice(boiler)->id);
    Device lamp;
    lamp.registryId = m_home.toStdString();
    lamp.name = "lamp";
    m_lamp = QString::fromStdString(catalog.createDevice(lamp)->id);
    Device printer;
    printer.registryId = m_office.toStdString();
    printer.name = "printer";
    m_printer = QString::fromStdString(catalog.createDevice(printer)->id);
    QVERIFY(catalog.setRegistryStatus(m_office.toStdString(), RegistryStatus::Disabled).ok());
    IotBroker factory;
    factory.name = "factory";
    m_factory = QString::fromStdString(catalog.createBroker(factory)->id);

    m_server = std::make_unique<BrokerServer>(BrokerConfig{}, m_log.log(), nullptr);
    BrokerServer *server = m_server.get();
    m_authenticator = std::make_shared<IotAuthenticator>(
        [server](std::function<void()> task) {
            server->post([task = std::move(task)](Broker &) { task(); });
        },
        std::make_shared<const Catalog>(std::move(catalog)));
    m_server->setAuthenticator(m_authenticator);

    std::string error;
    ListenerSpec tcp;
    tcp.name = "mqtt";
    tcp.mode = ListenerInfo::Mode::IotCore;
    QVERIFY2(m_server->addListener(tcp, &error), error.c_str());
    QVERIFY2(m_server->addInProcessAssertedListener(Asserted.toStdString(), &error), error.c_str());
    QVERIFY2(m_server->addInProcessListener(Ordinary.toStdString(), ListenerInfo::Mode::IotCore,
                                            &error),
             error.c_str());
    QVERIFY(m_server->start());
    m_tcpPort = m_server->listeners().at(0).port;
}

void tst_AssertedIdentity::cleanupTestCase()
{
    if (m_server)
        m_server->stop();
}

std::unique_ptr<MqttClient> tst_AssertedIdentity::connectAs(const QString &username,
                                                            const QString &listener)
{
    auto client = std::make_unique<MqttClient>();
    client->setUsername(username);
    client->connectInProcess(*m_server, listener);
    return client;
}

// A client that was refused at CONNECT (or an empty pointer when it was let in).
std::unique_ptr<MqttClient> tst_AssertedIdentity::refusedAs(const QString &username,
                                                            const QString &listener)
{
    auto client = connectAs(username, listener);
    QSignalSpy disconnected(client.get(), &MqttClient::disconnected);
    if (!disconnected.wait(5000))
        return nullptr;
    return client;
}

void tst_AssertedIdentity::deviceGetsExactlyItsOwnRights()
{
    auto registry = connectAs(m_home, Asserted);
    auto boiler = connectAs(m_boiler, Asserted);
    QTRY_COMPARE(registry->state(), MqttClient::State::Connected);
    QTRY_COMPARE(boiler->state(), MqttClient::State::Connected);
    QVERIFY(m_log.contains({"connect", ("identity=\"device " + m_boiler + " (asserted)\"").toStdString()}));

    // Its own commands: granted; another device's: refused with SUBACK 0x80, as after a login.
    MqttSubscription *own = boiler->subscribe("$devices/" + m_boiler + "/commands/#", 1);
    MqttSubscription *other = boiler->subscribe("$devices/" + m_lamp + "/commands", 1);
    QTRY_COMPARE(own->state(), MqttSubscription::State::Subscribed);
    QTRY_COMPARE(other->state(), MqttSubscription::State::Error);

    MqttSubscription *events = registry->subscribe(QStringLiteral("$devices/#"), 1);
    QTRY_COMPARE(events->state(), MqttSubscription::State::Subscribed);
    QSignalSpy commands(own, &MqttSubscription::messageReceived);
    QSignalSpy deviceEvents(events, &MqttSubscription::messageReceived);

    // Its `$me` names resolve to its own id.
    QVERIFY(boiler->publish(QStringLiteral("$me/device/events/t"), "21.5", 1) > 0);
    QTRY_COMPARE(deviceEvents.count(), 1);
    QCOMPARE(deviceEvents.at(0).at(0).value<MqttMessage>().topic(),
             "$devices/" + m_boiler + "/events/t");

    QVERIFY(registry->publish("$devices/" + m_boiler + "/commands/heat", "on", 1) > 0);
    QTRY_COMPARE(commands.count(), 1);

    // Publishing where the device may not closes the connection, as IoT Core does.
    QSignalSpy dropped(boiler.get(), &MqttClient::disconnected);
    boiler->publish("$devices/" + m_lamp + "/events", "not mine", 1);
    QVERIFY(dropped.wait(5000));
}

void tst_AssertedIdentity::registryPublishesToItsDevices()
{
    auto registry = connectAs(m_home, Asserted);
    auto lamp = connectAs(m_lamp, Asserted);
    QTRY_COMPARE(registry->state(), MqttClient::State::Connected);
    QTRY_COMPARE(lamp->state(), MqttClient::State::Connected);
    MqttSubscription *broadcast = lamp->subscribe("$registries/" + m_home + "/commands", 0);
    QTRY_COMPARE(broadcast->state(), MqttSubscription::State::Subscribed);
    QSignalSpy received(broadcast, &MqttSubscription::messageReceived);
    QVERIFY(registry->publish("$registries/" + m_home + "/commands", "all off", 1) > 0);
    QTRY_COMPARE(received.count(), 1);

    // A registry never reads what it sends to devices.
    MqttSubscription *commands = registry->subscribe("$devices/" + m_lamp + "/commands", 0);
    QTRY_COMPARE(commands->state(), MqttSubscription::State::Error);
}

void tst_AssertedIdentity::brokerLivesInItsOwnSpace()
{
    auto one = connectAs(m_factory, Asserted);
    auto two = connectAs(m_factory, Asserted);
    QTRY_COMPARE(one->state(), MqttClient::State::Connected);
    QTRY_COMPARE(two->state(), MqttClient::State::Connected);
    MqttSubscription *line = two->subscribe(QStringLiteral("line/+"), 1);
    QTRY_COMPARE(line->state(), MqttSubscription::State::Subscribed);
    QSignalSpy received(line, &MqttSubscription::messageReceived);
    QVERIFY(one->publish(QStringLiteral("line/1"), "running", 1) > 0);
    QTRY_COMPARE(received.count(), 1);
    QCOMPARE(received.at(0).at(0).value<MqttMessage>().topic(), QStringLiteral("line/1"));
    MqttSubscription *devices = two->subscribe(QStringLiteral("$devices/#"), 0);
    QTRY_COMPARE(devices->state(), MqttSubscription::State::Error);
}

void tst_AssertedIdentity::unknownIdIsRefused_data()
{
    QTest::addColumn<QString>("username");
    QTest::newRow("unknown id") << QStringLiteral("are00000000000000000");
    QTest::newRow("no username") << QString();
}

void tst_AssertedIdentity::unknownIdIsRefused()
{
    QFETCH(QString, username);
    auto client = refusedAs(username, Asserted);
    QVERIFY(client);
    QCOMPARE(client->error(), MqttClient::Error::NotAuthorized);
    QVERIFY2(m_log.contains({"refuse", "returnCode=\"5\"",
                             ("unknown username \\\"" + username + "\\\"").toStdString()}),
             m_log.text().c_str());
}

void tst_AssertedIdentity::disabledRegistryIsRefused()
{
    for (const QString &id : {m_office, m_printer}) {
        auto client = refusedAs(id, Asserted);
        QVERIFY(client);
        QCOMPARE(client->error(), MqttClient::Error::NotAuthorized);
    }
    QVERIFY2(m_log.contains({"refuse", ("registry " + m_office + " is disabled").toStdString()}),
             m_log.text().c_str());
}

void tst_AssertedIdentity::otherListenersStillWantCredentials_data()
{
    QTest::addColumn<bool>("tcp");
    QTest::newRow("tcp") << true;
    QTest::newRow("ordinary in-process") << false;
}

void tst_AssertedIdentity::otherListenersStillWantCredentials()
{
    QFETCH(bool, tcp);
    MqttClient client;
    client.setUsername(m_boiler);
    QSignalSpy disconnected(&client, &MqttClient::disconnected);
    if (tcp) {
        client.setPort(m_tcpPort);
        client.connectToHost();
    } else {
        client.connectInProcess(*m_server, Ordinary);
    }
    QVERIFY(disconnected.wait(5000));
    QCOMPARE(client.error(), MqttClient::Error::NotAuthorized);
    QVERIFY2(m_log.contains({"refuse", "no password and no client certificate"}),
             m_log.text().c_str());
}

void tst_AssertedIdentity::assertingListenerNeedsANewNameAndACatalog()
{
    std::string error;
    QVERIFY(!m_server->addInProcessAssertedListener(Asserted.toStdString(), &error));
    QCOMPARE(error, "listener console: an in-process listener of that name exists");

    // Without a catalog there is nobody to assert.
    BrokerServer bare(BrokerConfig{}, m_log.log(), nullptr);
    QVERIFY(!bare.addInProcessAssertedListener("console", &error));
    QCOMPARE(error, "listener console: IoT Core mode needs the workspace's catalog");
}

QTEST_GUILESS_MAIN(tst_AssertedIdentity)
#include "tst_assertedidentity.moc"
