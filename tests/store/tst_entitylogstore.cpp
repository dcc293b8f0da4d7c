// EntityLogStore: reading a device's or registry's connection log back from the workspace, as
// `iot device|registry logs` does, with yc's filters (since, until, levels, limit).

#include "iot/CatalogTypes.h"
#include "store/EntityLogStore.h"
#include "store/SqliteBrokerStore.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QTest>

#include <chrono>

using namespace iotcore::broker;
using namespace std::chrono_literals;

namespace {

const auto T0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'780'000'000));

QStringList messages(const std::optional<std::vector<EntityLogLine>> &lines)
{
    QStringList out;
    if (!lines)
        return {QStringLiteral("no result")};
    for (const EntityLogLine &line : *lines)
        out << QString::fromStdString(line.level + " " + line.message);
    return out;
}

} // namespace

class TestEntityLogStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void readsOneOwnerOldestFirst();
    void filters_data();
    void filters();
    void unreadableWorkspace();

private:
    QTemporaryDir m_dir;
    QString m_path;
};

void TestEntityLogStore::init()
{
    QVERIFY(m_dir.isValid());
    static int workspaces = 0; // init() runs before every test and data row
    m_path = m_dir.filePath(QStringLiteral("ws-%1.sqlite").arg(++workspaces));
    std::string error;
    auto store = SqliteBrokerStore::open(m_path.toStdString(), &error);
    QVERIFY2(store, error.c_str());
    const auto line = [&](const char *kind, const char *id, int second, EntityLogEntry::Level level,
                          const char *message) {
        store->appendEntityLog({kind, id, T0 + std::chrono::seconds(second), level, message});
    };
    line("device", "d1", 0, EntityLogEntry::Level::Info, "connected 1");
    line("registry", "d1", 1, EntityLogEntry::Level::Info, "a registry of the same id");
    line("device", "d1", 2, EntityLogEntry::Level::Warn, "subscriptions failed");
    line("device", "d2", 3, EntityLogEntry::Level::Info, "another device");
    line("device", "d1", 4, EntityLogEntry::Level::Error, "disconnected: refused");
    line("device", "d1", 4, EntityLogEntry::Level::Info, "connected 2");
    QVERIFY(store->flush());
}

void TestEntityLogStore::readsOneOwnerOldestFirst()
{
    std::string error;
    const auto lines = EntityLogStore::read(m_path, {"device", "d1", {}, {}, {}, 0}, &error);
    QVERIFY2(lines, error.c_str());
    QCOMPARE(messages(lines), (QStringList{"INFO connected 1", "WARN subscriptions failed",
                                           "ERROR disconnected: refused", "INFO connected 2"}));
    QCOMPARE(lines->front().time, formatRfc3339Nanos(T0));
}

void TestEntityLogStore::filters_data()
{
    QTest::addColumn<int>("since"); // seconds after T0; -1: none
    QTest::addColumn<int>("until");
    QTest::addColumn<QStringList>("levels");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("since") << 2 << -1 << QStringList() << 0
                           << QStringList{"WARN subscriptions failed",
                                          "ERROR disconnected: refused", "INFO connected 2"};
    QTest::newRow("until is exclusive")
        << -1 << 4 << QStringList() << 0
        << QStringList{"INFO connected 1", "WARN subscriptions failed"};
    QTest::newRow("levels") << -1 << -1 << QStringList{"WARN", "ERROR"} << 0
                            << QStringList{"WARN subscriptions failed",
                                           "ERROR disconnected: refused"};
    QTest::newRow("limit keeps the newest")
        << -1 << -1 << QStringList() << 2
        << QStringList{"ERROR disconnected: refused", "INFO connected 2"};
    QTest::newRow("nothing") << 100 << -1 << QStringList() << 0 << QStringList();
}

void TestEntityLogStore::filters()
{
    QFETCH(int, since);
    QFETCH(int, until);
    QFETCH(QStringList, levels);
    QFETCH(int, limit);
    QFETCH(QStringList, expected);
    EntityLogStore::Query query{"device", "d1", {}, {}, {}, std::size_t(limit)};
    if (since >= 0)
        query.since = formatRfc3339Nanos(T0 + std::chrono::seconds(since));
    if (until >= 0)
        query.until = formatRfc3339Nanos(T0 + std::chrono::seconds(until));
    for (const QString &level : levels)
        query.levels.push_back(level.toStdString());
    std::string error;
    QCOMPARE(messages(EntityLogStore::read(m_path, query, &error)), expected);
}

void TestEntityLogStore::unreadableWorkspace()
{
    const QString path = m_dir.filePath(QStringLiteral("not-a-workspace"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("registries:\n  - name: plant\n");
    file.close();
    std::string error;
    QVERIFY(!EntityLogStore::read(path, {"device", "d1", {}, {}, {}, 0}, &error));
    QCOMPARE(QString::fromStdString(error),
             QStringLiteral("workspace %1 is not an IoT Core Studio workspace (file is not a "
                            "database)")
                 .arg(path));
}

QTEST_GUILESS_MAIN(TestEntityLogStore)
#include "tst_entitylogstore.moc"
