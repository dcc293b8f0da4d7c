// Fleets run end to end (app/sim/Simulation): against the embedded broker in IoT Core mode over
// the in-process transport, and against Debian's mosquitto over TCP, with a subscriber counting
// every message; command replies round-trip; faults are observed as scheduled; an unreachable
// broker and refused credentials are reported per device while the others keep running.

#include "../net/NetTestSupport.h"

#include "client/InProcessClientTransport.h"
#include "client/MqttClient.h"
#include "sim/FleetProvisioner.h"
#include "sim/Simulation.h"
#include "workspace/CatalogWorkspace.h"
#include "workspace/EmbeddedBroker.h"

#include "iot/PasswordHasher.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest/QTest>

using namespace iotcore;
using namespace iotcore::sim;
using app::MqttClient;
using app::MqttMessage;

namespace {

const QString RegistryPassword = QStringLiteral("Registry-Passw0rd");

Fleet fleetOf(const QString &name, int count, int qos, const char *schedule)
{
    Fleet fleet;
    fleet.name = name;
    fleet.templateName = QStringLiteral("thermostat");
    fleet.count = count;
    fleet.qos = qos;
    fleet.schedule = QJsonDocument::fromJson(schedule).object();
    fleet.identity.kind = Identity::Kind::Device;
    fleet.identity.registry = QStringLiteral("plant");
    return fleet;
}

// Collects what a subscriber receives.
struct Inbox {
    QList<MqttMessage> messages;
    int count(const QString &prefix) const
    {
        return int(std::count_if(messages.begin(), messages.end(),
                                 [&](const MqttMessage &m) { return m.topic().startsWith(prefix); }));
    }
};

quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

} // namespace

class tst_Simulation : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void iotCoreFleetDeliversEveryMessageAtQos1();
    void commandsAndConfigRoundTrip();
    void offlineFaultTakesDevicesDownAndBack();
    void malformedAndOversizedPayloadsReachTheBroker();
    void fleetSlicesShareAFleetWithoutOverlap();
    void anonymousFleetsUseTheOpenListener();
    void refusedCredentialsAreReportedAndOthersRun();
    void unreachableBrokerIsReportedPerDevice();
    void mosquittoReceivesEveryMessage();
    void pausedDevicesStayConnectedAndQuiet();
    void resumeContinuesOnScheduleWithoutABurst();
    void snapshotShowsEveryDeviceWithItsState();
    void requestStopEndsTheRunWithoutWaiting();

private:
    // Provisions `fleets` into a fresh workspace (plus a registry password) and starts the
    // embedded broker on it with an in-process listener.
    void startEmbedded(Scenario &scenario);
    std::unique_ptr<Simulation> simulation(const Scenario &scenario, SimulationOptions options = {});
    std::unique_ptr<MqttClient> registrySubscriber(const QString &filter, Inbox &inbox);

    QTemporaryDir m_dir;
    test::CapturedLog m_log;
    std::unique_ptr<app::CatalogWorkspace> m_workspace;
    std::unique_ptr<app::EmbeddedBroker> m_broker;
    std::string m_registryId;
};

void tst_Simulation::init()
{
    QVERIFY(m_dir.isValid());
}

void tst_Simulation::cleanup()
{
    if (m_broker)
        m_broker->stop();
    m_broker.reset();
    m_workspace.reset();
    QFile::remove(m_dir.filePath(QStringLiteral("w.iotcore")));
}

