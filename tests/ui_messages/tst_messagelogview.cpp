// MessageLogView, MessageDetailPane and TopicTreeView driven as a user would, offscreen: rows
// appear, the filter bar filters as you type, pause, copy, capacity, the detail pane's views
// and the topic history's diff.

#include "EventBuilder.h"
#include "MessageDetailPane.h"
#include "MessageLogModel.h"
#include "MessageLogView.h"
#include "MessageStore.h"
#include "TopicHistoryModel.h"
#include "TopicTreeView.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTextEdit>
#include <QToolButton>
#include <QTreeView>

using namespace iotcore::ui;
using namespace iotcore::ui::test;
using Kind = BrokerEvent::Kind;

namespace {

std::vector<BrokerEvent> someTraffic()
{
    const MessagePtr json = message(1, "home/kitchen/temp", R"({"t":21.5,"ts":1764072000})", 1);
    const MessagePtr binary = message(2, "home/raw", std::string("\x00\x01\xfe", 3), 0);
    const MessagePtr text = message(3, "office/door", "open", 2);
    return {published(json, "sensor-1", T0), delivery(Kind::Deliver, json, "dash", 1, 7, T0 + 1),
            acked(json, "dash", 7, "PUBACK", T0 + 3), published(binary, "sensor-2", T0 + 10),
            published(text, "door", T0 + 20), delivery(Kind::Deliver, text, "alarm", 2, 1, T0 + 20),
            acked(text, "alarm", 1, "PUBREC", T0 + 22), dropped(text, "slow", "queue full", T0 + 20)};
}

} // namespace

class tst_MessageLogView : public QObject
{
    Q_OBJECT

private slots:
    void rowsAppearAndFilterAsYouType();
    void invalidPatternIsShown();
    void detailPaneShowsTheWholeMessage();
    void pauseAndResume();
    void copyPutsPayloadsOnTheClipboard();
    void capacityIsTheStores();
    void topicTreeShowsHistoryAndDiff();
};

