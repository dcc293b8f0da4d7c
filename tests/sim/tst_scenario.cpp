// The scenario document (app/sim/Scenario), its storage in the workspace (ScenarioStore), the
// provisioning of fleets' identities (FleetProvisioner) and durations as scenarios write them.

#include "iot/CatalogRules.h"
#include "iot/PasswordHasher.h"
#include "sim/Duration.h"
#include "sim/FleetProvisioner.h"
#include "sim/Scenario.h"
#include "sim/ScenarioStore.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace iotcore::sim;
using namespace iotcore::broker;

namespace {

QJsonObject parse(const char *json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(json), &error);
    if (!document.isObject())
        qFatal("test JSON does not parse: %s", qPrintable(error.errorString()));
    return document.object();
}

QString refusal(const char *json)
{
    QString error;
    const std::optional<Scenario> scenario = Scenario::fromJson(parse(json), &error);
    return scenario ? QStringLiteral("(accepted)") : error;
}

Scenario fullScenario()
{
    Scenario scenario;
    scenario.seed = 18'446'744'073'709'551'615ULL; // above 2^53: survives JSON as a string
    scenario.durationMs = 600'000;
    Fleet thermostats;
    thermostats.name = QStringLiteral("thermostats");
    thermostats.templateName = QStringLiteral("thermostat");
    thermostats.count = 3;
    thermostats.deviceName = QStringLiteral("t-{i}");
    thermostats.identity.kind = Identity::Kind::Device;
    thermostats.identity.registry = QStringLiteral("home");
    thermostats.identity.secret = QStringLiteral("s3cr3t");
    thermostats.qos = 1;
    thermostats.schedule = parse(R"({"period": "10s", "jitter": "1s"})");
    thermostats.stateTopic = QStringLiteral("$devices/{id}/state/thermostat");
    CommandRule reboot;
    reboot.match = QStringLiteral("reboot");
    reboot.action = CommandRule::Action::Reboot;
    reboot.downtimeMs = 2500;
    CommandRule set;
    set.match = QStringLiteral("setpoint");
    set.action = CommandRule::Action::Set;
    set.sensor = QStringLiteral("setpoint");
    thermostats.behaviours.commands = {reboot, set};
    thermostats.behaviours.applyConfig = false;
    Fleet doors;
    doors.name = QStringLiteral("doors");
    doors.count = 2;
    doors.sensors = QJsonArray{parse(R"({"name": "open", "type": "boolean"})")};
    doors.identity.username = QStringLiteral("user");
    doors.identity.password = QStringLiteral("pass");
    scenario.fleets = {thermostats, doors};
    TimelineEvent offline;
    offline.atMs = 60'000;
    offline.fleet = QStringLiteral("thermostats");
    offline.share = 0.5;
    offline.fault = TimelineEvent::Fault::Offline;
    offline.durationMs = 30'000;
    TimelineEvent skew;
    skew.atMs = 90'000;
    skew.fleet = QStringLiteral("doors");
    skew.devices = {QStringLiteral("doors-2")};
    skew.fault = TimelineEvent::Fault::ClockSkew;
    skew.offsetMs = -7'200'000;
    scenario.timeline = {offline, skew};
    return scenario;
}

} // namespace

