#pragma once

// The numbers in a JSON payload, each named by its path: {"env": {"t": 21.5}, "open": true}
// gives "env.t" = 21.5 and "open" = 1. Booleans count as 0 and 1, so that a door contact or a
// relay plots as a step; array elements are named by their index ("cells.0"). A payload that is
// a bare number ("21.5", as many devices send to a topic per sensor) gives one value with an
// empty path. Strings, nulls, non-finite numbers and payloads that are not JSON give nothing.

#include <QByteArrayView>
#include <QString>

#include <vector>

namespace iotcore::ui {

struct NumericField {
    QString path;
    double value = 0;
};

// At most `limit` fields, in document order (an object's keys sorted, as QJsonObject keeps
// them), so that a payload with a huge array cannot flood a chart with series.
std::vector<NumericField> numericFields(QByteArrayView payload, int limit);

} // namespace iotcore::ui
