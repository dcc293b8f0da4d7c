// The IoT Core catalog in the workspace file: what is saved comes back equal (ids, sub-second
// times, credentials), a failed save leaves the file as it was, a hand-edited row the catalog
// refuses fails the load with one line naming the entity, version-1 workspaces migrate with their
// MQTT data, and changeCounter() tells a poller when to reload.

#include "iot/CatalogRules.h"
#include "iot/PasswordHasher.h"
#include "store/CatalogStore.h"
#include "store/SqliteBrokerStore.h"
#include "store/WorkspaceSchema.h"

#include <QProcess>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest/QTest>

#include <chrono>
#include <csignal>
#include <memory>
#include <sys/resource.h>

using namespace iotcore::broker;
using namespace std::chrono_literals;

namespace {

// Ids as the cloud printed them (imported), so rows can be edited by id.
const std::string PlantId = "b91ki3851hab9m0l68je";
const std::string PumpId = "b91sd8hh4k5qm27b3mhp";
const std::string ValveId = "b91p2ue8vnbl0d1bp1kk";
const std::string EdgeId = "are0brokeredge000001";

Timestamp at(std::int64_t seconds, std::int64_t nanos = 0)
{
    return Timestamp{} + std::chrono::seconds(seconds)
        + std::chrono::duration_cast<Timestamp::duration>(std::chrono::nanoseconds(nanos));
}

std::string fingerprint(int n)
{
    char text[41];
    std::snprintf(text, sizeof text, "%040x", n);
    return text;
}

Certificate certificate(int n, Timestamp createdAt = {})
{
    return {fingerprint(n),
            "-----BEGIN CERTIFICATE-----\nMIIB" + std::to_string(n)
                + "\n-----END CERTIFICATE-----\n",
            createdAt};
}

const std::string &someHash()
{
    static const std::string hash = PasswordHasher(1).hash("Abcdefghijk123!");
    return hash;
}

// The sample is built by the test itself: a refusal is a bug in the test.
template <typename Result>
const Result &require(const Result &result)
{
    if (!result)
        qFatal("sample catalog refused: %s", result.error.c_str());
    return result;
}

// Two registries (one disabled), devices with labels, aliases, certificates and passwords, a
// broker with credentials; imported ids and times with nanoseconds beside generated ones.
Catalog sampleCatalog()
{
    // Generated ids and "now" made repeatable, so two samples are equal.
    auto nextId = std::make_shared<int>(0); // the catalog's copies share it
    Catalog catalog([] { return at(1'760'000'000, 250'000'000); },
                    [nextId] {
                        char id[21];
                        std::snprintf(id, sizeof id, "are%017d", (*nextId)++);
                        return std::string(id);
                    });
    Registry plant;
    plant.id = PlantId;
    plant.name = "plant";
    plant.description = "Main plant, line 2";
    plant.labels = {{"env", "prod"}, {"site", "kazan"}};
    plant.createdAt = at(1'678'786'013, 589'793'238);
    plant.certificates = {certificate(1, at(1'678'786'100, 123'000'000))};
    plant.passwords = {PasswordRecord{"are0pass000000000001", someHash(), at(1'678'786'200, 5)}};
    require(catalog.createRegistry(plant));

    Registry lab;
    lab.name = "lab";
    lab.status = RegistryStatus::Disabled;
    const auto createdLab = require(catalog.createRegistry(lab));

    Device pump;
    pump.id = PumpId;
    pump.registryId = PlantId;
    pump.name = "pump";
    pump.description = "Feed pump";
    pump.labels = {{"floor", "1"}};
    pump.topicAliases = {{"plant/pump/events", "$devices/{id}/events"},
                         {"plant/pump/state", "$devices/{id}/state/main"}};
    pump.certificates = {certificate(3, at(1'700'000'000, 1'000)), certificate(2)};
    pump.passwords = {PasswordRecord{"are0pass000000000003", someHash(), at(1'700'000'001, 7)},
                      PasswordRecord{"are0pass000000000002", someHash(), {}}};
    pump.createdAt = at(1'700'000'000, 999'999'999);
    require(catalog.createDevice(pump));

    Device valve;
    valve.id = ValveId;
    valve.registryId = PlantId;
    valve.name = "valve";
    valve.topicAliases = {{"plant/valve", "$devices/{id}/commands"}};
    require(catalog.createDevice(valve));

    Device probe;
    probe.registryId = createdLab->id;
    probe.name = "probe";
    probe.passwords = {PasswordRecord{{}, someHash(), {}}};
    require(catalog.createDevice(probe));

    IotBroker edge;
    edge.id = EdgeId;
    edge.name = "edge";
    edge.labels = {{"tier", "edge"}};
    edge.certificates = {certificate(4)};
    edge.passwords = {PasswordRecord{{}, someHash(), {}}};
    edge.createdAt = at(1'710'000'000, 42'000);
    require(catalog.createBroker(edge));
    return catalog;
}

QString labelsText(const Labels &labels)
{
    QStringList parts;
    for (const auto &[key, value] : labels)
        parts << QString::fromStdString(key + "=" + value);
    return parts.join(QLatin1Char(','));
}

void dumpCredentials(QStringList &lines, const std::vector<Certificate> &certificates,
                     const std::vector<PasswordRecord> &passwords)
{
    for (const Certificate &c : certificates)
        lines << QString::fromStdString("  certificate " + c.fingerprint + " "
                                        + formatRfc3339Nanos(c.createdAt) + " "
                                        + c.certificateData);
    for (const PasswordRecord &p : passwords)
        lines << QString::fromStdString("  password " + p.id + " " + p.hash + " "
                                        + formatRfc3339Nanos(p.createdAt));
}

// Everything a catalog holds, in its order, for QCOMPARE.
QStringList dump(const Catalog &catalog)
{
    QStringList lines;
    for (const Registry *r : catalog.registries()) {
        lines << QString::fromStdString("registry " + r->id + " " + r->name + " ["
                                        + r->description + "] " + registryStatusName(r->status)
                                        + " " + formatRfc3339Nanos(r->createdAt) + " ")
                + labelsText(r->labels);
        dumpCredentials(lines, r->certificates, r->passwords);
        for (const Device *d : catalog.devices(r->id)) {
            lines << QString::fromStdString(" device " + d->id + " " + d->registryId + " "
                                            + d->name + " [" + d->description + "] "
                                            + formatRfc3339Nanos(d->createdAt) + " ")
                    + labelsText(d->labels);
            for (const auto &[alias, topic] : d->topicAliases)
                lines << QString::fromStdString("  alias " + alias + " -> " + topic);
            dumpCredentials(lines, d->certificates, d->passwords);
        }
    }
    for (const IotBroker *b : catalog.brokers()) {
        lines << QString::fromStdString("broker " + b->id + " " + b->name + " [" + b->description
                                        + "] " + formatRfc3339Nanos(b->createdAt) + " ")
                + labelsText(b->labels);
        dumpCredentials(lines, b->certificates, b->passwords);
    }
    return lines;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return "<unreadable>";
    return file.readAll();
}

// A connection of the test's own, as another process (the sqlite3 CLI, a running serve) holds
// the file.
class OtherConnection
{
public:
    explicit OtherConnection(const QString &path)
        : m_name(QUuid::createUuid().toString())
    {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        m_db.setDatabaseName(path);
        m_db.open();
    }
    ~OtherConnection()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }

    bool exec(const QString &sql)
    {
        QSqlQuery query(m_db);
        const bool ok = query.exec(sql);
        if (!ok)
            qWarning() << sql << query.lastError().text();
        return ok;
    }

    // Every row, its columns joined by '|'.
    QStringList rows(const QString &sql)
    {
        QSqlQuery query(m_db);
        QStringList values;
        if (!query.exec(sql))
            return {QStringLiteral("error: ") + query.lastError().text()};
        while (query.next()) {
            QStringList columns;
            for (int i = 0; i < query.record().count(); ++i)
                columns << query.value(i).toString();
            values << columns.join(QLatin1Char('|'));
        }
        return values;
    }

    // The content of every catalog table, for "the file holds exactly what it held".
    QStringList catalogTables()
    {
        QStringList all;
        for (const char *table : {"iot_registries", "iot_devices", "iot_brokers", "iot_labels",
                                  "iot_device_topic_aliases", "iot_certificates",
                                  "iot_passwords", "meta"}) {
            all << QString::fromLatin1(table);
            all << rows(QStringLiteral("SELECT * FROM %1 ORDER BY 1, 2, 3")
                            .arg(QLatin1String(table)));
        }
        return all;
    }

private:
    QString m_name;
    QSqlDatabase m_db;
};

} // namespace

class TestCatalogStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void roundTrip();
    void tablesReadableWithSqlite();
    void saveAfterChangeReloadsEqual();
    void emptyWorkspaceLoadsEmptyCatalog();
    void lockedSaveLeavesFileAsItWas();
    void fullDiskSaveLeavesFileAsItWas();
    void changeCounterFollowsCommits();
    void passwordIterations();
    void versionOneWorkspaceMigrates();
    void handEditedRowRefused_data();
    void handEditedRowRefused();
    void refusesNonWorkspace_data();
    void refusesNonWorkspace();
    void missingFileNotCreatedWithoutCreate();
    void manyDevices();

private:
    std::unique_ptr<CatalogStore> openStore(CatalogStore::Options options = {})
    {
        std::string error;
        auto store = CatalogStore::open(m_path.toStdString(), true, options, &error);
        if (!store)
            qWarning() << "open failed:" << error.c_str();
        return store;
    }

    std::optional<Catalog> reload()
    {
        auto store = openStore();
        if (!store)
            return std::nullopt;
        std::string error;
        auto catalog = store->load(&error);
        if (!catalog)
            qWarning() << "load failed:" << error.c_str();
        return catalog;
    }

    bool saveSample()
    {
        auto store = openStore();
        std::string error;
        const bool saved = store && store->save(sampleCatalog(), &error);
        if (!saved)
            qWarning() << "save failed:" << error.c_str();
        return saved;
    }

    std::optional<QTemporaryDir> m_dir;
    QString m_path;
};

void TestCatalogStore::init()
{
    m_dir.emplace();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("workspace.sqlite"));
}

void TestCatalogStore::cleanup()
{
    m_dir.reset();
}

void TestCatalogStore::roundTrip()
{
    const Catalog original = sampleCatalog();
    {
        auto store = openStore();
        QVERIFY(store);
        std::string error;
        QVERIFY2(store->save(original, &error), error.c_str());
        // The same connection reads back what it wrote.
        const auto again = store->load(&error);
        QVERIFY2(again, error.c_str());
        QCOMPARE(dump(*again), dump(original));
    }
    const auto loaded = reload();
    QVERIFY(loaded);
    QCOMPARE(dump(*loaded), dump(original));
    // Lookups that depend on the catalog's indexes work on the loaded catalog too.
    const auto owner = loaded->ownerOfCertificate(fingerprint(2));
    QVERIFY(owner);
    QCOMPARE(QString::fromStdString(owner->id), QString::fromStdString(PumpId));
    QCOMPARE(loaded->registryByName("lab")->status, RegistryStatus::Disabled);
}

// The file explains itself to someone with the sqlite3 CLI: plain rows, RFC 3339 times.
void TestCatalogStore::tablesReadableWithSqlite()
{
    QVERIFY(saveSample());
    OtherConnection other(m_path);
    QCOMPARE(other.rows(QStringLiteral("SELECT * FROM iot_registries WHERE name = 'plant'")),
             QStringList{"b91ki3851hab9m0l68je|plant|Main plant, line 2|ACTIVE|"
                         "2023-03-14T09:26:53.589793238Z"});
    QCOMPARE(other.rows(QStringLiteral("SELECT alias, topic FROM iot_device_topic_aliases"
                                       " WHERE device_id = '%1' ORDER BY alias")
                            .arg(QString::fromStdString(PumpId))),
             (QStringList{"plant/pump/events|$devices/b91sd8hh4k5qm27b3mhp/events",
                          "plant/pump/state|$devices/b91sd8hh4k5qm27b3mhp/state/main"}));
    QCOMPARE(other.rows(QStringLiteral("SELECT owner_kind, owner_id, key, value FROM iot_labels"
                                       " WHERE owner_kind = 'broker'")),
             QStringList{"broker|are0brokeredge000001|tier|edge"});
    QCOMPARE(other.rows(QStringLiteral("SELECT owner_kind, owner_id, position, created_at"
                                       " FROM iot_certificates WHERE fingerprint = '%1'")
                            .arg(QString::fromStdString(fingerprint(3)))),
             QStringList{"device|b91sd8hh4k5qm27b3mhp|0|2023-11-14T22:13:20.000001000Z"});
    const QStringList hashes =
        other.rows(QStringLiteral("SELECT hash FROM iot_passwords WHERE owner_id = '%1'")
                       .arg(QString::fromStdString(PumpId)));
    QCOMPARE(hashes.size(), 2);
    QVERIFY(hashes.front().startsWith(QLatin1String("$7$1$")));
}

void TestCatalogStore::saveAfterChangeReloadsEqual()
{
    QVERIFY(saveSample());
    auto store = openStore();
    QVERIFY(store);
    std::string error;
    auto catalog = store->load(&error);
    QVERIFY2(catalog, error.c_str());

    QVERIFY(catalog->deleteDevice(ValveId));
    QVERIFY(catalog->removeTopicAliases(PumpId, {"plant/pump/state"}));
    QVERIFY(catalog->removeCertificate(PumpId, fingerprint(3)));
    QVERIFY(catalog->removePassword(EdgeId, catalog->passwordsOf(EdgeId)->front().id));
    QVERIFY(catalog->updateRegistry(PlantId, RegistryUpdate{{}, {}, Labels{{"env", "test"}}}));
    QVERIFY(catalog->setRegistryStatus(catalog->registryByName("lab")->id,
                                       RegistryStatus::Active));
    // The certificate the deleted device held may go to another entity in the same save.
    QVERIFY(catalog->addCertificate(EdgeId, certificate(3)));
    QVERIFY2(store->save(*catalog, &error), error.c_str());

    const auto loaded = reload();
    QVERIFY(loaded);
    QCOMPARE(dump(*loaded), dump(*catalog));
    OtherConnection other(m_path);
    QCOMPARE(other.rows(QStringLiteral("SELECT count(*) FROM iot_devices")), QStringList{"2"});
    QCOMPARE(other.rows(QStringLiteral("SELECT count(*) FROM iot_device_topic_aliases")),
             QStringList{"1"});
}

void TestCatalogStore::emptyWorkspaceLoadsEmptyCatalog()
{
    auto store = openStore();
    QVERIFY(store);
    std::string error;
    const auto catalog = store->load(&error);
    QVERIFY2(catalog, error.c_str());
    QVERIFY(dump(*catalog).isEmpty());
    // Saving an empty catalog empties the tables.
    QVERIFY(store->save(sampleCatalog(), &error));
    QVERIFY(store->save(Catalog(), &error));
    QVERIFY(dump(*store->load(&error)).isEmpty());
}

// Another process holds the file longer than the busy timeout: the save fails at once with one
// line, and the file keeps the previous catalog.
void TestCatalogStore::lockedSaveLeavesFileAsItWas()
{
    QVERIFY(saveSample());
    QStringList before;
    {
        OtherConnection reader(m_path);
        before = reader.catalogTables();
    }
    CatalogStore::Options options;
    options.busyTimeout = 200ms;
    auto store = openStore(options);
    QVERIFY(store);
    std::string error;
    auto changed = store->load(&error);
    QVERIFY(changed);
    QVERIFY(changed->deleteDevice(PumpId));

    OtherConnection other(m_path);
    QVERIFY(other.exec(QStringLiteral("BEGIN EXCLUSIVE")));
    QVERIFY(!store->save(*changed, &error));
    QCOMPARE(QString::fromStdString(error),
             QStringLiteral("cannot write workspace %1: database is locked").arg(m_path));
    QVERIFY(other.exec(QStringLiteral("ROLLBACK")));

    QCOMPARE(other.catalogTables(), before);
    const auto loaded = reload();
    QVERIFY(loaded);
    QCOMPARE(dump(*loaded), dump(sampleCatalog()));
    // Once the file is free the same store saves.
    QVERIFY2(store->save(*changed, &error), error.c_str());
}

// A full disk half-way through the inserts (the file size limit holds for root too): rolled
// back, the previous catalog stays.
void TestCatalogStore::fullDiskSaveLeavesFileAsItWas()
{
    QVERIFY(saveSample());
    QStringList before;
    {
        OtherConnection reader(m_path);
        before = reader.catalogTables();
    }
    auto store = openStore();
    QVERIFY(store);
    std::string error;
    auto big = store->load(&error);
    QVERIFY(big);
    // Large enough to overflow the page cache, so SQLite writes before COMMIT.
    for (int i = 0; i < 300; ++i) {
        Device device;
        device.registryId = PlantId;
        device.name = "filler-" + std::to_string(i);
        device.description = std::string(250, 'd');
        Certificate c = certificate(1000 + i);
        c.certificateData += std::string(30'000, 'A');
        device.certificates = {c};
        QVERIFY(big->createDevice(device));
    }

    const qint64 used = std::max(QFileInfo(m_path).size(),
                                 QFileInfo(m_path + QStringLiteral("-wal")).size());
    rlimit saved{};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN); // EFBIG instead of a signal
    rlimit limited = saved;
    limited.rlim_cur = rlim_t(used + 256 * 1024);
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &limited), 0);
    const bool savedBig = store->save(*big, &error);
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previousHandler);

    QVERIFY(!savedBig);
    QVERIFY2(QString::fromStdString(error).startsWith(
                 QStringLiteral("cannot write workspace %1: ").arg(m_path)),
             error.c_str());
    QVERIFY2(error.find('\n') == std::string::npos, error.c_str());
    store.reset();
    OtherConnection other(m_path);
    QCOMPARE(other.catalogTables(), before);
    const auto loaded = reload();
    QVERIFY(loaded);
    QCOMPARE(dump(*loaded), dump(sampleCatalog()));
}

void TestCatalogStore::changeCounterFollowsCommits()
{
    auto store = openStore();
    QVERIFY(store);
    const std::int64_t start = store->changeCounter();
    QCOMPARE(store->changeCounter(), start);

    OtherConnection other(m_path);
    QVERIFY(!other.rows(QStringLiteral("SELECT count(*) FROM iot_devices")).isEmpty());
    QCOMPARE(store->changeCounter(), start); // reading changes nothing

    // A commit that is not a catalog save (the broker writing retained messages) is no change.
    QVERIFY(other.exec(QStringLiteral("INSERT INTO meta VALUES ('note', 'from the broker')")));
    const std::int64_t afterOther = store->changeCounter();
    QCOMPARE(afterOther, start);

    std::string error;
    QVERIFY(store->save(sampleCatalog(), &error));
    const std::int64_t afterSave = store->changeCounter();
    QVERIFY(afterSave != afterOther);
    QVERIFY(store->load(&error));
    QCOMPARE(store->changeCounter(), afterSave); // loading is no change

    // Another CatalogStore (another command) saving is seen, and its own counter moves too.
    auto second = openStore();
    QVERIFY(second);
    const std::int64_t secondStart = second->changeCounter();
    QVERIFY(second->save(Catalog(), &error));
    QVERIFY(second->changeCounter() != secondStart);
    QVERIFY(store->changeCounter() != afterSave);

    // A reader polling while another store saves again and again sees every save.
    for (int round = 0; round < 3; ++round) {
        const std::int64_t before = store->changeCounter();
        QVERIFY(store->load(&error));
        QVERIFY(second->save(round % 2 ? Catalog() : sampleCatalog(), &error));
        QVERIFY2(store->changeCounter() != before, qPrintable(QString::number(round)));
    }

    // The same when the saves come from another process (as `iot … create` beside `serve`).
    for (int round = 0; round < 3; ++round) {
        const std::int64_t before = store->changeCounter();
        QVERIFY(store->load(&error));
        QProcess python;
        python.start(QStringLiteral("/usr/bin/python3"),
                     {QStringLiteral("-c"),
                      QStringLiteral("import sqlite3; c = sqlite3.connect('%1'); "
                                     "c.execute(\"update meta set value = cast(value as integer) + 1 "
                                     "where key = 'catalog_generation'\"); c.commit()")
                          .arg(m_path)});
        QVERIFY(python.waitForFinished(10000));
        QCOMPARE(python.exitCode(), 0);
        QVERIFY2(store->changeCounter() != before, qPrintable(QString::number(round)));
    }

    // A failed save is no change.
    CatalogStore::Options quick;
    quick.busyTimeout = 50ms;
    auto third = openStore(quick);
    QVERIFY(third);
    const std::int64_t beforeFailure = third->changeCounter();
    QVERIFY(other.exec(QStringLiteral("BEGIN EXCLUSIVE")));
    QVERIFY(!third->save(sampleCatalog(), &error));
    QVERIFY(other.exec(QStringLiteral("ROLLBACK")));
    QCOMPARE(third->changeCounter(), beforeFailure);
}

void TestCatalogStore::passwordIterations()
{
    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(store->passwordIterations(), PasswordHasher::DefaultIterations);
    const std::int64_t before = store->changeCounter();
    std::string error;
    QVERIFY2(store->setPasswordIterations(250'000, &error), error.c_str());
    QCOMPARE(store->changeCounter(), before); // a setting, not the catalog
    QCOMPARE(store->passwordIterations(), 250'000);
    QVERIFY(!store->setPasswordIterations(0, &error));
    QCOMPARE(QString::fromStdString(error),
             QStringLiteral("password iterations must be between 1 and 10000000, not 0"));
    store.reset();

    OtherConnection other(m_path);
    QCOMPARE(other.rows(QStringLiteral("SELECT value FROM meta WHERE key = 'password_iterations'")),
             QStringList{"250000"});
    auto reopened = openStore();
    QVERIFY(reopened);
    QCOMPARE(reopened->passwordIterations(), 250'000);
}

// A file written before the catalog existed: schema 1, the broker's tables only, with retained
// messages. It gains the catalog's tables and keeps its MQTT data.
void TestCatalogStore::versionOneWorkspaceMigrates()
{
    {
        auto broker = SqliteBrokerStore::open(m_path.toStdString(), nullptr);
        QVERIFY(broker);
        broker->saveRetained(std::make_shared<Message>(
            Message{"$devices/b91sd8hh4k5qm27b3mhp/state", "42", 1, true, 7}));
        QVERIFY(broker->flush());
    }
    // What version 1 wrote: the same file without the catalog's tables and marked schema 1.
    const QStringList versionOneTables{"meta", "mqtt_retained", "mqtt_session_awaiting_release",
                                       "mqtt_session_messages", "mqtt_session_subscriptions",
                                       "mqtt_sessions"};
    {
        OtherConnection other(m_path);
        // Every table of the later migrations (2: the catalog, 3: the CA, 4: kept messages and
        // entity logs, 5: the simulator's scenario).
        for (const char *table : {"iot_registries", "iot_devices", "iot_brokers", "iot_labels",
                                  "iot_device_topic_aliases", "iot_certificates",
                                  "iot_passwords", "pki_authority", "pki_server_certificates",
                                  "mqtt_permanent", "iot_entity_logs", "sim_scenario"})
            QVERIFY(other.exec(QStringLiteral("DROP TABLE ") + QLatin1String(table)));
        QVERIFY(other.exec(
            QStringLiteral("UPDATE meta SET value = '1' WHERE key = 'schema_version'")));
        QCOMPARE(other.rows(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'"
                                           " ORDER BY name")),
                 versionOneTables);
    }

    {
        auto store = openStore();
        QVERIFY(store);
        std::string error;
        const auto empty = store->load(&error);
        QVERIFY2(empty, error.c_str());
        QVERIFY(dump(*empty).isEmpty());
        QVERIFY2(store->save(sampleCatalog(), &error), error.c_str());
    }
    OtherConnection other(m_path);
    QCOMPARE(other.rows(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")),
             QStringList{QString::number(WorkspaceSchema::Version)});
    // The catalog's seven tables and the entity logs (migration 4).
    QCOMPARE(other.rows(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                       " AND name LIKE 'iot\\_%' ESCAPE '\\'")),
             QStringList{"8"});

    auto broker = SqliteBrokerStore::open(m_path.toStdString(), nullptr);
    QVERIFY(broker);
    std::string error;
    const StoredBrokerState state = broker->load(&error);
    QVERIFY2(error.empty(), error.c_str());
    QCOMPARE(state.retained.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(state.retained.front()->topic),
             QStringLiteral("$devices/b91sd8hh4k5qm27b3mhp/state"));
    QCOMPARE(QString::fromStdString(state.retained.front()->payload), QStringLiteral("42"));
    const auto loaded = reload();
    QVERIFY(loaded);
    QCOMPARE(dump(*loaded), dump(sampleCatalog()));
}

void TestCatalogStore::handEditedRowRefused_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>("expected"); // after "cannot load workspace PATH: "

    const QString pump = QStringLiteral("device \"pump\" (b91sd8hh4k5qm27b3mhp): ");
    QTest::newRow("invalid device name")
        << "UPDATE iot_devices SET name = 'feed pump!' WHERE name = 'pump'"
        << QStringLiteral("device \"feed pump!\" (b91sd8hh4k5qm27b3mhp): ")
               + QString::fromStdString(rules::checkName("feed pump!", "device name"));
    QTest::newRow("device of a missing registry")
        << "UPDATE iot_devices SET registry_id = 'b91zzzzzzzzzzzzzzzzz' WHERE name = 'pump'"
        << pump + "no registry with id \"b91zzzzzzzzzzzzzzzzz\"";
    QTest::newRow("duplicate registry name")
        << "UPDATE iot_registries SET name = 'plant' WHERE name = 'lab'"
        << QString(); // the id decides which one is named: checked below by prefix only
    QTest::newRow("unknown status")
        << "UPDATE iot_registries SET status = 'PAUSED' WHERE name = 'plant'"
        << "registry \"plant\" (b91ki3851hab9m0l68je): status \"PAUSED\" is neither ACTIVE nor"
           " DISABLED";
    QTest::newRow("bad time")
        << "UPDATE iot_brokers SET created_at = 'yesterday'"
        << "broker \"edge\" (are0brokeredge000001): created_at \"yesterday\" is not an RFC 3339"
           " UTC time";
    QTest::newRow("impossible date")
        << "UPDATE iot_devices SET created_at = '2023-02-30T00:00:00Z' WHERE name = 'pump'"
        << pump + "created_at \"2023-02-30T00:00:00Z\" is not an RFC 3339 UTC time";
    QTest::newRow("malformed password hash")
        << "UPDATE iot_passwords SET hash = 'hunter2' WHERE owner_id = 'are0brokeredge000001'"
        << QString::fromStdString(
               "broker \"edge\" (are0brokeredge000001): "
               + [] {
                     std::string reason;
                     PasswordHasher::isWellFormed("hunter2", &reason);
                     return reason;
                 }());
    QTest::newRow("certificate of nobody")
        << "UPDATE iot_certificates SET owner_id = 'b91zzzzzzzzzzzzzzzzz' WHERE owner_kind ="
           " 'broker'"
        << QString::fromStdString("certificate " + fingerprint(4)
                                  + " of broker b91zzzzzzzzzzzzzzzzz, which is not in the"
                                    " workspace");
    QTest::newRow("labels under the wrong kind")
        << "UPDATE iot_labels SET owner_kind = 'registry' WHERE owner_kind = 'broker'"
        << "labels of registry are0brokeredge000001, which is not in the workspace";
    QTest::newRow("aliases prefixing each other")
        << "INSERT INTO iot_device_topic_aliases SELECT device_id, alias || '/' || n, topic"
           " FROM iot_device_topic_aliases, (SELECT 1 AS n UNION SELECT 2 UNION SELECT 3"
           " UNION SELECT 4) WHERE alias = 'plant/valve'"
        << QString(); // checked below: names the valve
    QTest::newRow("a line break in a name")
        << "UPDATE iot_brokers SET name = 'ed' || char(10) || 'ge'"
        << QString();
}

void TestCatalogStore::handEditedRowRefused()
{
    QFETCH(QString, sql);
    QFETCH(QString, expected);
    QVERIFY(saveSample());
    {
        OtherConnection other(m_path);
        QVERIFY(other.exec(sql));
    }
    auto store = openStore();
    QVERIFY(store);
    std::string error;
    QVERIFY(!store->load(&error));
    const QString message = QString::fromStdString(error);
    const QString prefix = QStringLiteral("cannot load workspace %1: ").arg(m_path);
    if (expected.isEmpty())
        QVERIFY2(message.startsWith(prefix), error.c_str());
    else
        QCOMPARE(message, prefix + expected);
    QVERIFY2(!message.contains(QLatin1Char('\n')), error.c_str());
    if (QByteArray(QTest::currentDataTag()) == "aliases prefixing each other")
        QVERIFY2(message.contains(QLatin1String("device \"valve\"")), error.c_str());
    // The store stays usable: the catalog can be written again over the bad rows.
    QVERIFY2(store->save(sampleCatalog(), &error), error.c_str());
    QVERIFY2(store->load(&error), error.c_str());
}

void TestCatalogStore::refusesNonWorkspace_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    QTest::newRow("text") << QByteArray("registries:\n  - name: plant\n")
                          << "workspace {path} is not an IoT Core Studio workspace (file is not"
                             " a database)";
    QTest::newRow("foreign database") << QByteArray()
                                      << "workspace {path} is not an IoT Core Studio workspace"
                                         " (a SQLite database of another application)";
}

void TestCatalogStore::refusesNonWorkspace()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    if (content.isEmpty()) {
        OtherConnection other(m_path);
        QVERIFY(other.exec(QStringLiteral("CREATE TABLE contacts (name TEXT, phone TEXT)")));
        QVERIFY(other.exec(QStringLiteral("INSERT INTO contacts VALUES ('Ann', '555')")));
    } else {
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    const QByteArray before = fileBytes(m_path);
    std::string error;
    QVERIFY(!CatalogStore::open(m_path.toStdString(), true, &error));
    QCOMPARE(QString::fromStdString(error), QString(expected).replace("{path}", m_path));
    QVERIFY(!CatalogStore::open(m_path.toStdString(), false, &error));
    QCOMPARE(fileBytes(m_path), before);
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files), QStringList{"workspace.sqlite"});
}

void TestCatalogStore::missingFileNotCreatedWithoutCreate()
{
    std::string error;
    QVERIFY(!CatalogStore::open(m_path.toStdString(), false, &error));
    QCOMPARE(QString::fromStdString(error), QStringLiteral("no workspace at %1").arg(m_path));
    QVERIFY(QDir(m_dir->path()).entryList(QDir::Files).isEmpty());
    QVERIFY(CatalogStore::open(m_path.toStdString(), true, &error));
    QVERIFY(CatalogStore::open(m_path.toStdString(), false, &error));
}

// Save everything every time is fine at the scale of the service's quotas and beyond: devices
// with a label, an alias, a certificate and a password each. 2,000 by default, because building
// and loading a Catalog costs O(n^2) under the sanitizers; IOTCORE_CATALOG_DEVICES=10000 measures
// the figure quoted in the report.
void TestCatalogStore::manyDevices()
{
    bool fromEnvironment = false;
    const int count = qEnvironmentVariableIntValue("IOTCORE_CATALOG_DEVICES", &fromEnvironment);
    const int deviceCount = fromEnvironment && count > 0 ? count : 2'000;
    Catalog catalog;
    std::vector<std::string> registries;
    for (int r = 0; r < 10; ++r) {
        Registry registry;
        registry.name = "fleet-" + std::to_string(r);
        registries.push_back(catalog.createRegistry(registry)->id);
    }
    for (int i = 0; i < deviceCount; ++i) {
        Device device;
        device.registryId = registries[std::size_t(i % 10)];
        device.name = "sensor-" + std::to_string(i);
        device.labels = {{"batch", std::to_string(i / 100)}};
        device.topicAliases = {{"fleet/" + std::to_string(i) + "/events", "$devices/{id}/events"}};
        Certificate c = certificate(100'000 + i);
        c.certificateData += std::string(600, 'A'); // about a real PEM's size
        device.certificates = {c};
        device.passwords = {PasswordRecord{{}, someHash(), {}}};
        const auto created = catalog.createDevice(device);
        QVERIFY2(created, created.error.c_str());
    }

    auto store = openStore();
    QVERIFY(store);
    std::string error;
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(store->save(catalog, &error), error.c_str());
    const qint64 firstSave = timer.restart();
    QVERIFY2(store->save(catalog, &error), error.c_str());
    const qint64 secondSave = timer.restart();
    const auto loaded = store->load(&error);
    const qint64 load = timer.elapsed();
    QVERIFY2(loaded, error.c_str());
    std::size_t devices = 0;
    for (const std::string &id : registries)
        devices += loaded->deviceCount(id);
    QCOMPARE(devices, std::size_t(deviceCount));
    qInfo("%d devices: first save %lld ms, save over them %lld ms, load %lld ms", deviceCount,
          firstSave, secondSave, load);
}

QTEST_GUILESS_MAIN(TestCatalogStore)
#include "tst_catalogstore.moc"
