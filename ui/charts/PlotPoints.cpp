#include "PlotPoints.h"

#include <algorithm>
#include <array>

namespace iotcore::ui {

namespace {

QPointF toPoint(const SeriesPoint &point)
{
    return QPointF(qreal(point.timeMs), point.value);
}

qint64 floorDiv(qint64 value, qint64 divisor)
{
    const qint64 quotient = value / divisor;
    return (value % divisor < 0) ? quotient - 1 : quotient;
}

} // namespace

QList<QPointF> plotPoints(const std::deque<SeriesPoint> &points, qint64 fromMs, qint64 toMs,
                          int columns)
{
    auto first = std::lower_bound(points.begin(), points.end(), fromMs,
                                  [](const SeriesPoint &p, qint64 time) { return p.timeMs < time; });
    auto last = std::upper_bound(points.begin(), points.end(), toMs,
                                 [](qint64 time, const SeriesPoint &p) { return time < p.timeMs; });
    if (first != points.begin())
        --first;
    if (last != points.end())
        ++last;

    QList<QPointF> result;
    const qsizetype count = qsizetype(last - first);
    columns = std::max(columns, 1);
    if (count <= 4 * qsizetype(columns)) {
        result.reserve(count);
        for (auto it = first; it != last; ++it)
            result.append(toPoint(*it));
        return result;
    }

    const qint64 width = std::max<qint64>((toMs - fromMs) / columns, 1);
    result.reserve(4 * (columns + 2));
    for (auto begin = first; begin != last;) {
        const qint64 column = floorDiv(begin->timeMs, width);
        auto end = begin;
        auto lowest = begin;
        auto highest = begin;
        while (end != last && floorDiv(end->timeMs, width) == column) {
            if (end->value < lowest->value)
                lowest = end;
            if (end->value > highest->value)
                highest = end;
            ++end;
        }
        const auto closing = end - 1;
        // In time order, each point once: a column of one point gives one point.
        std::array<decltype(begin), 4> picked{begin, lowest, highest, closing};
        std::sort(picked.begin(), picked.end());
        for (std::size_t i = 0; i < picked.size(); ++i) {
            if (i == 0 || picked[i] != picked[i - 1])
                result.append(toPoint(*picked[i]));
        }
        begin = end;
    }
    return result;
}

} // namespace iotcore::ui
