#pragma once

// A chart's data as CSV (RFC 4180), for a spreadsheet: a header "time" and one column per field
// (its title, with the unit), then one row per instant at which any of the fields has a point,
// oldest first. Times are ISO 8601 UTC with milliseconds ("2025-11-25T12:00:00.250Z"); a field
// without a point at that instant has an empty cell; lines end in CRLF.

#include <QByteArray>

#include <vector>

namespace iotcore::ui {

class PayloadSeries;

// The points of `rows` (fields of `series`) with fromMs <= time <= toMs.
QByteArray seriesCsv(const PayloadSeries &series, const std::vector<int> &rows, qint64 fromMs,
                     qint64 toMs);

} // namespace iotcore::ui