void tst_Simulation::startEmbedded(Scenario &scenario)
{
    const QString path = m_dir.filePath(QStringLiteral("w.iotcore"));
    QFile::remove(path);
    QString error;
    m_workspace = app::CatalogWorkspace::open(path, true, &error);
    QVERIFY2(m_workspace, qPrintable(error));
    FleetProvisioner provisioner(m_workspace->catalog());
    for (Fleet &fleet : scenario.fleets) {
        FleetProvisioner::Report report;
        QVERIFY2(provisioner.provision(fleet, &report, &error), qPrintable(error));
    }
    m_registryId = m_workspace->catalog().registryByName("plant")->id;
    QVERIFY(m_workspace->catalog().addPassword(m_registryId, broker::PasswordHasher(1000).hash(RegistryPassword.toStdString())));
    QVERIFY2(m_workspace->save(&error), qPrintable(error));

    app::EmbeddedBroker::Options options;
    options.workspacePath = path;
    options.iotCore = true;
    options.rateLimit = broker::IotAuthenticator::RateLimit::Off;
    m_broker = std::make_unique<app::EmbeddedBroker>(options, m_log.log());
    std::string reason;
    QVERIFY2(m_broker->open(&error), qPrintable(error));
    QVERIFY2(m_broker->server().addInProcessListener("sim", broker::ListenerInfo::Mode::IotCore, &reason), reason.c_str());
    QVERIFY2(m_broker->server().addInProcessListener("sim-open", broker::ListenerInfo::Mode::Open, &reason), reason.c_str());
    QVERIFY2(m_broker->start(&error), qPrintable(error));
}

std::unique_ptr<Simulation> tst_Simulation::simulation(const Scenario &scenario, SimulationOptions options)
{
    QString error;
    std::unique_ptr<Simulation> run = Simulation::create(
        scenario, m_workspace->catalog(),
        BrokerTarget::inProcess(app::inProcessTransportFactory(m_broker->server(), QStringLiteral("sim")),
                                app::inProcessTransportFactory(m_broker->server(), QStringLiteral("sim-open")),
                                QStringLiteral("embedded")),
        options, &error);
    if (!run)
        qWarning("%s", qPrintable(error));
    return run;
}

