// The broker's store in the workspace file: what goes in comes back, writes behind the broker
// coalesce by topic and client id, files that are not ours are refused untouched, and a failed
// write loses neither what was stored before nor what was queued.

#include "store/SqliteBrokerStore.h"
#include "store/BrokerTables.h"
#include "store/WorkspaceSchema.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest/QTest>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

using namespace iotcore::broker;
using namespace std::chrono_literals;

namespace {

MessagePtr message(std::string topic, std::string payload, std::uint8_t qos = 1,
                   bool retain = false, std::uint64_t id = 1)
{
    return std::make_shared<Message>(
        Message{std::move(topic), std::move(payload), qos, retain, id});
}

QString describe(const MessagePtr &m)
{
    if (!m)
        return QStringLiteral("null");
    return QStringLiteral("%1 [%2] qos%3%4 #%5")
        .arg(QString::fromStdString(m->topic),
             QString::fromLatin1(QByteArray::fromStdString(m->payload).toHex(' ')))
        .arg(m->qos)
        .arg(m->retain ? QStringLiteral(" retain") : QString())
        .arg(m->id);
}

QStringList describe(const std::vector<MessagePtr> &messages)
{
    QStringList lines;
    for (const MessagePtr &m : messages)
        lines << describe(m);
    lines.sort();
    return lines;
}

// Awaiting-release identifiers come from an unordered set: compared sorted.
QStringList describe(const StoredSession &session)
{
    QStringList lines{QStringLiteral("session ") + QString::fromStdString(session.clientId)};
    for (const StoredSubscription &s : session.subscriptions)
        lines << QStringLiteral("sub %1 qos%2").arg(QString::fromStdString(s.filter)).arg(s.qos);
    for (const StoredOutgoingMessage &o : session.outgoing) {
        lines << QStringLiteral("out %1 as qos%2%3 pid %4%5")
                     .arg(describe(o.message))
                     .arg(o.qos)
                     .arg(o.retain ? QStringLiteral(" retain") : QString())
                     .arg(o.packetId)
                     .arg(o.released ? QStringLiteral(" released") : QString());
    }
    std::vector<std::uint16_t> awaiting = session.awaitingRelease;
    std::sort(awaiting.begin(), awaiting.end());
    for (const std::uint16_t id : awaiting)
        lines << QStringLiteral("awaiting %1").arg(id);
    return lines;
}

QStringList describe(const std::vector<StoredSession> &sessions)
{
    std::vector<const StoredSession *> sorted;
    for (const StoredSession &s : sessions)
        sorted.push_back(&s);
    std::sort(sorted.begin(), sorted.end(),
              [](auto *a, auto *b) { return a->clientId < b->clientId; });
    QStringList lines;
    for (const StoredSession *s : sorted)
        lines << describe(*s);
    return lines;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return "<unreadable>";
    return file.readAll();
}

// A connection of the test's own, as another process would hold the file.
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

    // The first column of every row.
    QStringList column(const QString &sql)
    {
        QSqlQuery query(m_db);
        QStringList values;
        if (!query.exec(sql))
            return {QStringLiteral("error: ") + query.lastError().text()};
        while (query.next())
            values << query.value(0).toString();
        return values;
    }

private:
    QString m_name;
    QSqlDatabase m_db;
};

} // namespace

class TestSqliteBrokerStore : public QObject
{
    Q_OBJECT

private slots:
    void init();

    void retainedRoundTrip();
    void sessionRoundTrip();
    void sharedMessagesComeBackShared();
    void permanentRoundTrip();
    void entityLogsAppendInOrder();
    void entityLogKeepsNewestLines();
    void coalescing_data();
    void coalescing();
    void writesBehindWithoutFlush();
    void savesDoNotWaitForTheDisk();
    void burstFromBrokerThread();
    void newWorkspaceSchema();
    void emptyFileBecomesWorkspace();
    void refusesNonSqliteFile();
    void refusesForeignDatabase_data();
    void refusesForeignDatabase();
    void refusesDamagedWorkspace();
    void refusesNewerSchema();
    void refusesUnusablePath_data();
    void refusesUnusablePath();
    void refusesReadOnlyPlaces();
    void lockedWorkspaceFailsThenRetries();
    void fullDiskKeepsCommittedData();

private:
    std::unique_ptr<SqliteBrokerStore> openStore(const SqliteBrokerStore::Options &options = {});
    StoredBrokerState reload();

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void TestSqliteBrokerStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("workspace.sqlite"));
}

