// PayloadChartView: a topic's numeric fields plotted live, paused, exported as PNG and CSV.
// Set CHARTS_GRAB_DIR to keep pictures of the view at projector sizes for a look.

#include "charts/PayloadChartView.h"
#include "charts/PayloadSeries.h"
#include "messages/MessageStore.h"

#include "EventBuilder.h"

#include <QChart>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QDir>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <cmath>

using namespace iotcore::ui;
using namespace iotcore::ui::test;

namespace {

const std::string Events = "$devices/are1thermostat/events";

// A thermostat's last `minutes` of readings every 3 s, ending now, as the broker logged them.
std::vector<BrokerEvent> thermostatHistory(int minutes, std::uint64_t firstId)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    std::vector<BrokerEvent> events;
    const int count = minutes * 20;
    for (int i = 0; i < count; ++i) {
        const qint64 time = now - (count - 1 - i) * 3000;
        const double temperature = 21 + 2 * std::sin(i / 15.0);
        const double humidity = 55 - 2 * (temperature - 21);
        const std::string payload = "{\"temperature\": " + std::to_string(temperature)
            + ", \"humidity\": " + std::to_string(std::round(humidity))
            + ", \"setpoint\": 21, \"status\": {\"heating\": " + (temperature < 21 ? "true" : "false")
            + ", \"rssi\": " + std::to_string(-60 - i % 7) + "}}";
        events.push_back(published(message(firstId + std::uint64_t(i), Events, payload, 1),
                                   "are1thermostat", time));
    }
    return events;
}

QList<QLineSeries *> lines(const PayloadChartView &view)
{
    QList<QLineSeries *> result;
    for (QAbstractSeries *series : view.chart()->series())
        result.append(qobject_cast<QLineSeries *>(series));
    return result;
}

void grabFor(QWidget &widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("CHARTS_GRAB_DIR");
    if (!dir.isEmpty())
        QVERIFY(widget.grab().save(QDir(dir).filePath(name)));
}

} // namespace

class TestPayloadChartView : public QObject
{
    Q_OBJECT

private slots:
    void plotsTheFirstFieldsOfATopic();
    void tickingChoosesTheSeries();
    void invalidTopicIsExplainedAsYouType();
    void topicBoxSuggestsWhatWasSeen();
    void windowSetsTheTimeAxis();
    void pauseFreezesWhileCollecting();
    void exportsPngAndCsv();
    void failedExportSaysWhy();
};

void TestPayloadChartView::plotsTheFirstFieldsOfATopic()
{
    MessageStore store;
    store.ingest(thermostatHistory(4, 1));
    PayloadChartView view(store);
    view.resize(1366, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.setTopicFilter(QString::fromStdString(Events)));

    // Fields in key order: humidity, setpoint, status.heating, status.rssi, temperature; the
    // first four are plotted.
    QCOMPARE(view.series()->fieldCount(), 5);
    QCOMPARE(int(view.series()->plottedFields().size()), PayloadChartView::AutoPlottedFields);
    const QList<QLineSeries *> shown = lines(view);
    QCOMPARE(shown.size(), PayloadChartView::AutoPlottedFields);
    QStringList names;
    for (const QLineSeries *line : shown)
        names.append(line->name());
    QCOMPARE(names, (QStringList{QStringLiteral("humidity (%)"), QStringLiteral("setpoint"),
                                 QStringLiteral("status.heating"), QStringLiteral("status.rssi (dBm)")}));
    // 4 minutes at one reading per 3 s in a 5-minute window: every point is drawn.
    QTRY_COMPARE(shown.first()->count(), 80);
    QVERIFY(view.chart()->title().isEmpty());

    // Readings that arrive later reach the chart within a frame or two.
    store.ingest({published(message(1000, Events, R"({"humidity": 99})"), "are1thermostat",
                            QDateTime::currentMSecsSinceEpoch())});
    QTRY_COMPARE(shown.first()->count(), 81);
    grabFor(view, QStringLiteral("chart-1366.png"));
    view.resize(1920, 1000);
    grabFor(view, QStringLiteral("chart-1920.png"));
}

