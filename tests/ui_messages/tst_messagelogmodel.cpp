// MessageLogModel over a MessageStore: rows in batches, capacity, pause, filters (MQTT
// wildcards, client, QoS, text), checked with QAbstractItemModelTester throughout.

#include "EventBuilder.h"
#include "MessageLogModel.h"
#include "MessageStore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace iotcore::ui;
using namespace iotcore::ui::test;
using Kind = BrokerEvent::Kind;

namespace {

QStringList column(const MessageLogModel &model, int column)
{
    QStringList values;
    for (int row = 0; row < model.rowCount(); ++row)
        values << model.index(row, column).data().toString();
    return values;
}

// Ten messages on a few topics, from two senders, to two receivers, at QoS 0, 1 and 2.
std::vector<BrokerEvent> traffic()
{
    std::vector<BrokerEvent> events;
    const struct {
        const char *topic;
        const char *payload;
        const char *sender;
        const char *receiver;
        std::uint8_t qos;
    } rows[] = {
        {"home/kitchen/temp", R"({"t":21.5})", "sensor-1", "dash", 0},
        {"home/kitchen/hum", R"({"h":40})", "sensor-1", "dash", 1},
        {"home/hall/temp", R"({"t":19})", "sensor-2", "dash", 0},
        {"home/hall/door", "OPEN", "sensor-2", "alarm", 2},
        {"$devices/d1/events", "Boiler ON", "boiler", "registry", 1},
        {"office/temp", R"({"t":23})", "sensor-3", "dash", 0},
        {"home/kitchen/temp", R"({"t":21.7})", "sensor-1", "dash", 0},
        {"home/hall/door", "closed", "sensor-2", "alarm", 2},
        {"$devices/d1/state", "boiler off", "boiler", "registry", 1},
        {"home", "root", "sensor-9", "", 0},
    };
    std::uint64_t id = 1;
    for (const auto &row : rows) {
        std::vector<std::string> receivers;
        if (*row.receiver)
            receivers.push_back(row.receiver);
        const auto one = routed(id, row.topic, row.payload, row.sender, receivers, row.qos,
                                T0 + std::int64_t(id));
        events.insert(events.end(), one.begin(), one.end());
        ++id;
    }
    return events;
}

} // namespace

class tst_MessageLogModel : public QObject
{
    Q_OBJECT

private slots:
    void rowsFollowTheStore();
    void displayedColumns();
    void indicatorsFollowDeliveries();
    void filters_data();
    void filters();
    void filterAppliesToNewRows();
    void invalidPatternIsRefused();
    void clearingTheFilterShowsEverything();
    void pauseHoldsRowsBack();
    void previewOfBinaryIsHex();
};

void tst_MessageLogModel::rowsFollowTheStore()
{
    MessageStore store(6);
    MessageLogModel model(store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.rowCount(), 0);
    store.ingest(traffic());
    QCOMPARE(model.rowCount(), 6);
    QCOMPARE(model.index(0, MessageLogModel::Topic).data().toString(), "$devices/d1/events");
    store.ingest(routed(100, "late", "x", "p", {}));
    QCOMPARE(model.rowCount(), 6);
    QCOMPARE(model.index(5, MessageLogModel::Topic).data().toString(), "late");
    QCOMPARE(model.seqAt(0), store.firstSeq());
    store.clear();
    QCOMPARE(model.rowCount(), 0);
}

