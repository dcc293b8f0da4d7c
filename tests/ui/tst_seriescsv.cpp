// seriesCsv: a chart's points as RFC 4180 CSV, one row per instant, one column per field.

#include "charts/PayloadSeries.h"
#include "charts/SeriesCsv.h"
#include "messages/MessageStore.h"

#include "EventBuilder.h"

#include <QTest>

using namespace iotcore::ui;
using namespace iotcore::ui::test;

class TestSeriesCsv : public QObject
{
    Q_OBJECT

private slots:
    void rowsMergeFieldsByTime();
    void windowBoundsAreInclusive();
    void titlesAreQuotedWhenNeeded();
    void sameMillisecondMakesTwoRows();
    void noFieldsGivesTheTimeColumnOnly();
};

namespace {

const std::string Events = "$devices/dev1/events";

void publish(MessageStore &store, std::uint64_t id, const std::string &topic,
             const std::string &payload, std::int64_t timeMs)
{
    store.ingest({published(message(id, topic, payload), "dev1", timeMs)});
}

int row(const PayloadSeries &series, const std::string &topic, const char *path)
{
    return series.indexOf(QString::fromStdString(topic), QString::fromLatin1(path));
}

} // namespace

void TestSeriesCsv::rowsMergeFieldsByTime()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events));
    publish(store, 1, Events, R"({"temperature": 21.5, "humidity": 40})", T0);
    publish(store, 2, Events, R"({"temperature": 0.1})", T0 + 250);
    publish(store, 3, Events, R"({"humidity": 1e-7, "voltage": 230})", T0 + 1000);

    const std::vector<int> rows{row(series, Events, "temperature"), row(series, Events, "humidity")};
    const QByteArray csv = seriesCsv(series, rows, T0, T0 + 60'000);
    QCOMPARE(csv, QByteArray("time,temperature (°C),humidity (%)\r\n"
                             "2025-11-25T12:00:00.000Z,21.5,40\r\n"
                             "2025-11-25T12:00:00.250Z,0.1,\r\n"
                             "2025-11-25T12:00:01.000Z,,1e-07\r\n"));
}

void TestSeriesCsv::windowBoundsAreInclusive()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events));
    for (int i = 0; i < 5; ++i)
        publish(store, std::uint64_t(i + 1), Events, std::to_string(i), T0 + i * 1000);
    const QByteArray csv = seriesCsv(series, {0}, T0 + 1000, T0 + 3000);
    QCOMPARE(csv, QByteArray("time,events\r\n"
                             "2025-11-25T12:00:01.000Z,1\r\n"
                             "2025-11-25T12:00:02.000Z,2\r\n"
                             "2025-11-25T12:00:03.000Z,3\r\n"));
}

void TestSeriesCsv::titlesAreQuotedWhenNeeded()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QStringLiteral("$devices/dev1/events/#"));
    publish(store, 1, Events + "/a,b", R"({"say \"hi\"": 1})", T0);
    const QByteArray csv = seriesCsv(series, {0}, T0, T0);
    QCOMPARE(csv, QByteArray("time,\"a,b: say \"\"hi\"\"\"\r\n"
                             "2025-11-25T12:00:00.000Z,1\r\n"));
}

void TestSeriesCsv::sameMillisecondMakesTwoRows()
{
    MessageStore store;
    PayloadSeries series(store);
    series.setTopicFilter(QString::fromStdString(Events));
    publish(store, 1, Events, R"({"a": 1, "b": 10})", T0);
    publish(store, 2, Events, R"({"a": 2})", T0);
    const QByteArray csv = seriesCsv(series, {row(series, Events, "a"), row(series, Events, "b")}, T0, T0);
    QCOMPARE(csv, QByteArray("time,a,b\r\n"
                             "2025-11-25T12:00:00.000Z,1,10\r\n"
                             "2025-11-25T12:00:00.000Z,2,\r\n"));
}

void TestSeriesCsv::noFieldsGivesTheTimeColumnOnly()
{
    MessageStore store;
    PayloadSeries series(store);
    QCOMPARE(seriesCsv(series, {}, T0, T0 + 1000), QByteArray("time\r\n"));
}

QTEST_GUILESS_MAIN(TestSeriesCsv)
#include "tst_seriescsv.moc"
