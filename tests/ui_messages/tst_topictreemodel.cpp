// TopicTreeModel and TopicHistoryModel: every topic seen as a tree, IoT Core ids grouped under
// registry and device names, counts, markers, rates, and one topic's history.

#include "EventBuilder.h"
#include "MessageStore.h"
#include "TopicHistoryModel.h"
#include "TopicTreeModel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace iotcore::ui;
using namespace iotcore::ui::test;
using Kind = BrokerEvent::Kind;

namespace {

std::optional<TopicOwnerNames> catalog(const QString &id)
{
    if (id == "dev1")
        return TopicOwnerNames{"home", "boiler"};
    if (id == "dev2")
        return TopicOwnerNames{"home", "attic"};
    if (id == "reg1")
        return TopicOwnerNames{"home", {}};
    return std::nullopt;
}

// The labels from the root down to `index`.
QStringList pathOf(QModelIndex index)
{
    QStringList path;
    for (; index.isValid(); index = index.parent())
        path.prepend(index.siblingAtColumn(TopicTreeModel::Name).data().toString());
    return path;
}

QString cell(const TopicTreeModel &model, const QString &topic, int column)
{
    return model.indexOfTopic(topic).siblingAtColumn(column).data().toString();
}

} // namespace

class tst_TopicTreeModel : public QObject
{
    Q_OBJECT

private slots:
    void levelsBecomeNodes();
    void iotCoreIdsAreGroupedByName();
    void countsAndLastMessage();
    void retainedAndKeptMarkers();
    void ratesPerSecond();
    void historyOfOneTopic();
};