void tst_MessageLogModel::displayedColumns()
{
    MessageStore store;
    MessageLogModel model(store);
    const MessagePtr kept = message(1, "$devices/d1/state", "on", 1, true);
    const MessagePtr replay = message(2, "r", "old", 0, true);
    store.ingest({published(kept, "boiler", T0, true),
                  delivery(Kind::Deliver, kept, "a", 1, 1), delivery(Kind::Deliver, kept, "b", 1, 2),
                  delivery(Kind::Deliver, kept, "c", 1, 3), delivery(Kind::Deliver, kept, "d", 1, 4),
                  delivery(Kind::Deliver, replay, "late", 0, 0),
                  refused("dev", "$devices/x/events", "not allowed")});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, MessageLogModel::Sender).data().toString(), "boiler");
    QCOMPARE(model.index(0, MessageLogModel::Receivers).data().toString(), "a, b, c +1");
    QCOMPARE(model.index(0, MessageLogModel::Receivers).data(Qt::ToolTipRole).toString(), "a\nb\nc\nd");
    QCOMPARE(model.index(0, MessageLogModel::Qos).data().toString(), "1");
    QCOMPARE(model.index(0, MessageLogModel::Flags).data().toString(), "retain, permanent");
    QCOMPARE(model.index(0, MessageLogModel::Payload).data().toString(), "on");
    QCOMPARE(model.index(0, MessageLogModel::Time).data().toString(),
             QDateTime::fromMSecsSinceEpoch(T0).toString("HH:mm:ss.zzz"));
    QCOMPARE(model.index(1, MessageLogModel::Sender).data().toString(), "(retained)");
    QCOMPARE(model.index(2, MessageLogModel::Flags).data().toString(), "publish refused");
    QCOMPARE(model.index(2, MessageLogModel::Payload).data().toString(), "not allowed");
    QCOMPARE(model.index(2, MessageLogModel::Qos).data().toString(), QString());
}

void tst_MessageLogModel::indicatorsFollowDeliveries()
{
    MessageStore store;
    MessageLogModel model(store);
    const MessagePtr msg = message(1, "t", "x", 2);
    store.ingest({published(msg, "p"), delivery(Kind::Deliver, msg, "a", 2, 1),
                  dropped(msg, "b", "queue full")});
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    store.ingest({acked(msg, "a", 1, "PUBREC"), delivery(Kind::Retry, msg, "a", 2, 1)});
    QCOMPARE(changed.size(), 1);
    const auto indicators = model.index(0, MessageLogModel::Qos)
                                .data(MessageLogModel::IndicatorsRole)
                                .value<DeliveryIndicators>();
    QCOMPARE(indicators.qos, 2);
    QCOMPARE(indicators.marks.size(), 2);
    QCOMPARE(indicators.marks[0].state, DeliveryState::Received);
    QVERIFY(indicators.marks[0].retried);
    QCOMPARE(indicators.marks[1].state, DeliveryState::Dropped);
    QCOMPARE(indicators.moreReceivers, 0);
    QCOMPARE(model.index(0, MessageLogModel::Qos).data(Qt::ToolTipRole).toString(),
             "a: PUBREC received, PUBREL sent, retried with DUP\nb: dropped: queue full");
}

void tst_MessageLogModel::filters_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QString>("client");
    QTest::addColumn<int>("qos");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("payloads");

    QTest::newRow("single-level wildcard") << "home/+/temp" << "" << -1 << ""
        << QStringList{R"({"t":21.5})", R"({"t":19})", R"({"t":21.7})"};
    QTest::newRow("multi-level wildcard includes the parent") << "home/#" << "" << -1 << ""
        << QStringList{R"({"t":21.5})", R"({"h":40})", R"({"t":19})", "OPEN", R"({"t":21.7})",
                       "closed", "root"};
    QTest::newRow("# does not reach $ topics") << "#" << "" << -1 << "" << QStringList{
        R"({"t":21.5})", R"({"h":40})", R"({"t":19})", "OPEN", R"({"t":23})", R"({"t":21.7})",
        "closed", "root"};
    QTest::newRow("exact topic") << "$devices/d1/state" << "" << -1 << "" << QStringList{"boiler off"};
    QTest::newRow("sender") << "" << "SENSOR-2" << -1 << "" << QStringList{R"({"t":19})", "OPEN", "closed"};
    QTest::newRow("receiver") << "" << "alarm" << -1 << "" << QStringList{"OPEN", "closed"};
    QTest::newRow("qos") << "" << "" << 1 << "" << QStringList{R"({"h":40})", "Boiler ON", "boiler off"};
    QTest::newRow("text ignores case") << "" << "" << -1 << "BOILER" << QStringList{"Boiler ON", "boiler off"};
    QTest::newRow("text in the topic") << "" << "" << -1 << "hall" << QStringList{R"({"t":19})", "OPEN", "closed"};
    QTest::newRow("all together") << "home/#" << "sensor-1" << 0 << "21" << QStringList{
        R"({"t":21.5})", R"({"t":21.7})"};
    QTest::newRow("nothing") << "nowhere/#" << "" << -1 << "" << QStringList{};
}