void tst_MessageLogView::rowsAppearAndFilterAsYouType()
{
    MessageStore store;
    MessageLogView view(store);
    view.resize(1200, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    store.ingest(someTraffic());
    QCOMPARE(view.model()->rowCount(), 3);

    auto *topic = view.findChild<QLineEdit *>("topicFilter");
    QVERIFY(topic);
    QTest::keyClicks(topic, "home/#");
    QTRY_COMPARE(view.model()->rowCount(), 2);
    auto *text = view.findChild<QLineEdit *>("textFilter");
    QTest::keyClicks(text, "21.5");
    QTRY_COMPARE(view.model()->rowCount(), 1);
    auto *qos = view.findChild<QComboBox *>("qosFilter");
    qos->setCurrentIndex(qos->findData(0));
    QTRY_COMPARE(view.model()->rowCount(), 0);
    qos->setCurrentIndex(qos->findData(-1));
    text->clear();
    topic->clear();
    QTRY_COMPARE(view.model()->rowCount(), 3);
    QTRY_VERIFY(view.findChild<QLabel *>("status")->text().startsWith("3 of 3"));
}

void tst_MessageLogView::invalidPatternIsShown()
{
    MessageStore store;
    MessageLogView view(store);
    store.ingest(someTraffic());
    auto *topic = view.findChild<QLineEdit *>("topicFilter");
    QTest::keyClicks(topic, "home/#/x");
    QTRY_VERIFY(!topic->toolTip().isEmpty());
    QVERIFY(topic->toolTip().contains("home/#/x"));
    QCOMPARE(view.model()->rowCount(), 3);
}

void tst_MessageLogView::detailPaneShowsTheWholeMessage()
{
    MessageStore store;
    MessageLogView view(store);
    view.resize(1200, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    store.ingest(someTraffic());

    view.table()->selectRow(0);
    MessageDetailPane *pane = view.detailPane();
    QVERIFY(pane->findChild<QLabel *>("detailHeader")->text().contains("home/kitchen/temp"));
    QCOMPARE(pane->findChild<QPlainTextEdit *>("payloadText")->toPlainText(),
             "{\n  \"t\": 21.5,\n  \"ts\": 1764072000\n}");
    auto *stamps = pane->findChild<QLabel *>("decodedTimestamps");
    QVERIFY(!stamps->isHidden());
    QVERIFY2(stamps->text().contains("2025-11-25 12:00:00.000 UTC"), qPrintable(stamps->text()));
    QCOMPARE(pane->findChild<QPlainTextEdit *>("deliveryText")->toPlainText(),
             "dash  QoS 1, packet 7: sent +1 ms → PUBACK +3 ms");

    // The hex dump is made when its tab is shown.
    auto *tabs = pane->findChild<QTabWidget *>();
    auto *hex = pane->findChild<QPlainTextEdit *>("hexText");
    view.table()->selectRow(1);
    QVERIFY(pane->findChild<QPlainTextEdit *>("payloadText")->toPlainText().contains("3 bytes"));
    tabs->setCurrentWidget(hex);
    QCOMPARE(hex->toPlainText(),
             "00000000  00 01 fe                                         |...|\n");

    view.table()->selectRow(2);
    QCOMPARE(pane->findChild<QPlainTextEdit *>("deliveryText")->toPlainText(),
             "alarm  QoS 2, packet 1: sent +0 ms → PUBREC +2 ms, PUBREL sent → waiting for PUBCOMP\n"
             "slow  QoS 2: dropped +0 ms: queue full");
    QVERIFY(stamps->isHidden());
}

void tst_MessageLogView::pauseAndResume()
{
    MessageStore store;
    MessageLogView view(store);
    store.ingest(someTraffic());
    auto *pause = view.findChild<QToolButton *>("pauseButton");
    QTest::mouseClick(pause, Qt::LeftButton);
    QVERIFY(view.model()->isPaused());
    QCOMPARE(pause->text(), "Resume");
    store.ingest(routed(10, "late", "x", "s", {}));
    QCOMPARE(view.model()->rowCount(), 3);
    QTRY_VERIFY(view.findChild<QLabel *>("status")->text().contains("paused: 1 new"));
    QTest::mouseClick(pause, Qt::LeftButton);
    QCOMPARE(view.model()->rowCount(), 4);
}

void tst_MessageLogView::copyPutsPayloadsOnTheClipboard()
{
    MessageStore store;
    MessageLogView view(store);
    store.ingest(someTraffic());
    view.table()->selectRow(0);
    view.copySelection();
    const QStringList fields = QApplication::clipboard()->text().split('\t');
    QCOMPARE(fields.size(), 7);
    QCOMPARE(fields[1], "home/kitchen/temp");
    QCOMPARE(fields[2], "sensor-1");
    QCOMPARE(fields[6], R"({"t":21.5,"ts":1764072000})");
}

void tst_MessageLogView::capacityIsTheStores()
{
    MessageStore store(5000);
    MessageLogView view(store);
    auto *capacity = view.findChild<QSpinBox *>("capacity");
    QCOMPARE(capacity->value(), 5000);
    capacity->setValue(2000);
    emit capacity->editingFinished();
    QCOMPARE(store.capacity(), 2000u);
}

void tst_MessageLogView::topicTreeShowsHistoryAndDiff()
{
    MessageStore store;
    TopicTreeView view(store);
    view.resize(1200, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    store.ingest(routed(1, "home/kitchen/temp", R"({"t":21.5,"h":40})", "s", {}));
    store.ingest(routed(2, "home/kitchen/temp", R"({"t":22,"h":40})", "s", {}));
    QVERIFY(view.selectTopic("home/kitchen/temp"));
    QCOMPARE(view.history()->rowCount(), 2);
    QCOMPARE(view.historyTable()->currentIndex().row(), 1);
    const QString diff = view.findChild<QTextEdit *>("diffText")->toPlainText();
    QVERIFY2(diff.contains("-   \"t\": 21.5,") && diff.contains("+   \"t\": 22,")
                 && diff.contains("    \"h\": 40"),
             qPrintable(diff));
    QVERIFY(!view.selectTopic("not/seen"));
}

QTEST_MAIN(tst_MessageLogView)
#include "tst_messagelogview.moc"
