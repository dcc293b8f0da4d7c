#pragma once

// Durations as scenarios write them: a number of seconds (10, 0.5) or a number with a unit
// ("250ms", "10s", "5m", "24h", "1.5h"). One parser for every sensor, schedule and fault field,
// so a scenario reads the same everywhere.

#include <QJsonValue>
#include <QString>

#include <cstdint>
#include <optional>

namespace iotcore::sim {

// Milliseconds, or nullopt when `value` is neither a finite non-negative number nor a string in
// one of the forms above. `error` (when not null) gets the reason without the field name, e.g.
// "\"10 parsecs\" is not a duration (use a number of seconds or 500ms, 10s, 5m, 2h)".
std::optional<std::int64_t> parseDurationMs(const QJsonValue &value, QString *error = nullptr);

// A duration as typed on a command line, in the JSON form parseDurationMs() reads and scenarios
// store: a bare number ("10", "0.5") is seconds, as JSON numbers are; anything else stays text.
// Surrounding spaces (a form's field) are dropped.
QJsonValue durationArgument(const QString &text);

// The shortest exact form: "500ms", "10s", "5m", "2h", "1500ms".
QString formatDurationMs(std::int64_t ms);

} // namespace iotcore::sim
