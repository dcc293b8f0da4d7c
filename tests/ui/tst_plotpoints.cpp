// plotPoints: what a line chart draws of a field in a time window, bounded by its width.

#include "charts/PlotPoints.h"

#include <QTest>

#include <cmath>

using namespace iotcore::ui;

namespace {

std::deque<SeriesPoint> ramp(qint64 fromMs, qint64 stepMs, int count)
{
    std::deque<SeriesPoint> points;
    for (int i = 0; i < count; ++i)
        points.push_back({fromMs + i * stepMs, double(i)});
    return points;
}

} // namespace

class TestPlotPoints : public QObject
{
    Q_OBJECT

private slots:
    void fewPointsAreKeptWithOneEitherSide();
    void emptyWindowStillReachesTheEdges();
    void manyPointsAreBoundedByColumns();
    void spikesSurviveAggregation();
    void pointsStayInTimeOrder();
};

void TestPlotPoints::fewPointsAreKeptWithOneEitherSide()
{
    const std::deque<SeriesPoint> points = ramp(0, 1000, 10); // 0 s .. 9 s
    const QList<QPointF> shown = plotPoints(points, 2500, 5500, 100);
    // 3, 4, 5 s are inside; 2 s and 6 s carry the line to the edges.
    QCOMPARE(shown, (QList<QPointF>{{2000, 2}, {3000, 3}, {4000, 4}, {5000, 5}, {6000, 6}}));
}

void TestPlotPoints::emptyWindowStillReachesTheEdges()
{
    const std::deque<SeriesPoint> points = ramp(0, 10'000, 2); // 0 s and 10 s
    QCOMPARE(plotPoints(points, 4000, 6000, 100), (QList<QPointF>{{0, 0}, {10'000, 1}}));
    QVERIFY(plotPoints({}, 0, 1000, 100).isEmpty());
    QCOMPARE(plotPoints(points, 20'000, 30'000, 100), (QList<QPointF>{{10'000, 1}}));
}

void TestPlotPoints::manyPointsAreBoundedByColumns()
{
    const std::deque<SeriesPoint> points = ramp(0, 1, 100'000); // a point per millisecond
    const QList<QPointF> shown = plotPoints(points, 0, 99'999, 500);
    QVERIFY2(shown.size() <= 4 * 502, qPrintable(QString::number(shown.size())));
    QVERIFY(shown.size() >= 500);
    QCOMPARE(shown.first(), QPointF(0, 0));
    QCOMPARE(shown.last(), QPointF(99'999, 99'999));
}

void TestPlotPoints::spikesSurviveAggregation()
{
    std::deque<SeriesPoint> points;
    for (int i = 0; i < 10'000; ++i)
        points.push_back({i, std::sin(i / 100.0)});
    points[4321].value = 50;
    points[8765].value = -50;
    const QList<QPointF> shown = plotPoints(points, 0, 9999, 100);
    QVERIFY(shown.size() < 500);
    QVERIFY(shown.contains(QPointF(4321, 50)));
    QVERIFY(shown.contains(QPointF(8765, -50)));
}

void TestPlotPoints::pointsStayInTimeOrder()
{
    std::deque<SeriesPoint> points;
    for (int i = 0; i < 5000; ++i)
        points.push_back({i * 3, double((i * 7919) % 101)});
    const QList<QPointF> shown = plotPoints(points, 0, 15'000, 50);
    for (qsizetype i = 1; i < shown.size(); ++i)
        QVERIFY(shown[i - 1].x() < shown[i].x());
}

QTEST_GUILESS_MAIN(TestPlotPoints)
#include "tst_plotpoints.moc"