void tst_TopicTreeModel::levelsBecomeNodes()
{
    MessageStore store;
    TopicTreeModel model(store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    store.ingest(routed(1, "home/kitchen/temp", "21", "s", {}));
    store.ingest(routed(2, "home/hall", "x", "s", {}));
    store.ingest(routed(3, "home/Attic/temp", "x", "s", {}));
    store.ingest(routed(4, "a//b", "x", "s", {}));
    QCOMPARE(model.rowCount(), 2); // "a", "home"
    QCOMPARE(pathOf(model.indexOfTopic("home/kitchen/temp")), (QStringList{"home", "kitchen", "temp"}));
    QCOMPARE(pathOf(model.indexOfTopic("a//b")), (QStringList{"a", "(empty)", "b"}));
    // Siblings in alphabetical order, ignoring case.
    const QModelIndex home = model.indexOfTopic("home/hall").parent();
    QStringList children;
    for (int row = 0; row < model.rowCount(home); ++row)
        children << model.index(row, 0, home).data().toString();
    QCOMPARE(children, (QStringList{"Attic", "hall", "kitchen"}));
    QCOMPARE(model.indexOfTopic("home/hall").data(TopicTreeModel::TopicRole).toString(), "home/hall");
    QCOMPARE(home.data(TopicTreeModel::TopicRole).toString(), QString());
    QVERIFY(!model.indexOfTopic("never/seen").isValid());
}

void tst_TopicTreeModel::iotCoreIdsAreGroupedByName()
{
    MessageStore store;
    TopicTreeModel model(store, catalog);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    store.ingest(routed(1, "$devices/dev1/events/temp", "1", "dev1", {}));
    store.ingest(routed(2, "$devices/dev2/state", "1", "dev2", {}));
    store.ingest(routed(3, "$registries/reg1/commands", "1", "reg1", {}));
    store.ingest(routed(4, "$monitoring/dev1/json", "{}", "", {}));
    store.ingest(routed(5, "$devices/unknown/events", "1", "x", {}));
    QCOMPARE(pathOf(model.indexOfTopic("$devices/dev1/events/temp")),
             (QStringList{"$devices", "home", "boiler", "events", "temp"}));
    QCOMPARE(pathOf(model.indexOfTopic("$devices/dev2/state")),
             (QStringList{"$devices", "home", "attic", "state"}));
    QCOMPARE(pathOf(model.indexOfTopic("$registries/reg1/commands")),
             (QStringList{"$registries", "home", "commands"}));
    QCOMPARE(pathOf(model.indexOfTopic("$monitoring/dev1/json")),
             (QStringList{"$monitoring", "home", "boiler", "json"}));
    QCOMPARE(pathOf(model.indexOfTopic("$devices/unknown/events")),
             (QStringList{"$devices", "unknown", "events"}));
    // Both devices of the registry sit under one registry node.
    QCOMPARE(model.indexOfTopic("$devices/dev1/events/temp").parent().parent().parent(),
             model.indexOfTopic("$devices/dev2/state").parent().parent());
    const QModelIndex device = model.indexOfTopic("$devices/dev1/events/temp").parent().parent();
    QCOMPARE(device.data(Qt::ToolTipRole).toString(), "device boiler (dev1)");
}

void tst_TopicTreeModel::countsAndLastMessage()
{
    MessageStore store(2); // counts are not bounded by the store's capacity
    TopicTreeModel model(store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    std::vector<BrokerEvent> events;
    for (std::uint64_t id = 1; id <= 4; ++id) {
        const auto one = routed(id, "a/b", "v" + std::to_string(id), "s", {}, 1);
        events.insert(events.end(), one.begin(), one.end());
    }
    const auto other = routed(5, "a/c", "other", "s", {}, 0);
    events.insert(events.end(), other.begin(), other.end());
    store.ingest(events);
    store.ingest(routed(6, "a", "parent", "s", {}, 2));
    store.ingest({refused("s", "a/refused", "not allowed")});
    QCOMPARE(cell(model, "a/b", TopicTreeModel::Messages), "4");
    QCOMPARE(cell(model, "a/b", TopicTreeModel::LastPayload), "v4");
    QCOMPARE(cell(model, "a/b", TopicTreeModel::Qos), "1");
    QCOMPARE(cell(model, "a", TopicTreeModel::Messages), "6");
    QCOMPARE(cell(model, "a", TopicTreeModel::LastPayload), "parent");
    QCOMPARE(cell(model, "a", TopicTreeModel::Qos), "2");
    QVERIFY(!model.indexOfTopic("a/refused").isValid());
}

void tst_TopicTreeModel::retainedAndKeptMarkers()
{
    MessageStore store;
    TopicTreeModel model(store);
    const MessagePtr retained = message(1, "r", "on", 0, true);
    const MessagePtr kept = message(2, "$devices/d/state", "s", 1);
    store.ingest({published(retained, "s"), published(kept, "d", T0, true),
                  published(message(3, "plain", "x"), "s")});
    QCOMPARE(cell(model, "r", TopicTreeModel::Marker), "retained");
    QCOMPARE(cell(model, "$devices/d/state", TopicTreeModel::Marker), "permanent");
    QCOMPARE(cell(model, "plain", TopicTreeModel::Marker), QString());
    // A later message without RETAIN leaves the retained one in place; an empty retained one
    // clears it (MQTT-3.3.1-10).
    store.ingest({published(message(4, "r", "live"), "s")});
    QCOMPARE(cell(model, "r", TopicTreeModel::Marker), "retained");
    store.ingest({published(message(5, "r", "", 0, true), "s")});
    QCOMPARE(cell(model, "r", TopicTreeModel::Marker), QString());
}

void tst_TopicTreeModel::ratesPerSecond()
{
    MessageStore store;
    TopicTreeModel model(store);
    model.updateRates(); // starts a window
    std::vector<BrokerEvent> events;
    for (std::uint64_t id = 1; id <= 50; ++id) {
        const auto one = routed(id, "fast/topic", "x", "s", {});
        events.insert(events.end(), one.begin(), one.end());
    }
    store.ingest(events);
    QTest::qSleep(100);
    model.updateRates();
    const double rate = QLocale().toDouble(cell(model, "fast/topic", TopicTreeModel::Rate));
    QVERIFY2(rate > 50 && rate <= 500, qPrintable(QString::number(rate)));
    model.updateRates(); // nothing since
    QCOMPARE(cell(model, "fast/topic", TopicTreeModel::Rate), QString());
}

void tst_TopicTreeModel::historyOfOneTopic()
{
    MessageStore store(5);
    TopicHistoryModel history(store);
    QAbstractItemModelTester tester(&history, QAbstractItemModelTester::FailureReportingMode::Fatal);
    store.ingest(routed(1, "t", "one", "s", {}));
    store.ingest(routed(2, "other", "x", "s", {}));
    store.ingest(routed(3, "t", "two", "s", {}));
    history.setTopic(store.topics().find("t"));
    QCOMPARE(history.rowCount(), 2);
    QCOMPARE(history.index(0, TopicHistoryModel::Payload).data().toString(), "one");
    store.ingest(routed(4, "t", "three", "s", {}));
    QCOMPARE(history.rowCount(), 3);
    QCOMPARE(history.index(2, TopicHistoryModel::Payload).data().toString(), "three");
    // The history is bounded by the store's capacity, not by a count of its own.
    for (std::uint64_t id = 5; id <= 7; ++id)
        store.ingest(routed(id, "other", "x", "s", {}));
    QCOMPARE(history.rowCount(), 2);
    QCOMPARE(history.index(0, TopicHistoryModel::Payload).data().toString(), "two");
    history.setTopic(std::nullopt);
    QCOMPARE(history.rowCount(), 0);
}

QTEST_MAIN(tst_TopicTreeModel)
#include "tst_topictreemodel.moc"