std::unique_ptr<SqliteBrokerStore> TestSqliteBrokerStore::openStore(
    const SqliteBrokerStore::Options &options)
{
    std::string error;
    auto store = SqliteBrokerStore::open(m_path.toStdString(), options, &error);
    if (!store)
        qWarning("open failed: %s", error.c_str());
    return store;
}

StoredBrokerState TestSqliteBrokerStore::reload()
{
    auto store = openStore();
    if (!store)
        return {};
    std::string error;
    StoredBrokerState state = store->load(&error);
    if (!error.empty())
        qWarning("load failed: %s", error.c_str());
    return state;
}

void TestSqliteBrokerStore::retainedRoundTrip()
{
    {
        auto store = openStore();
        QVERIFY(store);
        store->saveRetained(message("sensors/1/temp", "21.5", 1, true, 7));
        store->saveRetained(message("bin/ary", std::string("\0\x01\xff\0x", 5), 0, true, 8));
        store->saveRetained(message("тема/€", "unicode topic", 2, true, 9));
        store->saveRetained(message("gone", "soon removed", 1, true, 10));
        QVERIFY(store->flush());
        store->removeRetained("gone");
        QVERIFY(store->flush());
    }
    const StoredBrokerState state = reload();
    QCOMPARE(describe(state.retained),
             describe(std::vector<MessagePtr>{
                 message("sensors/1/temp", "21.5", 1, true, 7),
                 message("bin/ary", std::string("\0\x01\xff\0x", 5), 0, true, 8),
                 message("тема/€", "unicode topic", 2, true, 9)}));
    QVERIFY(state.sessions.empty());
}

// IoT Core's kept messages (IOT_CORE.md, "Permanent topics"): coalesced by topic like retained
// ones, an empty payload kept like any other, a removed slot gone.
void TestSqliteBrokerStore::permanentRoundTrip()
{
    {
        auto store = openStore();
        QVERIFY(store);
        store->savePermanent(message("$devices/d1/state", "first", 1, false, 3));
        store->savePermanent(message("$devices/d1/state", "second", 1, false, 4));
        store->savePermanent(message("$devices/d1/state/sub", "", 0, false, 5));
        store->savePermanent(message("$registries/r1/config", "gone", 1, false, 6));
        QVERIFY(store->flush());
        store->removePermanent("$registries/r1/config");
        QVERIFY(store->flush());
        store->saveRetained(message("$devices/d1/state", "retained is another table", 1, true, 9));
    }
    const StoredBrokerState state = reload();
    QCOMPARE(describe(state.permanent),
             describe(std::vector<MessagePtr>{message("$devices/d1/state", "second", 1, false, 4),
                                              message("$devices/d1/state/sub", "", 0, false, 5)}));
    QCOMPARE(state.retained.size(), std::size_t(1));
}

void TestSqliteBrokerStore::entityLogsAppendInOrder()
{
    const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'780'000'000));
    {
        auto store = openStore();
        QVERIFY(store);
        store->appendEntityLog({"device", "d1", t0, EntityLogEntry::Level::Info, "connected"});
        store->appendEntityLog({"registry", "r1", t0, EntityLogEntry::Level::Info, "connected"});
        // Lines of one instant keep their order.
        store->appendEntityLog({"device", "d1", t0, EntityLogEntry::Level::Error,
                                "disconnected: publish to topic \"x\" not allowed"});
    }
    OtherConnection other(m_path);
    QCOMPARE(other.column(QStringLiteral(
                 "SELECT owner_kind || ' ' || owner_id || ' ' || time || ' ' || level || ' '"
                 " || message FROM iot_entity_logs ORDER BY seq")),
             (QStringList{"device d1 2026-05-28T20:26:40.000000000Z INFO connected",
                          "registry r1 2026-05-28T20:26:40.000000000Z INFO connected",
                          "device d1 2026-05-28T20:26:40.000000000Z ERROR disconnected: publish to"
                          " topic \"x\" not allowed"}));
}

