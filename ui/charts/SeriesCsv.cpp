#include "SeriesCsv.h"

#include "PayloadSeries.h"

#include "sim/PayloadEncoding.h"

#include <QLocale>

#include <algorithm>
#include <limits>

namespace iotcore::ui {

namespace {

using PointIterator = std::deque<SeriesPoint>::const_iterator;

struct Column {
    PointIterator next;
    PointIterator end;
};

void appendNumber(QByteArray &out, double value)
{
    // The shortest text that reads back as the same double, without the locale's separators.
    out += QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

} // namespace

QByteArray seriesCsv(const PayloadSeries &series, const std::vector<int> &rows, qint64 fromMs,
                     qint64 toMs)
{
    QByteArray out = "time";
    std::vector<Column> columns;
    columns.reserve(rows.size());
    for (const int row : rows) {
        const SeriesField &field = series.field(row);
        out += ',';
        sim::encode::csvField(out, field.title().toUtf8(), ',');
        const auto before = [](const SeriesPoint &p, qint64 time) { return p.timeMs < time; };
        const auto after = [](qint64 time, const SeriesPoint &p) { return time < p.timeMs; };
        columns.push_back({std::lower_bound(field.points.begin(), field.points.end(), fromMs, before),
                           std::upper_bound(field.points.begin(), field.points.end(), toMs, after)});
    }
    out += "\r\n";

    // A merge of the columns by time: each row takes at most one point from each column, so two
    // messages in the same millisecond make two rows rather than one value hiding the other.
    for (;;) {
        qint64 time = std::numeric_limits<qint64>::max();
        for (const Column &column : columns) {
            if (column.next != column.end)
                time = std::min(time, column.next->timeMs);
        }
        if (time == std::numeric_limits<qint64>::max())
            break;
        sim::encode::timestamp(out, time);
        for (Column &column : columns) {
            out += ',';
            if (column.next != column.end && column.next->timeMs == time) {
                appendNumber(out, column.next->value);
                ++column.next;
            }
        }
        out += "\r\n";
    }
    return out;
}

} // namespace iotcore::ui
