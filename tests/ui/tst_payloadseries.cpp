// PayloadSeries: the numeric fields of JSON payloads on a topic filter, collected from the
// message store's batches, with bounded memory.

#include "charts/PayloadSeries.h"
#include "messages/MessageStore.h"

#include "EventBuilder.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace iotcore::ui;
using namespace iotcore::ui::test;

namespace {

const std::string Events = "$devices/dev1/events";

// One message published at `timeMs` (store time) on `topic`.
std::vector<BrokerEvent> publish(std::uint64_t id, const std::string &topic,
                                 const std::string &payload, std::int64_t timeMs)
{
    return {published(message(id, topic, payload), "dev1", timeMs)};
}

std::vector<double> values(const SeriesField &field)
{
    std::vector<double> result;
    for (const SeriesPoint &point : field.points)
        result.push_back(point.value);
    return result;
}

} // namespace

class TestPayloadSeries : public QObject
{
    Q_OBJECT

private slots:
    void nestedNumbersBecomeFieldsAsTheyAppear();
    void pointsCarryTheMessageTime();
    void booleansAndBareNumbersArePlotted();
    void textAndMalformedPayloadsAreIgnored();
    void onlyMatchingTopicsAreCollected();
    void wildcardFilterLabelsNameTheTopic();
    void invalidFilterIsRefusedWithItsReason();
    void settingAFilterReadsWhatTheStoreHolds();
    void replayedMessagesAreNotPlotted();
    void retentionDropsOldPoints();
    void pointLimitBoundsEachField();
    void fieldCountIsBounded();
    void survivesTheStoresTrimming();
    void clearingTheStoreKeepsFieldsDropsPoints();
    void checkStateSaysWhatIsPlotted();
    void modelIsConsistent();
};

void TestPayloadSeries::nestedNumbersBecomeFieldsAsTheyAppear()
{
    MessageStore store;
    PayloadSeries series(store);
    QVERIFY(series.setTopicFilter(QString::fromStdString(Events)));
    QSignalSpy inserted(&series, &PayloadSeries::rowsInserted);
    QSignalSpy added(&series, &PayloadSeries::pointsAdded);

    store.ingest(publish(1, Events, R"({"temperature": 21.5, "env": {"humidity": 40, "name": "x"}})", T0));
    QCOMPARE(series.fieldCount(), 2);
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(added.count(), 1);
    const int temperature = series.indexOf(QString::fromStdString(Events), QStringLiteral("temperature"));
    const int humidity = series.indexOf(QString::fromStdString(Events), QStringLiteral("env.humidity"));
    QVERIFY(temperature >= 0 && humidity >= 0);
    QCOMPARE(series.field(humidity).label, QStringLiteral("env.humidity"));
    QCOMPARE(series.field(temperature).unit, QStringLiteral("°C"));
    QCOMPARE(series.field(humidity).unit, QStringLiteral("%"));
    QCOMPARE(series.data(series.index(temperature), Qt::DisplayRole).toString(),
             QStringLiteral("temperature (°C)"));

    // A field that appears later is added then; the known ones grow.
    store.ingest(publish(2, Events, R"({"temperature": 22, "env": {"humidity": 41}, "cells": [3.3, 3.4]})",
                         T0 + 1000));
    QCOMPARE(series.fieldCount(), 4);
    QVERIFY(series.indexOf(QString::fromStdString(Events), QStringLiteral("cells.1")) >= 0);
    QCOMPARE(values(series.field(temperature)), (std::vector<double>{21.5, 22}));
    QCOMPARE(series.data(series.index(humidity), PayloadSeries::LastValueRole).toDouble(), 41.0);
    QCOMPARE(added.count(), 2);
}