// Each entity keeps its newest EntityLogCapacity lines; another entity's log is untouched.
void TestSqliteBrokerStore::entityLogKeepsNewestLines()
{
    const std::int64_t capacity = BrokerTables::EntityLogCapacity;
    const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'780'000'000));
    {
        auto store = openStore();
        QVERIFY(store);
        store->appendEntityLog({"device", "quiet", t0, EntityLogEntry::Level::Info, "only line"});
        QVERIFY(store->flush());
        for (std::int64_t i = 0; i < capacity + capacity / 5; ++i) {
            store->appendEntityLog({"device", "busy", t0 + std::chrono::seconds(i),
                                    EntityLogEntry::Level::Info, std::to_string(i)});
            if (i % 1000 == 999)
                QVERIFY(store->flush()); // several batches: the count is followed across them
        }
    }
    OtherConnection other(m_path);
    const QStringList kept = other.column(QStringLiteral(
        "SELECT count(*) || ' ' || min(CAST(message AS INTEGER)) || ' '"
        " || max(CAST(message AS INTEGER)) FROM iot_entity_logs WHERE owner_id = 'busy'"));
    const qint64 total = capacity + capacity / 5;
    // Trimmed back to the capacity once it grew a tenth past it, then grown again.
    const QStringList fields = kept.value(0).split(QLatin1Char(' '));
    QCOMPARE(fields.size(), 3);
    QVERIFY2(fields[0].toLongLong() >= capacity
                 && fields[0].toLongLong() <= capacity + capacity / 10,
             qPrintable(kept.value(0)));
    QCOMPARE(fields[2].toLongLong(), total - 1);
    QCOMPARE(fields[1].toLongLong(), total - fields[0].toLongLong());
    QCOMPARE(other.column(QStringLiteral("SELECT message FROM iot_entity_logs"
                                         " WHERE owner_id = 'quiet'")),
             QStringList{"only line"});
}

void TestSqliteBrokerStore::sessionRoundTrip()
{
    StoredSession full;
    full.clientId = "device-1";
    full.subscriptions = {{"cmd/#", 1}, {"config/+", 2}, {"status", 0}};
    full.outgoing = {
        // In flight, in send order, across the wrap of packet identifiers.
        {message("cmd/a", "one", 1, false, 101), 1, false, 65534, false},
        {message("cmd/b", std::string("\0two\0", 5), 2, false, 102), 2, false, 65535, true},
        {message("cmd/c", "three", 2, true, 103), 2, true, 1, false},
        // Queued.
        {message("cmd/d", "", 1, false, 104), 1, false, 0, false},
        {message("config/x", std::string(3, '\0'), 2, false, 105), 1, false, 0, false},
    };
    full.awaitingRelease = {65535, 3, 17};
    StoredSession bare;
    bare.clientId = "bare";
    {
        auto store = openStore();
        QVERIFY(store);
        store->saveSession(full);
        store->saveSession(bare);
    } // the destructor writes what is queued
    const StoredBrokerState state = reload();
    QCOMPARE(describe(state.sessions), describe(std::vector<StoredSession>{full, bare}));
    // Their stored order, not a sorted one.
    const auto it = std::find_if(state.sessions.begin(), state.sessions.end(),
                                 [](const StoredSession &s) { return s.clientId == "device-1"; });
    QVERIFY(it != state.sessions.end());
    QCOMPARE(it->outgoing.size(), std::size_t(5));
    QCOMPARE(it->outgoing[0].packetId, std::uint16_t(65534));
    QCOMPARE(it->outgoing[2].packetId, std::uint16_t(1));
    QCOMPARE(it->outgoing[3].message->payload, std::string());
}

void TestSqliteBrokerStore::sharedMessagesComeBackShared()
{
    const MessagePtr shared = message("alerts/fire", "evacuate", 1, true, 42);
    {
        auto store = openStore();
        QVERIFY(store);
        store->saveRetained(shared);
        for (const char *id : {"a", "b"}) {
            StoredSession session;
            session.clientId = id;
            session.outgoing = {{shared, 1, false, 0, false}};
            store->saveSession(session);
        }
    }
    const StoredBrokerState state = reload();
    QCOMPARE(state.retained.size(), std::size_t(1));
    QCOMPARE(state.sessions.size(), std::size_t(2));
    QCOMPARE(state.sessions[0].outgoing.at(0).message, state.retained[0]);
    QCOMPARE(state.sessions[1].outgoing.at(0).message, state.retained[0]);
}