void tst_MessageLogModel::filters()
{
    QFETCH(QString, topic);
    QFETCH(QString, client);
    QFETCH(int, qos);
    QFETCH(QString, text);
    QFETCH(QStringList, payloads);

    MessageStore store;
    MessageLogModel model(store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    store.ingest(traffic());
    QSignalSpy finished(&model, &MessageLogModel::filterFinished);
    QCOMPARE(model.setFilter({topic, client, qos, text}), QString());
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.front().at(1).toInt(), payloads.size());
    QCOMPARE(column(model, MessageLogModel::Payload), payloads);
}

void tst_MessageLogModel::filterAppliesToNewRows()
{
    MessageStore store(12);
    MessageLogModel model(store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    store.ingest(traffic());
    QSignalSpy finished(&model, &MessageLogModel::filterFinished);
    model.setFilter({"home/hall/#", "", -1, ""});
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(model.rowCount(), 3);
    store.ingest(routed(50, "home/hall/temp", "new", "s", {}));
    store.ingest(routed(51, "elsewhere", "no", "s", {}));
    QCOMPARE(column(model, MessageLogModel::Payload),
             (QStringList{R"({"t":19})", "OPEN", "closed", "new"}));
    // Past the capacity (12) the oldest leave: the hall's first two messages are among them.
    for (std::uint64_t id = 60; id < 64; ++id)
        store.ingest(routed(id, "elsewhere", "no", "s", {}));
    QCOMPARE(column(model, MessageLogModel::Payload), (QStringList{"closed", "new"}));
}

void tst_MessageLogModel::invalidPatternIsRefused()
{
    MessageStore store;
    MessageLogModel model(store);
    store.ingest(traffic());
    const QString error = model.setFilter({"home/#/temp", "", -1, ""});
    QVERIFY(error.startsWith("Topic pattern \"home/#/temp\": "));
    QVERIFY(!error.contains('\n'));
    QCOMPARE(model.rowCount(), 10);
    QVERIFY(!model.isFiltering());
}

void tst_MessageLogModel::clearingTheFilterShowsEverything()
{
    MessageStore store;
    MessageLogModel model(store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    store.ingest(traffic());
    QSignalSpy finished(&model, &MessageLogModel::filterFinished);
    model.setFilter({"office/#", "", -1, ""});
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(model.rowCount(), 1);
    model.setFilter({});
    QTRY_COMPARE(finished.size(), 2);
    QCOMPARE(model.rowCount(), 10);
}

void tst_MessageLogModel::pauseHoldsRowsBack()
{
    MessageStore store(12);
    MessageLogModel model(store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    store.ingest(traffic());
    model.setPaused(true);
    store.ingest(routed(20, "a", "held", "s", {}));
    store.ingest(routed(21, "b", "held too", "s", {}));
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.heldBack(), 2u);
    // Past the capacity the oldest rows still go while paused.
    store.ingest(routed(22, "c", "third", "s", {}));
    QCOMPARE(model.rowCount(), 9);
    model.setPaused(false);
    QCOMPARE(model.rowCount(), 12);
    QCOMPARE(model.heldBack(), 0u);
    QCOMPARE(model.index(11, MessageLogModel::Payload).data().toString(), "third");
}

void tst_MessageLogModel::previewOfBinaryIsHex()
{
    QCOMPARE(MessageLogModel::previewText(std::string_view("\x01\x02\xff", 3)), "hex: 01 02 ff");
    QCOMPARE(MessageLogModel::previewText("a\nb"), "a b");
    QCOMPARE(MessageLogModel::previewText(std::string(200, 'x'), 10), QString(10, 'x') + "…");
    // A multi-byte character cut by the sample is still text.
    const std::string cyrillic = "Привет, мир";
    QCOMPARE(MessageLogModel::previewText(cyrillic, 2), "Пр…");
}

QTEST_MAIN(tst_MessageLogModel)
#include "tst_messagelogmodel.moc"