void TestPayloadChartView::tickingChoosesTheSeries()
{
    MessageStore store;
    PayloadChartView view(store);
    view.resize(1000, 600);
    view.show();
    QVERIFY(view.setTopicFilter(QString::fromStdString(Events)));
    QCOMPARE(view.chart()->title(), QStringLiteral("No numeric fields on %1 yet").arg(QString::fromStdString(Events)));
    store.ingest(thermostatHistory(1, 1));
    QCOMPARE(lines(view).size(), PayloadChartView::AutoPlottedFields);

    PayloadSeries &series = *view.series();
    const int temperature = series.indexOf(QString::fromStdString(Events), QStringLiteral("temperature"));
    const int rssi = series.indexOf(QString::fromStdString(Events), QStringLiteral("status.rssi"));
    for (const int row : series.plottedFields())
        series.setData(series.index(row), Qt::Unchecked, Qt::CheckStateRole);
    QVERIFY(lines(view).isEmpty());
    QCOMPARE(view.chart()->title(), QStringLiteral("Tick the fields to plot"));
    series.setData(series.index(temperature), Qt::Checked, Qt::CheckStateRole);
    series.setData(series.index(rssi), Qt::Checked, Qt::CheckStateRole);
    QCOMPARE(lines(view).size(), 2);
    // °C and dBm: one value axis each, besides the time axis.
    QCOMPARE(view.chart()->axes(Qt::Vertical).size(), 2);

    // A field found after the user chose is not plotted by itself.
    store.ingest({published(message(500, Events, R"({"co2": 600})"), "are1thermostat",
                            QDateTime::currentMSecsSinceEpoch())});
    QCOMPARE(series.fieldCount(), 6);
    QCOMPARE(lines(view).size(), 2);
}

void TestPayloadChartView::invalidTopicIsExplainedAsYouType()
{
    MessageStore store;
    PayloadChartView view(store);
    view.show();
    QVERIFY(view.setTopicFilter(QString::fromStdString(Events)));
    auto *topic = view.findChild<QComboBox *>(QStringLiteral("topicFilter"));
    auto *error = view.findChild<QLabel *>(QStringLiteral("topicError"));
    QVERIFY(topic && error);
    QVERIFY(error->isHidden());

    topic->lineEdit()->clear();
    QTest::keyClicks(topic->lineEdit(), QStringLiteral("sensors/#/x"));
    QVERIFY(!error->isHidden());
    QVERIFY2(error->text().contains(QStringLiteral("sensors/#/x")), qPrintable(error->text()));
    QTest::keyClick(topic->lineEdit(), Qt::Key_Return);
    QCOMPARE(view.series()->topicFilter(), QString::fromStdString(Events));

    topic->lineEdit()->clear();
    QTest::keyClicks(topic->lineEdit(), QStringLiteral("sensors/+/x"));
    QVERIFY(error->isHidden());
    QTest::keyClick(topic->lineEdit(), Qt::Key_Return);
    QCOMPARE(view.series()->topicFilter(), QStringLiteral("sensors/+/x"));
    QVERIFY(!view.setTopicFilter(QStringLiteral("a/b#")));
    QVERIFY(!error->isHidden());
}