// Operations: "+t=v" saves retained topic t with payload v, "-t" removes it, "s+c=f" saves
// session c subscribed to filter f, "s-c" removes session c. Those before "|" are committed
// first; the rest are queued together and written in one batch by flush().
void TestSqliteBrokerStore::coalescing_data()
{
    QTest::addColumn<QStringList>("operations");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("last save of a topic wins")
        << QStringList{"+a=1", "+a=2", "+a=3"} << QStringList{"a=3"};
    QTest::newRow("remove after save cancels it")
        << QStringList{"+a=1", "-a"} << QStringList{};
    QTest::newRow("remove after save removes the stored one")
        << QStringList{"+a=0", "|", "+a=1", "-a"} << QStringList{};
    QTest::newRow("save after remove stores")
        << QStringList{"+a=0", "|", "-a", "+a=2"} << QStringList{"a=2"};
    QTest::newRow("topics are independent")
        << QStringList{"+a=1", "+b=1", "-a", "+b=2", "+c=1"} << QStringList{"b=2", "c=1"};
    QTest::newRow("last snapshot of a session wins")
        << QStringList{"s+x=f1", "s+x=f2"} << QStringList{"session x: f2"};
    QTest::newRow("removed session stays removed")
        << QStringList{"s+x=f1", "|", "s+x=f2", "s-x"} << QStringList{};
    QTest::newRow("session saved after removal")
        << QStringList{"s+x=f1", "|", "s-x", "s+x=f3"} << QStringList{"session x: f3"};
    QTest::newRow("a saved session replaces every row")
        << QStringList{"s+x=f1", "|", "s+x=f2"} << QStringList{"session x: f2"};
}

void TestSqliteBrokerStore::coalescing()
{
    QFETCH(QStringList, operations);
    QFETCH(QStringList, expected);

    SqliteBrokerStore::Options options;
    options.writeDelay = 1h; // nothing is written before flush(): one batch
    {
        auto store = openStore(options);
        QVERIFY(store);
        std::uint64_t id = 1;
        for (const QString &op : operations) {
            if (op == QLatin1String("|")) {
                QVERIFY(store->flush());
            } else if (op.startsWith(QLatin1String("s+"))) {
                const QStringList parts = op.mid(2).split(QLatin1Char('='));
                StoredSession session;
                session.clientId = parts[0].toStdString();
                session.subscriptions = {{parts[1].toStdString(), 1}};
                session.outgoing = {{message("t", parts[1].toStdString(), 1, false, id++), 1,
                                     false, 0, false}};
                store->saveSession(session);
            } else if (op.startsWith(QLatin1String("s-"))) {
                store->removeSession(op.mid(2).toStdString());
            } else if (op.startsWith(QLatin1Char('+'))) {
                const QStringList parts = op.mid(1).split(QLatin1Char('='));
                store->saveRetained(message(parts[0].toStdString(), parts[1].toStdString(), 1,
                                            true, id++));
            } else {
                store->removeRetained(op.mid(1).toStdString());
            }
        }
        QVERIFY(store->flush());
    }
    const StoredBrokerState state = reload();
    QStringList found;
    for (const MessagePtr &m : state.retained)
        found << QString::fromStdString(m->topic + "=" + m->payload);
    for (const StoredSession &s : state.sessions) {
        QStringList filters;
        for (const StoredSubscription &sub : s.subscriptions)
            filters << QString::fromStdString(sub.filter);
        QCOMPARE(s.outgoing.size(), std::size_t(1));
        QCOMPARE(s.outgoing[0].message->payload, filters.join(QLatin1Char(',')).toStdString());
        found << QStringLiteral("session %1: %2")
                     .arg(QString::fromStdString(s.clientId), filters.join(QLatin1Char(',')));
    }
    found.sort();
    QCOMPARE(found, expected);
}

void TestSqliteBrokerStore::writesBehindWithoutFlush()
{
    auto store = openStore();
    QVERIFY(store);
    store->saveRetained(message("later", "written", 1, true, 1));
    OtherConnection other(m_path);
    QTRY_COMPARE(other.column(QStringLiteral("SELECT payload FROM mqtt_retained")),
                 QStringList{"written"});
}