void TestPayloadSeries::pointsCarryTheMessageTime()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events));
    std::vector<BrokerEvent> batch;
    for (int i = 0; i < 3; ++i)
        batch.push_back(published(message(std::uint64_t(i + 1), Events, std::to_string(i * 10)),
                                  "dev1", T0 + i * 500));
    store.ingest(batch);
    QCOMPARE(series.fieldCount(), 1);
    const SeriesField &field = series.field(0);
    QCOMPARE(field.points.size(), std::size_t(3));
    QCOMPARE(field.points[0].timeMs, T0);
    QCOMPARE(field.points[2].timeMs, T0 + 1000);
    QCOMPARE(field.points[2].value, 20.0);
    QCOMPARE(series.newestTimeMs(), T0 + 1000);
}

void TestPayloadSeries::booleansAndBareNumbersArePlotted()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QStringLiteral("$devices/dev1/events/#"));
    store.ingest(publish(1, Events, R"({"open": true, "battery": 97})", T0));
    store.ingest(publish(2, Events, R"({"open": false, "battery": 97})", T0 + 1));
    store.ingest(publish(3, Events + "/temperature", " 21.25 ", T0 + 2));

    const int open = series.indexOf(QString::fromStdString(Events), QStringLiteral("open"));
    QVERIFY(open >= 0);
    QCOMPARE(values(series.field(open)), (std::vector<double>{1, 0}));
    // A bare number has no path; the label and the unit come from its own topic level.
    const int bare = series.indexOf(QString::fromStdString(Events + "/temperature"), QString());
    QVERIFY(bare >= 0);
    QCOMPARE(series.field(bare).label, QStringLiteral("temperature"));
    QCOMPARE(series.field(bare).unit, QStringLiteral("°C"));
    QCOMPARE(values(series.field(bare)), (std::vector<double>{21.25}));
}

void TestPayloadSeries::textAndMalformedPayloadsAreIgnored()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events));
    QSignalSpy added(&series, &PayloadSeries::pointsAdded);
    store.ingest(publish(1, Events, "hello", T0));
    store.ingest(publish(2, Events, R"({"temperature": 21.5)", T0));
    store.ingest(publish(3, Events, R"({"state": "on", "error": null})", T0));
    store.ingest(publish(4, Events, std::string("\x01\x02\xff", 3), T0));
    store.ingest(publish(5, Events, "", T0));
    QCOMPARE(series.fieldCount(), 0);
    QCOMPARE(added.count(), 0);
}

void TestPayloadSeries::onlyMatchingTopicsAreCollected()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QStringLiteral("$devices/dev1/events/#"));
    std::vector<BrokerEvent> batch;
    batch.push_back(published(message(1, "$devices/dev2/events", R"({"t": 1})"), "dev2", T0));
    batch.push_back(published(message(2, "$devices/dev1/state", R"({"t": 2})"), "dev1", T0));
    batch.push_back(published(message(3, "$devices/dev1/events/a", R"({"t": 3})"), "dev1", T0));
    batch.push_back(published(message(4, "$devices/dev1/events", R"({"t": 4})"), "dev1", T0));
    batch.push_back(refused("dev1", "$devices/dev1/events", "not allowed"));
    store.ingest(batch);
    QCOMPARE(series.fieldCount(), 2);
    QCOMPARE(values(series.field(series.indexOf(QStringLiteral("$devices/dev1/events/a"), QStringLiteral("t")))),
             std::vector<double>{3});
    QCOMPARE(values(series.field(series.indexOf(QStringLiteral("$devices/dev1/events"), QStringLiteral("t")))),
             std::vector<double>{4});
}

void TestPayloadSeries::wildcardFilterLabelsNameTheTopic()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QStringLiteral("$devices/+/events/#"));
    store.ingest(publish(1, "$devices/dev1/events/climate", R"({"temperature": 20})", T0));
    QCOMPARE(series.field(0).label, QStringLiteral("dev1/events/climate: temperature"));
    QCOMPARE(series.field(0).topic, QStringLiteral("$devices/dev1/events/climate"));
    QCOMPARE(series.field(0).path, QStringLiteral("temperature"));

    series.setTopicFilter(QStringLiteral("$devices/dev1/events/#"));
    store.ingest(publish(2, Events, R"({"temperature": 21})", T0 + 1));
    QCOMPARE(series.field(series.indexOf(QString::fromStdString(Events), QStringLiteral("temperature"))).label,
             QStringLiteral("temperature"));
    QCOMPARE(series.field(series.indexOf(QStringLiteral("$devices/dev1/events/climate"), QStringLiteral("temperature"))).label,
             QStringLiteral("climate: temperature"));
}