void TestPayloadChartView::topicBoxSuggestsWhatWasSeen()
{
    MessageStore store;
    PayloadChartView view(store);
    view.resize(1366, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    grabFor(view, QStringLiteral("chart-empty.png"));
    std::vector<BrokerEvent> seen;
    seen.push_back(published(message(1, Events, "{}"), "are1thermostat"));
    seen.push_back(published(message(2, Events + "/climate", "{}"), "are1thermostat"));
    seen.push_back(published(message(3, "home/boiler", "{}"), "boiler"));
    seen.push_back(subscribed("viewer", "home/#", 0x80, "not allowed"));
    store.ingest(seen);

    auto *topic = view.findChild<QComboBox *>(QStringLiteral("topicFilter"));
    topic->setEditText(QStringLiteral("home/"));
    topic->showPopup();
    QStringList items;
    for (int i = 0; i < topic->count(); ++i)
        items.append(topic->itemText(i));
    topic->hidePopup();
    // A device's events under one filter, then other topics; refused filters are no topics.
    QCOMPARE(items, (QStringList{QString::fromStdString(Events) + QStringLiteral("/#"),
                                 QStringLiteral("home/boiler")}));
    QCOMPARE(topic->currentText(), QStringLiteral("home/"));
}

void TestPayloadChartView::windowSetsTheTimeAxis()
{
    MessageStore store;
    PayloadChartView view(store);
    view.show();
    for (const qint64 span : PayloadChartView::windowChoicesMs()) {
        view.setWindow(span);
        QCOMPARE(view.windowMs(), span);
        const auto [from, to] = view.timeRange();
        QCOMPARE(to - from, span);
        const QDateTimeAxis *axis = qobject_cast<QDateTimeAxis *>(view.chart()->axes(Qt::Horizontal).first());
        QVERIFY(axis);
        QTRY_VERIFY(std::abs(axis->max().toMSecsSinceEpoch() - QDateTime::currentMSecsSinceEpoch()) < span / 50 + 1000);
        QCOMPARE(axis->max().toMSecsSinceEpoch() - axis->min().toMSecsSinceEpoch(), span);
        // Local time on the axis.
        QCOMPARE(axis->max().timeSpec(), Qt::LocalTime);
    }
    const qint64 before = view.windowMs();
    view.setWindow(42);
    QCOMPARE(view.windowMs(), before);
}

void TestPayloadChartView::pauseFreezesWhileCollecting()
{
    MessageStore store;
    store.ingest(thermostatHistory(2, 1));
    PayloadChartView view(store);
    view.resize(1000, 600);
    view.show();
    view.setWindow(60'000);
    view.setTopicFilter(QString::fromStdString(Events));
    QLineSeries *humidity = lines(view).first(); // the first field, in key order
    QTRY_VERIFY(humidity->count() > 0);

    auto *pause = view.findChild<QToolButton *>(QStringLiteral("pauseButton"));
    QVERIFY(pause);
    pause->click();
    QVERIFY(view.isPaused());
    QCOMPARE(pause->text(), QStringLiteral("Resume"));
    const auto frozen = view.timeRange();
    const qsizetype drawn = humidity->count();
    const std::size_t collected = view.series()->field(0).points.size();
    store.ingest({published(message(900, Events, R"({"humidity": 99})"), "are1thermostat",
                            QDateTime::currentMSecsSinceEpoch())});
    QCOMPARE(view.series()->field(0).points.size(), collected + 1);
    // Several frames pass without the picture changing.
    QVERIFY(!QTest::qWaitFor([&] { return humidity->count() != drawn || view.timeRange() != frozen; },
                             4 * PayloadChartView::FrameIntervalMs));

    pause->click();
    QVERIFY(!view.isPaused());
    QTRY_COMPARE(humidity->points().last().y(), 99.0);
}

void TestPayloadChartView::exportsPngAndCsv()
{
    MessageStore store;
    store.ingest(thermostatHistory(3, 1));
    PayloadChartView view(store);
    view.resize(1200, 700);
    view.show();
    view.setWindow(60'000);
    QVERIFY(view.setTopicFilter(QString::fromStdString(Events)));
    view.setPaused(true);

    QTemporaryDir dir;
    QString error;
    const QString png = dir.filePath(QStringLiteral("chart.png"));
    QVERIFY2(view.exportPng(png, &error), qPrintable(error));
    const QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 600 && image.height() > 400);

    const QString csvPath = dir.filePath(QStringLiteral("chart.csv"));
    QVERIFY2(view.exportCsv(csvPath, &error), qPrintable(error));
    QFile file(csvPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> csvLines = file.readAll().split('\n');
    QCOMPARE(csvLines.first(), QByteArray("time,humidity (%),setpoint,status.heating,status.rssi (dBm)\r"));
    // The 1-minute window holds 20 or 21 readings 3 s apart, one row each, and a final CRLF.
    const auto [from, to] = view.timeRange();
    int inWindow = 0;
    for (const SeriesPoint &point : view.series()->field(1).points)
        inWindow += point.timeMs >= from && point.timeMs <= to;
    QVERIFY(inWindow >= 19);
    QCOMPARE(csvLines.size(), 1 + inWindow + 1);
    QVERIFY(csvLines.last().isEmpty());
    // Every reading had every field: no empty cells; the setpoint column is 21 throughout.
    for (qsizetype i = 1; i + 1 < csvLines.size(); ++i) {
        const QList<QByteArray> cells = csvLines.at(i).trimmed().split(',');
        QCOMPARE(cells.size(), 5);
        QVERIFY(!cells.contains(QByteArray()));
        QCOMPARE(cells.at(2), QByteArray("21"));
    }
}

void TestPayloadChartView::failedExportSaysWhy()
{
    MessageStore store;
    PayloadChartView view(store);
    view.show();
    const QString missing = QDir::temp().filePath(QStringLiteral("no-such-dir-%1/chart").arg(QDateTime::currentMSecsSinceEpoch()));
    QString error;
    QVERIFY(!view.exportPng(missing + QStringLiteral(".png"), &error));
    QVERIFY2(error.contains(missing), qPrintable(error));
    error.clear();
    QVERIFY(!view.exportCsv(missing + QStringLiteral(".csv"), &error));
    QVERIFY2(error.contains(missing), qPrintable(error));
}

QTEST_MAIN(TestPayloadChartView)
#include "tst_payloadchartview.moc"