// While another process holds the file and the writer waits for it, the broker's calls return.
void TestSqliteBrokerStore::savesDoNotWaitForTheDisk()
{
    SqliteBrokerStore::Options options;
    options.busyTimeout = 3s;
    auto store = openStore(options);
    QVERIFY(store);
    OtherConnection other(m_path);
    QVERIFY(other.exec(QStringLiteral("BEGIN EXCLUSIVE")));
    store->saveRetained(message("first", "x", 1, true, 1));
    QTest::qSleep(100); // the writer takes the first batch and waits for the lock

    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20'000; ++i)
        store->saveRetained(message("t/" + std::to_string(i % 500), std::to_string(i), 1, true,
                                    i + 2));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    QVERIFY2(elapsed < 2s, "saves waited for the locked workspace");

    QVERIFY(other.exec(QStringLiteral("ROLLBACK")));
    QVERIFY2(store->flush(), store->lastError().c_str());
    store.reset();
    const StoredBrokerState state = reload();
    QCOMPARE(state.retained.size(), std::size_t(501));
    for (const MessagePtr &m : state.retained) {
        if (m->topic == "t/7")
            QCOMPARE(m->payload, std::string("19507"));
    }
}

// The broker calls from its own thread; 200,000 updates of 1,000 topics end as 1,000 rows.
void TestSqliteBrokerStore::burstFromBrokerThread()
{
    auto store = openStore();
    QVERIFY(store);
    const std::string payload(100, 'p');
    bool flushed = false;
    std::thread broker([&] {
        for (int i = 0; i < 200'000; ++i) {
            store->saveRetained(message("fleet/" + std::to_string(i % 1000),
                                        payload + std::to_string(i), 1, true, i + 1));
        }
        flushed = store->flush();
    });
    broker.join();
    QVERIFY(flushed);
    store.reset();
    const StoredBrokerState state = reload();
    QCOMPARE(state.retained.size(), std::size_t(1000));
    for (const MessagePtr &m : state.retained) {
        if (m->topic == "fleet/999")
            QCOMPARE(m->payload, payload + "199999");
    }
}

void TestSqliteBrokerStore::newWorkspaceSchema()
{
    QVERIFY(openStore());
    OtherConnection other(m_path);
    QCOMPARE(other.column(QStringLiteral("SELECT key || '=' || value FROM meta ORDER BY key")),
             (QStringList{"application=iotcore-studio",
                          "schema_version=" + QString::number(WorkspaceSchema::Version)}));
    QCOMPARE(other.column(QStringLiteral("PRAGMA journal_mode")), QStringList{"wal"});
    QCOMPARE(other.column(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'"
                                         " ORDER BY name")),
             (QStringList{"iot_brokers", "iot_certificates", "iot_device_topic_aliases",
                          "iot_devices", "iot_entity_logs", "iot_labels", "iot_passwords",
                          "iot_registries", "meta", "mqtt_permanent", "mqtt_retained",
                          "mqtt_session_awaiting_release", "mqtt_session_messages",
                          "mqtt_session_subscriptions", "mqtt_sessions", "pki_authority",
                          "pki_server_certificates", "sim_scenario"}));
    // A second open of a current workspace changes nothing in it.
    QVERIFY(openStore());
}

void TestSqliteBrokerStore::emptyFileBecomesWorkspace()
{
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    auto store = openStore();
    QVERIFY(store);
    store->saveRetained(message("a", "b", 1, true, 1));
    QVERIFY(store->flush());
}

void TestSqliteBrokerStore::refusesNonSqliteFile()
{
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("registries:\n  - name: plant\n", 29);
    file.close();
    const QByteArray before = fileBytes(m_path);

    std::string error;
    QVERIFY(!SqliteBrokerStore::open(m_path.toStdString(), &error));
    QCOMPARE(QString::fromStdString(error),
             QStringLiteral("workspace %1 is not an IoT Core Studio workspace"
                            " (file is not a database)").arg(m_path));
    QCOMPARE(fileBytes(m_path), before);
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files), QStringList{"workspace.sqlite"});
}