std::unique_ptr<MqttClient> tst_Simulation::registrySubscriber(const QString &filter, Inbox &inbox)
{
    auto client = std::make_unique<MqttClient>();
    client->setClientId(QStringLiteral("console"));
    client->setUsername(QString::fromStdString(m_registryId));
    client->setPassword(RegistryPassword);
    connect(client.get(), &MqttClient::messageReceived, client.get(),
            [&inbox](const MqttMessage &message) { inbox.messages << message; });
    client->connectWithTransport(app::inProcessTransportFactory(m_broker->server(), QStringLiteral("sim")));
    if (!QTest::qWaitFor([&] { return client->state() == MqttClient::State::Connected; }, 10'000))
        return nullptr;
    client->subscribe(filter, 1);
    QTest::qWait(100);
    return client;
}

void tst_Simulation::iotCoreFleetDeliversEveryMessageAtQos1()
{
    Scenario scenario;
    scenario.fleets = {fleetOf(QStringLiteral("t"), 40, 1, R"({"period": "200ms", "jitter": "50ms"})")};
    startEmbedded(scenario);
    Inbox inbox;
    // Events and state (each device reports state on connect): the registry sees both.
    auto subscriber = registrySubscriber(QStringLiteral("$devices/#"), inbox);
    QVERIFY(subscriber);

    auto run = simulation(scenario);
    QVERIFY(run);
    QCOMPARE(run->deviceCount(), 40);
    run->start();
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().connected, quint64(40), 10'000);
    QTest::qWait(1500);
    run->stop();
    const SimulationStats stats = run->stats();
    QVERIFY2(stats.published >= 40 * 5, qPrintable(QString::number(stats.published)));
    // Every QoS 1 message was acknowledged, and the registry received each one.
    QCOMPARE(stats.acknowledged, stats.published);
    QTRY_COMPARE(quint64(inbox.count(QStringLiteral("$devices/"))), stats.published);
    QCOMPARE(stats.disconnects, quint64(0));
    QCOMPARE(stats.refused, quint64(0));
    QCOMPARE(inbox.count(QStringLiteral("$devices/")) - int(std::count_if(inbox.messages.begin(), inbox.messages.end(),
             [](const MqttMessage &m) { return m.topic().endsWith(QLatin1String("/events")); })), 40);
    // The payload is the template's JSON with its sensors.
    const auto event = std::find_if(inbox.messages.begin(), inbox.messages.end(),
                                    [](const MqttMessage &m) { return m.topic().endsWith(QLatin1String("/events")); });
    const QJsonObject first = QJsonDocument::fromJson(event->payload()).object();
    for (const char *field : {"name", "timestamp", "seq", "temperature", "humidity", "setpoint"})
        QVERIFY2(first.contains(QLatin1String(field)), field);
}

void tst_Simulation::commandsAndConfigRoundTrip()
{
    Scenario scenario;
    scenario.fleets = {fleetOf(QStringLiteral("t"), 2, 1, R"({"period": "1h"})")};
    startEmbedded(scenario);
    Inbox inbox;
    auto registry = registrySubscriber(QStringLiteral("$devices/#"), inbox);
    QVERIFY(registry);
    auto run = simulation(scenario);
    QVERIFY(run);
    run->start();
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().connected, quint64(2), 10'000);
    const QString deviceId = QString::fromStdString(
        m_workspace->catalog().deviceByName(m_registryId, "t-1")->id);
    QTRY_VERIFY(inbox.count(QStringLiteral("$devices/%1/state").arg(deviceId)) >= 1); // state on connect

    // "ping" answers on events with the template's reply.
    QTest::qWait(200); // the devices' subscriptions are acknowledged
    registry->publish(QStringLiteral("$devices/%1/commands").arg(deviceId), "ping", 1);
    QTRY_VERIFY(std::any_of(inbox.messages.begin(), inbox.messages.end(), [&](const MqttMessage &m) {
        return m.topic() == QStringLiteral("$devices/%1/events").arg(deviceId)
            && QJsonDocument::fromJson(m.payload()).object().value(QLatin1String("pong")) == QLatin1String("t-1");
    }));

    // "setpoint" with a number sets the sensor and reports state with it.
    registry->publish(QStringLiteral("$devices/%1/commands/setpoint").arg(deviceId), "25.5", 1);
    QTRY_VERIFY(std::any_of(inbox.messages.begin(), inbox.messages.end(), [&](const MqttMessage &m) {
        return m.topic() == QStringLiteral("$devices/%1/state").arg(deviceId)
            && QJsonDocument::fromJson(m.payload()).object().value(QLatin1String("setpoint")).toDouble() == 25.5;
    }));

    // Config with sensor values applies them.
    registry->publish(QStringLiteral("$devices/%1/config").arg(deviceId), R"({"setpoint": 19})", 1);
    QTRY_VERIFY(std::any_of(inbox.messages.begin(), inbox.messages.end(), [&](const MqttMessage &m) {
        return m.topic() == QStringLiteral("$devices/%1/state").arg(deviceId)
            && QJsonDocument::fromJson(m.payload()).object().value(QLatin1String("setpoint")).toDouble() == 19;
    }));
    QVERIFY(run->stats().commands >= 3);
    run->stop();
}

void tst_Simulation::offlineFaultTakesDevicesDownAndBack()
{
    Scenario scenario;
    scenario.fleets = {fleetOf(QStringLiteral("t"), 10, 0, R"({"period": "100ms"})")};
    TimelineEvent offline;
    offline.atMs = 800;
    offline.fleet = QStringLiteral("t");
    offline.share = 0.5;
    offline.fault = TimelineEvent::Fault::Offline;
    offline.durationMs = 1500;
    scenario.timeline = {offline};
    startEmbedded(scenario);
    auto run = simulation(scenario);
    QVERIFY(run);
    run->start();
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().connected, quint64(10), 10'000);
    // Some, not all, go offline at 0.8 s…
    QTRY_VERIFY_WITH_TIMEOUT(run->stats().connected < 10, 5000);
    const quint64 down = 10 - run->stats().connected;
    QVERIFY2(down >= 1 && down <= 9, qPrintable(QString::number(down)));
    QVERIFY(run->stats().faults >= 1);
    // …and come back after 1.5 s. Going offline is not a disconnect the device did not ask for.
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().connected, quint64(10), 10'000);
    QCOMPARE(run->stats().disconnects, quint64(0));
    QCOMPARE(run->stats().connects, quint64(10 + down));
    run->stop();
}

void tst_Simulation::malformedAndOversizedPayloadsReachTheBroker()
{
    Scenario scenario;
    scenario.fleets = {fleetOf(QStringLiteral("t"), 2, 1, R"({"period": "100ms"})")};
    TimelineEvent malformed;
    malformed.fleet = QStringLiteral("t");
    malformed.devices = {QStringLiteral("t-1")};
    malformed.fault = TimelineEvent::Fault::MalformedPayload;
    TimelineEvent oversized;
    oversized.fleet = QStringLiteral("t");
    oversized.devices = {QStringLiteral("t-2")};
    oversized.fault = TimelineEvent::Fault::OversizedPayload;
    oversized.sizeBytes = 100'000;
    scenario.timeline = {malformed, oversized};
    startEmbedded(scenario);
    Inbox inbox;
    auto subscriber = registrySubscriber(QStringLiteral("$devices/+/events"), inbox);
    auto run = simulation(scenario);
    QVERIFY(run);
    run->start();
    QTRY_VERIFY_WITH_TIMEOUT(inbox.messages.size() >= 6, 10'000);
    run->stop();
    const QString t1 = QString::fromStdString(m_workspace->catalog().deviceByName(m_registryId, "t-1")->id);
    for (const MqttMessage &message : std::as_const(inbox.messages)) {
        QJsonParseError error;
        QJsonDocument::fromJson(message.payload(), &error);
        if (message.topic().contains(t1)) {
            QVERIFY(error.error != QJsonParseError::NoError); // broken on purpose
        } else {
            QCOMPARE(error.error, QJsonParseError::NoError); // padded, still JSON
            QVERIFY(message.payload().size() >= 100'000);
        }
    }
}

void tst_Simulation::fleetSlicesShareAFleetWithoutOverlap()
{
    Scenario scenario;
    scenario.fleets = {fleetOf(QStringLiteral("a"), 5, 0, R"({"period": "1h"})"),
                       fleetOf(QStringLiteral("b"), 6, 0, R"({"period": "1h"})")};
    startEmbedded(scenario);
    int total = 0;
    for (int k = 0; k < 3; ++k) {
        SimulationOptions options;
        options.sliceIndex = k;
        options.sliceCount = 3;
        auto run = simulation(scenario, options);
        QVERIFY(run);
        total += run->deviceCount();
        QVERIFY(run->deviceCount() == 3 || run->deviceCount() == 4);
    }
    QCOMPARE(total, 11);
}

void tst_Simulation::anonymousFleetsUseTheOpenListener()
{
    Scenario scenario;
    scenario.fleets = {fleetOf(QStringLiteral("iot"), 2, 1, R"({"period": "200ms"})"),
                       fleetOf(QStringLiteral("open"), 3, 1, R"({"period": "200ms"})")};
    scenario.fleets[1].identity = Identity();
    startEmbedded(scenario);
    auto run = simulation(scenario);
    QVERIFY(run);
    run->start();
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().connected, quint64(5), 10'000);
    QTest::qWait(500);
    run->stop();
    QCOMPARE(run->stats().refused, quint64(0));
    QCOMPARE(run->stats().acknowledged, run->stats().published);
}

void tst_Simulation::refusedCredentialsAreReportedAndOthersRun()
{
    Scenario scenario;
    scenario.fleets = {fleetOf(QStringLiteral("good"), 3, 0, R"({"period": "200ms"})"),
                       fleetOf(QStringLiteral("bad"), 2, 0, R"({"period": "200ms"})")};
    startEmbedded(scenario);
    scenario.fleets[1].identity.secret = QStringLiteral("not-the-provisioned-secret");
    auto run = simulation(scenario);
    QVERIFY(run);
    run->start();
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().refused, quint64(2), 10'000);
    QTRY_COMPARE(run->stats().connected, quint64(3));
    QTest::qWait(500);
    QVERIFY(run->stats().published > 0);
    const QStringList problems = run->takeProblems();
    QVERIFY2(problems.size() == 2, qPrintable(problems.join(u'\n')));
    for (const QString &problem : problems) {
        QVERIFY2(problem.startsWith(QStringLiteral("bad-")), qPrintable(problem));
        QVERIFY2(problem.contains(QStringLiteral("CONNACK")) || problem.contains(QStringLiteral("not authorized")),
                 qPrintable(problem));
    }
    run->stop();
}

void tst_Simulation::unreachableBrokerIsReportedPerDevice()
{
    Scenario scenario;
    Fleet fleet = fleetOf(QStringLiteral("t"), 2, 0, R"({"period": "1s"})");
    fleet.identity = Identity();
    scenario.fleets = {fleet};
    QString error;
    const quint16 port = freePort(); // nothing listens there now
    std::optional<BrokerTarget> target
        = BrokerTarget::fromUrl(QStringLiteral("mqtt://127.0.0.1:%1").arg(port), {}, &error);
    QVERIFY2(target, qPrintable(error));
    broker::Catalog catalog;
    auto run = Simulation::create(scenario, catalog, *target, {}, &error);
    QVERIFY2(run, qPrintable(error));
    run->start();
    QStringList problems;
    QTRY_VERIFY_WITH_TIMEOUT((problems << run->takeProblems()).size() >= 2, 10'000);
    QVERIFY2(problems.first().startsWith(QStringLiteral("t-")), qPrintable(problems.first()));
    QVERIFY2(problems.first().contains(QStringLiteral("refused"), Qt::CaseInsensitive), qPrintable(problems.first()));
    QCOMPARE(run->stats().connected, quint64(0));
    run->stop();
}

void tst_Simulation::mosquittoReceivesEveryMessage()
{
    const QString mosquitto = QStandardPaths::findExecutable(QStringLiteral("mosquitto"), {QStringLiteral("/usr/sbin")});
    if (mosquitto.isEmpty())
        QSKIP("Debian's mosquitto is not installed (apt-get install mosquitto)");
    const quint16 port = freePort();
    const QString config = m_dir.filePath(QStringLiteral("mosquitto.conf"));
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QStringLiteral("listener %1 127.0.0.1\nallow_anonymous true\n").arg(port).toUtf8());
    file.close();
    QProcess broker;
    broker.start(mosquitto, {QStringLiteral("-c"), config});
    QVERIFY(broker.waitForStarted());
    auto stopBroker = qScopeGuard([&] { broker.terminate(); broker.waitForFinished(); });

    MqttClient subscriber;
    subscriber.setHostname(QStringLiteral("127.0.0.1"));
    subscriber.setPort(port);
    Inbox inbox;
    connect(&subscriber, &MqttClient::messageReceived, this, [&](const MqttMessage &m) { inbox.messages << m; });
    // mosquitto may still be opening its port: the client tries again until it is in.
    subscriber.setAutoReconnect(true);
    subscriber.setReconnectMinDelay(100);
    subscriber.connectToHost();
    QTRY_COMPARE_WITH_TIMEOUT(subscriber.state(), MqttClient::State::Connected, 10'000);
    subscriber.subscribe(QStringLiteral("devices/#"), 1); // events, and state on connect
    QTest::qWait(200);

    Scenario scenario;
    scenario.fleets = {fleetOf(QStringLiteral("m"), 30, 1, R"({"period": "200ms"})")};
    scenario.fleets[0].identity = Identity(); // anonymous: mosquitto's default listener
    QString error;
    std::optional<BrokerTarget> target = BrokerTarget::fromUrl(QStringLiteral("mqtt://127.0.0.1:%1").arg(port), {}, &error);
    QVERIFY2(target, qPrintable(error));
    broker::Catalog catalog;
    auto run = Simulation::create(scenario, catalog, *target, {}, &error);
    QVERIFY2(run, qPrintable(error));
    run->start();
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().connected, quint64(30), 10'000);
    QTest::qWait(1500);
    run->stop();
    const SimulationStats stats = run->stats();
    QVERIFY(stats.published >= 30 * 5);
    QCOMPARE(stats.acknowledged, stats.published);
    QTRY_COMPARE(quint64(inbox.count(QStringLiteral("devices/m-"))), stats.published);
}

void tst_Simulation::pausedDevicesStayConnectedAndQuiet()
{
    Scenario scenario;
    Fleet fleet = fleetOf(QStringLiteral("t"), 10, 1, R"({"period": "100ms"})");
    fleet.behaviours.stateOnConnect = false; // so that every message counted is an event
    scenario.fleets = {fleet};
    TimelineEvent offline;
    offline.atMs = 500;
    offline.fleet = QStringLiteral("t");
    offline.fault = TimelineEvent::Fault::Offline;
    scenario.timeline = {offline};
    startEmbedded(scenario);
    auto run = simulation(scenario);
    QVERIFY(run);
    QSignalSpy pausedChanged(run.get(), &Simulation::pausedChanged);
    QElapsedTimer wallClock;
    wallClock.start();
    run->start();
    run->pause();
    QVERIFY(run->isPaused());
    QCOMPARE(pausedChanged.size(), 1);
    QCOMPARE(pausedChanged.at(0).at(0).toBool(), true);

    // Paused from the start: the devices connect, then say nothing, and the timeline waits.
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().connected, quint64(10), 10'000);
    const qint64 pausedAt = run->elapsedMs();
    QTest::qWait(1500); // fifteen periods, and past the fault's time had the run gone on
    QCOMPARE(run->stats().published, quint64(0));
    QCOMPARE(run->stats().faults, quint64(0));
    QCOMPARE(run->stats().connected, quint64(10));
    QCOMPARE(run->stats().disconnects, quint64(0));
    QCOMPARE(run->elapsedMs(), pausedAt);

    run->resume();
    QVERIFY(!run->isPaused());
    QCOMPARE(pausedChanged.size(), 2);
    QCOMPARE(pausedChanged.at(1).at(0).toBool(), false);
    QTRY_VERIFY_WITH_TIMEOUT(run->stats().published > 0, 5000);
    // The fault comes 0.5 s of scenario time after the start: the pause did not count.
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().faults, quint64(10), 5000);
    QVERIFY(run->elapsedMs() >= offline.atMs);
    QVERIFY2(run->elapsedMs() <= wallClock.elapsed() - 1500,
             qPrintable(QStringLiteral("%1 of %2").arg(run->elapsedMs()).arg(wallClock.elapsed())));
    run->stop();
}

void tst_Simulation::resumeContinuesOnScheduleWithoutABurst()
{
    constexpr int Devices = 10;
    constexpr qint64 PeriodMs = 100;
    Scenario scenario;
    Fleet fleet = fleetOf(QStringLiteral("t"), Devices, 0, R"({"period": "100ms"})");
    fleet.behaviours.stateOnConnect = false;
    scenario.fleets = {fleet};
    startEmbedded(scenario);
    auto run = simulation(scenario);
    QVERIFY(run);
    run->start();
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().connected, quint64(Devices), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(run->stats().published >= 2 * Devices, 5000);

    run->pause();
    // A snapshot is answered after every shard has paused its devices (the requests queue up).
    int answers = 0;
    connect(run.get(), &Simulation::snapshotReady, this, [&answers] { ++answers; });
    QVERIFY(run->requestSnapshot());
    QTRY_COMPARE(answers, 1);
    const quint64 before = run->stats().published;
    QTest::qWait(2000); // twenty periods: 200 messages that a device catching up would send
    QCOMPARE(run->stats().published, before);
    QCOMPARE(run->stats().connected, quint64(Devices));

    QElapsedTimer sinceResume;
    sinceResume.start();
    run->resume();
    QTRY_VERIFY_WITH_TIMEOUT(run->stats().published > before, 5000);
    QTest::qWait(500);
    const qint64 elapsed = sinceResume.elapsed();
    const quint64 sent = run->stats().published - before;
    // On schedule from the resume: about one message per device and period, and some at least.
    const quint64 onSchedule = quint64(Devices * (elapsed / PeriodMs + 2));
    QVERIFY2(sent <= onSchedule, qPrintable(QStringLiteral("%1 messages in %2 ms").arg(sent).arg(elapsed)));
    QVERIFY2(sent >= quint64(2 * Devices), qPrintable(QStringLiteral("%1 messages in %2 ms").arg(sent).arg(elapsed)));
    run->stop();
}

void tst_Simulation::snapshotShowsEveryDeviceWithItsState()
{
    Scenario scenario;
    Fleet meters = fleetOf(QStringLiteral("m"), 2, 1, R"({"period": "100ms"})");
    meters.templateName = QStringLiteral("energy-meter");
    scenario.fleets = {fleetOf(QStringLiteral("t"), 3, 1, R"({"period": "100ms"})"), meters};
    startEmbedded(scenario);
    SimulationOptions options;
    options.threads = 2; // the answer is gathered from both shards
    auto run = simulation(scenario, options);
    QVERIFY(run);
    QVERIFY(!run->requestSnapshot()); // nothing runs yet

    std::vector<DeviceSnapshot> devices;
    int answers = 0;
    connect(run.get(), &Simulation::snapshotReady, this, [&](const std::vector<DeviceSnapshot> &snapshot) {
        devices = snapshot;
        ++answers;
    });
    run->start();
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().connected, quint64(5), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(run->stats().published >= 20, 5000);
    TimelineEvent offline;
    offline.fleet = QStringLiteral("t");
    offline.devices = {QStringLiteral("t-2")};
    offline.fault = TimelineEvent::Fault::Offline;
    run->injectFault(offline);
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().connected, quint64(4), 5000);

    QVERIFY(run->requestSnapshot());
    QVERIFY(run->requestSnapshot()); // served by the answer already on its way
    QTRY_COMPARE(answers, 1);
    QTest::qWait(100);
    QCOMPARE(answers, 1);

    const QStringList order{QStringLiteral("t-1"), QStringLiteral("t-2"), QStringLiteral("t-3"),
                            QStringLiteral("m-1"), QStringLiteral("m-2")};
    QCOMPARE(int(devices.size()), order.size());
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const DeviceSnapshot &device = devices[i];
        QCOMPARE(device.name, order.at(int(i)));
        QCOMPARE(device.fleet, device.name.left(1));
        QCOMPARE(device.index, device.name.mid(2).toInt() - 1);
        QCOMPARE(device.id.toStdString(), m_workspace->catalog().deviceByName(m_registryId, device.name.toStdString())->id);
        const bool down = device.name == QLatin1String("t-2");
        QCOMPARE(device.connected, !down);
        QCOMPARE(device.faults, down ? std::vector{TimelineEvent::Fault::Offline} : std::vector<TimelineEvent::Fault>{});
        if (!down)
            QVERIFY(device.sent > 0);
        QVERIFY(device.sensors);
        QCOMPARE(int(device.values.size()), device.sensors->size());
    }
    // The values are the device's last sample, named by its fleet's sensors.
    const DeviceSnapshot &meter = devices[3];
    const int voltage = meter.sensors->indexOf(u"voltage");
    QVERIFY(voltage >= 0);
    QVERIFY(std::abs(std::get<double>(meter.values[std::size_t(voltage)]) - 230) < 15);
    QVERIFY(devices[0].sensors->indexOf(u"temperature") >= 0);

    run->stop();
    QVERIFY(!run->requestSnapshot());
}

void tst_Simulation::requestStopEndsTheRunWithoutWaiting()
{
    Scenario scenario;
    scenario.fleets = {fleetOf(QStringLiteral("t"), 6, 1, R"({"period": "100ms"})")};
    startEmbedded(scenario);
    SimulationOptions options;
    options.threads = 2;
    auto run = simulation(scenario, options);
    QVERIFY(run);
    QSignalSpy stopped(run.get(), &Simulation::stopped);
    QSignalSpy finished(run.get(), &Simulation::finished);
    run->start();
    QTRY_COMPARE_WITH_TIMEOUT(run->stats().connected, quint64(6), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(run->stats().published >= 12, 5000);

    run->requestStop();
    // Returns before the devices are gone; the run takes no more requests meanwhile.
    QVERIFY(run->isRunning());
    QVERIFY(run->isStopping());
    QVERIFY(!run->requestSnapshot());
    const qint64 elapsedAtStop = run->elapsedMs();
    QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, 10'000);
    QVERIFY(!run->isRunning());
    QVERIFY(!run->isStopping());
    QCOMPARE(finished.size(), 0); // stopped by hand, not by the scenario's end
    QCOMPARE(run->elapsedMs(), elapsedAtStop);
    // Every device said goodbye after its QoS 1 messages were acknowledged.
    const SimulationStats stats = run->stats();
    QCOMPARE(stats.connected, quint64(6));
    QCOMPARE(stats.acknowledged, stats.published);
    QCOMPARE(stats.disconnects, quint64(0));
}

QTEST_GUILESS_MAIN(tst_Simulation)
#include "tst_simulation.moc"
