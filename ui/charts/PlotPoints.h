#pragma once

// The points of a field a line chart needs to draw a time window: all of them while they are
// few, otherwise per pixel column the first, lowest, highest and last point (M4 aggregation), so
// the line looks the same (every spike kept) at a cost bounded by the chart's width, not the rate.
// Columns are aligned to the epoch, not to the window, so the picture does not shimmer as the
// window scrolls. One point either side of the window is kept, so lines reach its edges.

#include "PayloadSeries.h"

#include <QList>
#include <QPointF>

namespace iotcore::ui {

QList<QPointF> plotPoints(const std::deque<SeriesPoint> &points, qint64 fromMs, qint64 toMs,
                          int columns);

} // namespace iotcore::ui