void TestSqliteBrokerStore::refusesForeignDatabase_data()
{
    QTest::addColumn<QStringList>("statements");
    QTest::newRow("tables of its own")
        << QStringList{"CREATE TABLE contacts (name TEXT, phone TEXT)",
                       "INSERT INTO contacts VALUES ('Ann', '555')"};
    QTest::newRow("a meta table of another application")
        << QStringList{"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
                       "INSERT INTO meta VALUES ('application', 'photo-album')",
                       "INSERT INTO meta VALUES ('schema_version', '1')"};
    QTest::newRow("a meta table of other columns")
        << QStringList{"CREATE TABLE meta (name TEXT, created INTEGER)",
                       "INSERT INTO meta VALUES ('album', 1700000000)"};
}

void TestSqliteBrokerStore::refusesForeignDatabase()
{
    QFETCH(QStringList, statements);
    {
        OtherConnection other(m_path);
        for (const QString &sql : statements)
            QVERIFY(other.exec(sql));
    }
    const QByteArray before = fileBytes(m_path);

    std::string error;
    QVERIFY(!SqliteBrokerStore::open(m_path.toStdString(), &error));
    QCOMPARE(QString::fromStdString(error),
             QStringLiteral("workspace %1 is not an IoT Core Studio workspace"
                            " (a SQLite database of another application)").arg(m_path));
    QCOMPARE(fileBytes(m_path), before);
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files), QStringList{"workspace.sqlite"});
}

void TestSqliteBrokerStore::refusesDamagedWorkspace()
{
    {
        auto store = openStore();
        QVERIFY(store);
        for (int i = 0; i < 2000; ++i)
            store->saveRetained(message("t/" + std::to_string(i), std::string(200, 'x'), 1, true,
                                        i + 1));
    } // closing the last connection moves the WAL into the file
    QVERIFY(!QFile::exists(m_path + QStringLiteral("-wal")));
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.size() > 40 * 4096);
    file.seek(20 * 4096); // a page of the retained table, well past the schema
    file.write(QByteArray(3 * 4096, '\x5a'));
    file.close();
    const QByteArray before = fileBytes(m_path);

    std::string error;
    QVERIFY(!SqliteBrokerStore::open(m_path.toStdString(), &error));
    QVERIFY2(QString::fromStdString(error).startsWith(
                 QStringLiteral("workspace %1 is damaged (").arg(m_path)),
             error.c_str());
    QVERIFY2(error.find('\n') == std::string::npos, error.c_str());
    QCOMPARE(fileBytes(m_path), before);
}

void TestSqliteBrokerStore::refusesNewerSchema()
{
    QVERIFY(openStore());
    {
        OtherConnection other(m_path);
        QVERIFY(other.exec(QStringLiteral("UPDATE meta SET value = '7' WHERE key = 'schema_version'")));
        QVERIFY(other.exec(QStringLiteral("PRAGMA journal_mode=DELETE")));
    }
    const QByteArray before = fileBytes(m_path);

    std::string error;
    QVERIFY(!SqliteBrokerStore::open(m_path.toStdString(), &error));
    QCOMPARE(QString::fromStdString(error),
             QStringLiteral("workspace %1 was written by a newer IoT Core Studio (schema 7, this"
                            " version reads up to %2)")
                 .arg(m_path)
                 .arg(WorkspaceSchema::Version));
    QCOMPARE(fileBytes(m_path), before);
}

void TestSqliteBrokerStore::refusesUnusablePath_data()
{
    QTest::addColumn<QString>("relativePath");
    QTest::addColumn<QString>("expected"); // {path}: the path given, {dir}: its directory
    QTest::newRow("missing directory") << "no/such/dir/ws.sqlite"
                                       << "cannot create workspace {path}: directory {dir} does"
                                          " not exist";
    QTest::newRow("a directory") << "." << "cannot open workspace {path}: it is a directory";
}

void TestSqliteBrokerStore::refusesUnusablePath()
{
    QFETCH(QString, relativePath);
    QFETCH(QString, expected);
    const QString path = m_dir->filePath(relativePath);
    std::string error;
    QVERIFY(!SqliteBrokerStore::open(path.toStdString(), &error));
    expected.replace(QLatin1String("{path}"), path);
    expected.replace(QLatin1String("{dir}"), QFileInfo(path).absolutePath());
    QCOMPARE(QString::fromStdString(error), expected);
}