void TestPayloadSeries::invalidFilterIsRefusedWithItsReason()
{
    MessageStore store;
    PayloadSeries series(store);
    QVERIFY(series.setTopicFilter(QString::fromStdString(Events)));
    QString error;
    QVERIFY(!series.setTopicFilter(QStringLiteral("$devices/#/events"), &error));
    QVERIFY2(error.contains(QStringLiteral("$devices/#/events")), qPrintable(error));
    QVERIFY2(error.contains(u'#'), qPrintable(error));
    QCOMPARE(series.topicFilter(), QString::fromStdString(Events));
    // Nothing chosen collects nothing.
    QVERIFY(series.setTopicFilter(QString()));
    store.ingest(publish(1, Events, R"({"t": 1})", T0));
    QCOMPARE(series.fieldCount(), 0);
}

void TestPayloadSeries::settingAFilterReadsWhatTheStoreHolds()
{
    MessageStore store;
    store.ingest(publish(1, Events, R"({"power": 800})", T0));
    store.ingest(publish(2, "other", R"({"power": 1})", T0 + 1));
    store.ingest(publish(3, Events, R"({"power": 820})", T0 + 2));
    PayloadSeries series(store);
    QSignalSpy reset(&series, &PayloadSeries::modelReset);
    series.setTopicFilter(QString::fromStdString(Events));
    QCOMPARE(reset.count(), 1);
    QCOMPARE(series.fieldCount(), 1);
    QCOMPARE(values(series.field(0)), (std::vector<double>{800, 820}));
    QCOMPARE(series.field(0).unit, QStringLiteral("W"));
}

void TestPayloadSeries::replayedMessagesAreNotPlotted()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events));
    // A retained message delivered to a new subscriber, its PUBLISH long gone from the log.
    const MessagePtr old = message(7, Events, R"({"t": 5})", 0, true);
    store.ingest({delivery(BrokerEvent::Kind::Deliver, old, "viewer", 0, 0, T0)});
    QCOMPARE(store.size(), std::size_t(1));
    QCOMPARE(series.fieldCount(), 0);
}

void TestPayloadSeries::retentionDropsOldPoints()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events));
    series.setRetention(60'000);
    store.ingest(publish(1, Events, "1", T0));
    store.ingest(publish(2, Events, "2", T0 + 30'000));
    store.ingest(publish(3, Events, "3", T0 + 60'000));
    QCOMPARE(values(series.field(0)), (std::vector<double>{1, 2, 3}));
    const quint64 revision = series.field(0).revision;
    store.ingest(publish(4, Events, "4", T0 + 60'001));
    QCOMPARE(values(series.field(0)), (std::vector<double>{2, 3, 4}));
    QVERIFY(series.field(0).revision != revision);
    // Shortening the window trims at once; a point exactly that old stays.
    series.setRetention(1);
    QCOMPARE(values(series.field(0)), (std::vector<double>{3, 4}));
}

void TestPayloadSeries::pointLimitBoundsEachField()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events));
    series.setPointLimit(3);
    std::vector<BrokerEvent> batch;
    for (int i = 0; i < 10; ++i)
        batch.push_back(published(message(std::uint64_t(i + 1), Events, std::to_string(i)), "dev1", T0 + i));
    store.ingest(batch);
    QCOMPARE(values(series.field(0)), (std::vector<double>{7, 8, 9}));
    QCOMPARE(series.data(series.index(0), PayloadSeries::PointCountRole).toULongLong(), 3ull);
}

void TestPayloadSeries::fieldCountIsBounded()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events + "/#"));
    std::string payload = "[";
    for (int i = 0; i < 1000; ++i)
        payload += (i ? "," : "") + std::to_string(i);
    payload += "]";
    store.ingest(publish(1, Events, payload, T0));
    QCOMPARE(series.fieldCount(), PayloadSeries::MaxFields);
    QVERIFY(!series.fieldLimitReached());
    store.ingest(publish(2, Events + "/more", R"({"x": 1})", T0));
    QCOMPARE(series.fieldCount(), PayloadSeries::MaxFields);
    QVERIFY(series.fieldLimitReached());
    QCOMPARE(series.indexOf(QString::fromStdString(Events), QStringLiteral("0")), 0);
}

