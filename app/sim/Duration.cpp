#include "Duration.h"

#include <cmath>

namespace iotcore::sim {

namespace {

struct Unit {
    const char *suffix;
    double ms;
};

// Longest suffix first, so "ms" is not read as "m" followed by garbage.
constexpr Unit units[] = {{"ms", 1.0}, {"s", 1000.0}, {"m", 60'000.0}, {"h", 3'600'000.0},
                          {"d", 86'400'000.0}};

// Longer than any simulation runs; keeps the arithmetic of schedules far from overflow.
constexpr double maxMs = 100.0 * 365 * 86'400'000.0;

std::optional<std::int64_t> fromMs(double ms)
{
    if (!std::isfinite(ms) || ms < 0 || ms > maxMs)
        return std::nullopt;
    return static_cast<std::int64_t>(std::llround(ms));
}

QString notADuration(const QString &text)
{
    return QStringLiteral("\"%1\" is not a duration (use a number of seconds or 500ms, 10s, 5m, 2h)")
        .arg(text);
}

} // namespace

std::optional<std::int64_t> parseDurationMs(const QJsonValue &value, QString *error)
{
    if (value.isDouble()) {
        if (auto ms = fromMs(value.toDouble() * 1000.0))
            return ms;
        if (error)
            *error = QStringLiteral("%1 is not a duration (a number of seconds, 0 or more)")
                         .arg(value.toDouble());
        return std::nullopt;
    }
    if (!value.isString()) {
        if (error)
            *error = QStringLiteral("a duration must be a number of seconds or a string like \"10s\"");
        return std::nullopt;
    }
    const QString text = value.toString().trimmed();
    for (const Unit &unit : units) {
        const QLatin1String suffix(unit.suffix);
        if (!text.endsWith(suffix))
            continue;
        bool ok = false;
        const double number = text.chopped(suffix.size()).trimmed().toDouble(&ok);
        if (ok) {
            if (auto ms = fromMs(number * unit.ms))
                return ms;
        }
        break;
    }
    // A bare number in a string: seconds, as a bare JSON number.
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    if (ok) {
        if (auto ms = fromMs(seconds * 1000.0))
            return ms;
    }
    if (error)
        *error = notADuration(value.toString());
    return std::nullopt;
}

QJsonValue durationArgument(const QString &text)
{
    bool isNumber = false;
    const double seconds = text.trimmed().toDouble(&isNumber);
    return isNumber ? QJsonValue(seconds) : QJsonValue(text.trimmed());
}

QString formatDurationMs(std::int64_t ms)
{
    for (auto unit = std::rbegin(units); unit != std::rend(units); ++unit) {
        const auto size = static_cast<std::int64_t>(unit->ms);
        if (ms != 0 && ms % size == 0)
            return QString::number(ms / size) + QLatin1String(unit->suffix);
    }
    return QString::number(ms) + QLatin1String("ms");
}

} // namespace iotcore::sim