class TestScenario : public QObject
{
    Q_OBJECT

private slots:
    void durationsParseEveryForm_data()
    {
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("seconds as a number") << QJsonValue(10) << qint64(10'000);
        QTest::newRow("fraction of a second") << QJsonValue(0.25) << qint64(250);
        QTest::newRow("milliseconds") << QJsonValue(QStringLiteral("500ms")) << qint64(500);
        QTest::newRow("seconds") << QJsonValue(QStringLiteral("10s")) << qint64(10'000);
        QTest::newRow("minutes") << QJsonValue(QStringLiteral("5m")) << qint64(300'000);
        QTest::newRow("hours with a fraction") << QJsonValue(QStringLiteral("1.5h")) << qint64(5'400'000);
        QTest::newRow("days") << QJsonValue(QStringLiteral("1d")) << qint64(86'400'000);
        QTest::newRow("seconds in a string") << QJsonValue(QStringLiteral("3")) << qint64(3000);
        QTest::newRow("zero") << QJsonValue(0) << qint64(0);
    }

    void durationsParseEveryForm()
    {
        QFETCH(QJsonValue, value);
        QFETCH(qint64, ms);
        QCOMPARE(parseDurationMs(value), std::optional<std::int64_t>(ms));
    }

    void durationsRefuseWhatIsNotOne()
    {
        for (const QJsonValue &value : {QJsonValue(-1), QJsonValue(QStringLiteral("10 parsecs")),
                                        QJsonValue(QStringLiteral("-5s")), QJsonValue(true),
                                        QJsonValue(QStringLiteral("")), QJsonValue(1e300)}) {
            QString error;
            QVERIFY2(!parseDurationMs(value, &error), qPrintable(value.toVariant().toString()));
            QVERIFY(!error.isEmpty());
        }
    }

    void durationsFormatInTheirShortestExactForm()
    {
        QCOMPARE(formatDurationMs(500), QStringLiteral("500ms"));
        QCOMPARE(formatDurationMs(10'000), QStringLiteral("10s"));
        QCOMPARE(formatDurationMs(300'000), QStringLiteral("5m"));
        QCOMPARE(formatDurationMs(1500), QStringLiteral("1500ms"));
        QCOMPARE(formatDurationMs(7'200'000), QStringLiteral("2h"));
        QCOMPARE(formatDurationMs(0), QStringLiteral("0ms"));
    }

    void scenarioSurvivesJsonRoundTrip()
    {
        const Scenario scenario = fullScenario();
        const QByteArray json = QJsonDocument(scenario.toJson()).toJson();
        QString error;
        const std::optional<Scenario> back = Scenario::fromJson(QJsonDocument::fromJson(json).object(), &error);
        QVERIFY2(back, qPrintable(error));
        QVERIFY(*back == scenario);
        // Written once more, the same bytes: exports diff cleanly under version control.
        QCOMPARE(QJsonDocument(back->toJson()).toJson(), json);
    }

    void minimalScenarioTakesDefaults()
    {
        QString error;
        const std::optional<Scenario> scenario = Scenario::fromJson(
            parse(R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 2, "template": "thermostat"}]})"),
            &error);
        QVERIFY2(scenario, qPrintable(error));
        const Fleet &fleet = scenario->fleets.at(0);
        QCOMPARE(fleet.deviceNameAt(0), QStringLiteral("f-1"));
        QCOMPARE(fleet.deviceNameAt(1), QStringLiteral("f-2"));
        QCOMPARE(fleet.identity.kind, Identity::Kind::Anonymous);
        QCOMPARE(fleet.qos, 0);
        QVERIFY(fleet.behaviours.stateOnConnect);
        QCOMPARE(scenario->durationMs, 0);
        QCOMPARE(scenario->seed, std::uint64_t(1));
    }

    void badScenariosAreRefusedWithTheFieldNamed_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not a scenario") << R"({"fleets": []})" << "kind must be \"iotcore-studio/scenario\"";
        QTest::newRow("newer version") << R"({"kind": "iotcore-studio/scenario", "version": 9})"
                                       << "version is 9; this version of iotcore-studio reads up to 1";
        QTest::newRow("misspelt field")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 1, "perod": 5}]})"
            << "fleet \"f\": unknown field \"perod\"";
        QTest::newRow("count missing") << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f"}]})"
                                       << "fleet \"f\": count is needed";
        QTest::newRow("count zero") << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 0}]})"
                                    << "fleet \"f\": count must be between 1 and 1000000";
        QTest::newRow("qos 2") << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 1, "qos": 2}]})"
                               << "fleet \"f\": qos must be between 0 and 1";
        QTest::newRow("device identity without registry")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 1, "identity": {"kind": "device"}}]})"
            << "fleet \"f\" identity: registry is needed for device identities";
        QTest::newRow("unknown identity kind")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 1, "identity": {"kind": "robot"}}]})"
            << "fleet \"f\" identity: kind must be one of device, broker, anonymous";
        QTest::newRow("two fleets, one name")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 1}, {"name": "f", "count": 1}]})"
            << "fleet \"f\" is defined twice";
        QTest::newRow("device names collide across fleets")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "a", "count": 2, "deviceName": "d-{i}"}, {"name": "b", "count": 2, "deviceName": "d-{i}"}]})"
            << "fleet \"b\": device name \"d-1\" is used by another fleet";
        QTest::newRow("pattern without {i}")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 2, "deviceName": "same"}]})"
            << "fleet \"f\": deviceName \"same\" must contain {i} so that its 2 devices get different names";
        QTest::newRow("device name breaks IoT Core's rules")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 1, "deviceName": "has space {i}"}]})"
            << "fleet \"f\": device name";
        QTest::newRow("fault of an unknown fleet")
            << R"({"kind": "iotcore-studio/scenario", "timeline": [{"fleet": "ghost", "fault": "offline", "duration": 5}]})"
            << "timeline entry 1: no fleet named \"ghost\"";
        QTest::newRow("unknown fault")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 1}], "timeline": [{"fleet": "f", "fault": "meteor"}]})"
            << "timeline entry 1: fault must be one of offline, reconnect-storm";
        QTest::newRow("offline without duration")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 1}], "timeline": [{"fleet": "f", "fault": "offline"}]})"
            << "timeline entry 1: duration must be positive for an offline fault";
        QTest::newRow("share above 1")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 1}], "timeline": [{"fleet": "f", "fault": "malformed-payload", "share": 2}]})"
            << "timeline entry 1: share must be between 0 and 1";
        QTest::newRow("fault of a device the fleet does not have")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 2}], "timeline": [{"fleet": "f", "fault": "malformed-payload", "devices": ["f-3"]}]})"
            << "timeline entry 1: fleet \"f\" has no device \"f-3\"";
        QTest::newRow("fault after the end")
            << R"({"kind": "iotcore-studio/scenario", "duration": "1m", "fleets": [{"name": "f", "count": 1}], "timeline": [{"at": "2m", "fleet": "f", "fault": "malformed-payload"}]})"
            << "timeline entry 1: at 2m is after the end of the run (1m)";
        QTest::newRow("bad duration")
            << R"({"kind": "iotcore-studio/scenario", "duration": "soon"})"
            << "scenario: duration is wrong: \"soon\" is not a duration";
        QTest::newRow("command rule without match")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 1, "behaviours": {"commands": [{"action": "reboot"}]}}]})"
            << "fleet \"f\" command rule 1: match is needed";
        QTest::newRow("set without sensor")
            << R"({"kind": "iotcore-studio/scenario", "fleets": [{"name": "f", "count": 1, "behaviours": {"commands": [{"match": "x", "action": "set"}]}}]})"
            << "fleet \"f\" command rule 1: sensor is needed by the set action";
    }

    void badScenariosAreRefusedWithTheFieldNamed()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        const QString error = refusal(json.toUtf8().constData());
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void devicePasswordsAreStableAndPassTheRules()
    {
        const QString first = devicePassword(QStringLiteral("secret"), QStringLiteral("t-1"));
        QCOMPARE(first.size(), 24);
        QCOMPARE(devicePassword(QStringLiteral("secret"), QStringLiteral("t-1")), first);
        QVERIFY(devicePassword(QStringLiteral("secret"), QStringLiteral("t-2")) != first);
        QVERIFY(devicePassword(QStringLiteral("other"), QStringLiteral("t-1")) != first);
        for (int i = 0; i < 200; ++i) {
            const QString password = devicePassword(QStringLiteral("k"), QString::number(i));
            QVERIFY(rules::checkPasswordStrength(password.toStdString()).empty());
        }
        QVERIFY(newFleetSecret() != newFleetSecret());
    }

    void provisioningCreatesTheRegistryAndDevicesWithWorkingPasswords()
    {
        Catalog catalog;
        Fleet fleet = fullScenario().fleets.front();
        fleet.identity.secret.clear();
        FleetProvisioner::Report report;
        QString error;
        QVERIFY2(FleetProvisioner(catalog).provision(fleet, &report, &error), qPrintable(error));
        QVERIFY(!fleet.identity.secret.isEmpty());
        QCOMPARE(report.created, 3);
        QCOMPARE(report.notes.size(), 1);
        const Registry *registry = catalog.registryByName("home");
        QVERIFY(registry);
        QCOMPARE(catalog.deviceCount(registry->id), std::size_t(3));
        for (int i = 0; i < fleet.count; ++i) {
            const Device *device = catalog.deviceByName(registry->id, fleet.deviceNameAt(i).toStdString());
            QVERIFY(device);
            QCOMPARE(device->passwords.size(), std::size_t(1));
            const std::string password = devicePassword(fleet.identity.secret, fleet.deviceNameAt(i)).toStdString();
            QCOMPARE(PasswordHasher::verify(password, device->passwords.front().hash),
                     PasswordHasher::Verdict::Match);
        }

        // Again: nothing to do.
        FleetProvisioner::Report again;
        QVERIFY(FleetProvisioner(catalog).provision(fleet, &again, &error));
        QCOMPARE(again.created, 0);
        QCOMPARE(again.credentialed, 0);
        QCOMPARE(again.unchanged, 3);

        // A device that existed before keeps its id and gains the fleet's password.
        const std::string keptId = catalog.deviceByName(registry->id, "t-2")->id;
        fleet.identity.secret = QStringLiteral("rotated");
        FleetProvisioner::Report rotated;
        QVERIFY(FleetProvisioner(catalog).provision(fleet, &rotated, &error));
        QCOMPARE(rotated.credentialed, 3);
        QCOMPARE(catalog.deviceByName(registry->id, "t-2")->id, keptId);
        QCOMPARE(catalog.deviceByName(registry->id, "t-2")->passwords.size(), std::size_t(2));

        QCOMPARE(FleetProvisioner(catalog).deprovision(fleet), 3);
        QCOMPARE(catalog.deviceCount(registry->id), std::size_t(0));
        QVERIFY(catalog.registryByName("home")); // the registry stays
    }

    void brokerFleetsShareOnePassword()
    {
        Catalog catalog;
        Fleet fleet;
        fleet.name = QStringLiteral("clients");
        fleet.count = 10;
        fleet.identity.kind = Identity::Kind::Broker;
        fleet.identity.broker = QStringLiteral("plant");
        FleetProvisioner::Report report;
        QString error;
        QVERIFY2(FleetProvisioner(catalog).provision(fleet, &report, &error), qPrintable(error));
        const IotBroker *broker = catalog.brokerByName("plant");
        QVERIFY(broker);
        QCOMPARE(broker->passwords.size(), std::size_t(1));
        const std::string password = devicePassword(fleet.identity.secret, fleet.identity.broker).toStdString();
        QCOMPARE(PasswordHasher::verify(password, broker->passwords.front().hash), PasswordHasher::Verdict::Match);
    }

    void provisioningRefusesWhatTheCatalogRefuses()
    {
        Catalog catalog;
        Fleet fleet;
        fleet.name = QStringLiteral("f");
        fleet.count = 1;
        fleet.identity.kind = Identity::Kind::Device;
        fleet.identity.registry = QStringLiteral("not a valid name!");
        FleetProvisioner::Report report;
        QString error;
        QVERIFY(!FleetProvisioner(catalog).provision(fleet, &report, &error));
        QVERIFY2(error.startsWith(QStringLiteral("fleet \"f\": ")), qPrintable(error));
        QVERIFY(catalog.registries().empty());
    }

    void storeKeepsTheScenarioInTheWorkspace()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("w.iotcore"));
        QString error;
        {
            auto store = ScenarioStore::open(path, true, &error);
            QVERIFY2(store, qPrintable(error));
            const std::optional<Scenario> empty = store->load(&error);
            QVERIFY2(empty, qPrintable(error));
            QVERIFY(empty->fleets.empty());
            QVERIFY2(store->save(fullScenario(), &error), qPrintable(error));
        }
        auto store = ScenarioStore::open(path, false, &error);
        QVERIFY2(store, qPrintable(error));
        const std::optional<Scenario> loaded = store->load(&error);
        QVERIFY2(loaded, qPrintable(error));
        QVERIFY(*loaded == fullScenario());
    }

    void damagedStoredScenarioIsReportedNotGuessed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("w.iotcore"));
        QString error;
        auto store = ScenarioStore::open(path, true, &error);
        QVERIFY(store);
        QVERIFY(store->save(fullScenario(), &error));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("edit"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("UPDATE sim_scenario SET document = '{\"kind\": 5'")));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("edit"));
        QVERIFY(!store->load(&error));
        QVERIFY2(error.contains(QStringLiteral("the stored scenario is damaged")), qPrintable(error));
    }

    void missingWorkspaceIsNotCreatedByReading()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("absent.iotcore"));
        QString error;
        QVERIFY(!ScenarioStore::open(path, false, &error));
        QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));
        QVERIFY(!QFile::exists(path));
    }
};

QTEST_GUILESS_MAIN(TestScenario)
#include "tst_scenario.moc"