void TestSqliteBrokerStore::refusesReadOnlyPlaces()
{
    if (::geteuid() == 0)
        QSKIP("root writes to read-only files; lockedWorkspace and fullDisk cover failed writes");
    QVERIFY(openStore());
    QVERIFY(QFile::setPermissions(m_path, QFileDevice::ReadOwner));
    std::string error;
    QVERIFY(!SqliteBrokerStore::open(m_path.toStdString(), &error));
    QCOMPARE(QString::fromStdString(error),
             QStringLiteral("cannot write workspace %1: the file is read-only").arg(m_path));

    QVERIFY(QFile::setPermissions(m_path, QFileDevice::WriteOwner));
    QVERIFY(!SqliteBrokerStore::open(m_path.toStdString(), &error));
    QVERIFY2(QString::fromStdString(error).startsWith(
                 QStringLiteral("cannot read workspace %1: ").arg(m_path)),
             error.c_str());

    const QString directory = m_dir->filePath(QStringLiteral("locked"));
    QVERIFY(QDir().mkdir(directory));
    QVERIFY(QFile::setPermissions(directory, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    const QString path = directory + QStringLiteral("/new.sqlite");
    QVERIFY(!SqliteBrokerStore::open(path.toStdString(), &error));
    QCOMPARE(QString::fromStdString(error),
             QStringLiteral("cannot create workspace %1: directory %2 is read-only")
                 .arg(path, directory));
    QVERIFY(QFile::setPermissions(directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                                 | QFileDevice::ExeOwner));
}

// Another process holds the file: the batch fails after the busy timeout, what was stored stays,
// and the batch is written by the next flush once the file is free.
void TestSqliteBrokerStore::lockedWorkspaceFailsThenRetries()
{
    SqliteBrokerStore::Options options;
    options.busyTimeout = 200ms;
    auto store = openStore(options);
    QVERIFY(store);
    store->saveRetained(message("a", "old", 1, true, 1));
    QVERIFY(store->flush());
    QCOMPARE(store->lastError(), std::string());

    OtherConnection other(m_path);
    QVERIFY(other.exec(QStringLiteral("BEGIN EXCLUSIVE")));
    store->saveRetained(message("a", "new", 1, true, 2));
    store->saveRetained(message("b", "added", 1, true, 3));
    QVERIFY(!store->flush());
    QCOMPARE(QString::fromStdString(store->lastError()),
             QStringLiteral("cannot write workspace %1: database is locked").arg(m_path));
    QCOMPARE(other.column(QStringLiteral("SELECT topic || '=' || payload FROM mqtt_retained")),
             QStringList{"a=old"});

    QVERIFY(other.exec(QStringLiteral("ROLLBACK")));
    QVERIFY(store->flush());
    store.reset();
    const StoredBrokerState state = reload();
    QCOMPARE(describe(state.retained),
             describe(std::vector<MessagePtr>{message("a", "new", 1, true, 2),
                                              message("b", "added", 1, true, 3)}));
}

// A full disk, made with the file size limit (it holds for root too): the failed batch is rolled
// back and the file keeps what was committed before.
void TestSqliteBrokerStore::fullDiskKeepsCommittedData()
{
    auto store = openStore();
    QVERIFY(store);
    store->saveRetained(message("a", "committed", 1, true, 1));
    QVERIFY(store->flush());

    const qint64 used = std::max(QFileInfo(m_path).size(),
                                 QFileInfo(m_path + QStringLiteral("-wal")).size());
    rlimit saved{};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN); // EFBIG instead of a signal
    rlimit limited = saved;
    limited.rlim_cur = rlim_t(used + 16 * 1024);
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &limited), 0);

    store->saveRetained(message("a", std::string(4 << 20, 'z'), 1, true, 2));
    const bool flushed = store->flush();
    const std::string error = store->lastError();
    store.reset(); // its last flush fails too: the operation is lost, not the file

    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previousHandler);
    QVERIFY(!flushed);
    QVERIFY2(QString::fromStdString(error).startsWith(
                 QStringLiteral("cannot write workspace %1: ").arg(m_path)),
             error.c_str());
    const StoredBrokerState state = reload();
    QCOMPARE(describe(state.retained),
             describe(std::vector<MessagePtr>{message("a", "committed", 1, true, 1)}));
}

QTEST_GUILESS_MAIN(TestSqliteBrokerStore)
#include "tst_sqlitebrokerstore.moc"