void TestPayloadSeries::survivesTheStoresTrimming()
{
    MessageStore store(2);
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events));
    // One batch larger than the store: every message is still seen once.
    std::vector<BrokerEvent> batch;
    for (int i = 0; i < 5; ++i)
        batch.push_back(published(message(std::uint64_t(i + 1), Events, std::to_string(i)), "dev1", T0 + i));
    store.ingest(batch);
    QCOMPARE(store.size(), std::size_t(2));
    QCOMPARE(values(series.field(0)), (std::vector<double>{0, 1, 2, 3, 4}));
}

void TestPayloadSeries::clearingTheStoreKeepsFieldsDropsPoints()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events));
    store.ingest(publish(1, Events, R"({"a": 1, "b": 2})", T0));
    series.setPlotted(1, true);
    store.clear();
    QCOMPARE(series.fieldCount(), 2);
    QVERIFY(series.field(0).points.empty());
    QVERIFY(series.field(1).plotted);
    QCOMPARE(series.newestTimeMs(), 0);
    QVERIFY(!series.data(series.index(0), PayloadSeries::LastValueRole).isValid());
    store.ingest(publish(2, Events, R"({"a": 3})", T0 + 5));
    QCOMPARE(values(series.field(0)), std::vector<double>{3});
}

void TestPayloadSeries::checkStateSaysWhatIsPlotted()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events));
    store.ingest(publish(1, Events, R"({"a": 1, "b": 2, "c": 3})", T0));
    QVERIFY(series.plottedFields().empty());
    QVERIFY(series.flags(series.index(0)) & Qt::ItemIsUserCheckable);
    QSignalSpy changed(&series, &PayloadSeries::dataChanged);
    QVERIFY(series.setData(series.index(2), Qt::Checked, Qt::CheckStateRole));
    QVERIFY(series.setData(series.index(0), Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(series.plottedFields(), (std::vector<int>{0, 2}));
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.at(0).at(2).value<QList<int>>(), QList<int>{Qt::CheckStateRole});
    QCOMPARE(series.data(series.index(1), Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
    series.setPlotted(2, false);
    QCOMPARE(series.plottedFields(), std::vector<int>{0});
}

void TestPayloadSeries::modelIsConsistent()
{
    MessageStore store(50);
    PayloadSeries series(store);
    QAbstractItemModelTester tester(&series, QAbstractItemModelTester::FailureReportingMode::QtTest);
    series.setTopicFilter(QStringLiteral("$devices/+/events/#"));
    for (int i = 0; i < 100; ++i) {
        const std::string topic = "$devices/dev" + std::to_string(i % 7) + "/events";
        store.ingest(publish(std::uint64_t(i + 1), topic,
                             R"({"v": )" + std::to_string(i) + R"(, "n": {"k)" + std::to_string(i % 3) + R"(": 1}})",
                             T0 + i));
        if (i % 10 == 0)
            series.setPlotted(i % series.fieldCount(), true);
    }
    QCOMPARE(series.fieldCount(), 7 * 4);
    series.setTopicFilter(QString::fromStdString("$devices/dev1/events"));
    QCOMPARE(series.fieldCount(), 4); // from the 50 the store still holds
    store.clear();
}

QTEST_GUILESS_MAIN(TestPayloadSeries)
#include "tst_payloadseries.moc"
