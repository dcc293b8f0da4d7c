#include "Schedule.h"

#include "Duration.h"

#include <QJsonValue>
#include <QStringList>

#include <cmath>

namespace iotcore::sim {

namespace {

// SplitMix64's finaliser: consecutive inputs give unrelated, uniformly spread outputs.
quint64 mix(quint64 x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// Reads one schedule object, remembering the first error with the field's path.
class FieldReader
{
public:
    FieldReader(const QJsonObject &json, QString prefix)
        : m_json(json), m_prefix(std::move(prefix))
    {}

    bool failed() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }
    void fail(const QString &field, const QString &reason)
    {
        if (m_error.isEmpty())
            m_error = m_prefix + field + QLatin1String(": ") + reason;
    }

    bool has(const char *field) const { return m_json.contains(QLatin1String(field)); }

    std::optional<qint64> duration(const char *field)
    {
        QString reason;
        const auto ms = parseDurationMs(m_json.value(QLatin1String(field)), &reason);
        if (!ms)
            fail(QLatin1String(field), reason);
        return ms;
    }

    std::optional<int> count(const char *field, int minimum)
    {
        const QJsonValue value = m_json.value(QLatin1String(field));
        const double number = value.toDouble(-1);
        if (!value.isDouble() || number != std::floor(number) || number < minimum || number > 1e6) {
            fail(QLatin1String(field), QStringLiteral("must be a whole number from %1 to 1000000")
                                           .arg(minimum));
            return std::nullopt;
        }
        return int(number);
    }

    std::optional<double> nonNegative(const char *field)
    {
        const QJsonValue value = m_json.value(QLatin1String(field));
        if (!value.isDouble() || !std::isfinite(value.toDouble()) || value.toDouble() < 0) {
            fail(QLatin1String(field), QStringLiteral("must be a number, 0 or more"));
            return std::nullopt;
        }
        return value.toDouble();
    }

    // Unknown keys are refused: a misspelt field must not be silently ignored.
    void refuseUnknown(const QStringList &known)
    {
        for (auto it = m_json.begin(); it != m_json.end(); ++it) {
            if (!known.contains(it.key()))
                fail(it.key(), QStringLiteral("unknown field (known: %1)").arg(known.join(", ")));
        }
    }

private:
    const QJsonObject &m_json;
    QString m_prefix;
    QString m_error;
};

std::optional<Schedule::Burst> readBurst(const QJsonValue &value, QString *error)
{
    if (!value.isObject()) {
        *error = QStringLiteral("burst: must be an object like {\"every\": 6, \"count\": 3, "
                                "\"spacing\": \"100ms\"}");
        return std::nullopt;
    }
    const QJsonObject json = value.toObject();
    FieldReader reader(json, QStringLiteral("burst."));
    reader.refuseUnknown({"every", "count", "spacing"});
    Schedule::Burst burst;
    if (reader.has("every")) {
        if (auto every = reader.count("every", 1))
            burst.every = *every;
    }
    // A burst of one is a plain message.
    if (auto count = reader.count("count", 2))
        burst.count = *count;
    if (reader.has("spacing")) {
        if (auto spacing = reader.duration("spacing"))
            burst.spacingMs = *spacing;
    }
    if (reader.failed()) {
        *error = reader.error();
        return std::nullopt;
    }
    return burst;
}

std::optional<Schedule::OnlyOnChange> readOnlyOnChange(const QJsonValue &value, QString *error)
{
    if (value.isBool() && value.toBool())
        return Schedule::OnlyOnChange();
    if (!value.isObject()) {
        *error = QStringLiteral("onlyOnChange: must be true or an object like "
                                "{\"deadband\": 0.5, \"maxSilence\": \"5m\"}");
        return std::nullopt;
    }
    const QJsonObject json = value.toObject();
    FieldReader reader(json, QStringLiteral("onlyOnChange."));
    reader.refuseUnknown({"deadband", "maxSilence"});
    Schedule::OnlyOnChange rule;
    if (reader.has("deadband")) {
        if (auto deadband = reader.nonNegative("deadband"))
            rule.deadband = *deadband;
    }
    if (reader.has("maxSilence")) {
        if (auto silence = reader.duration("maxSilence"))
            rule.maxSilenceMs = *silence;
    }
    if (reader.failed()) {
        *error = reader.error();
        return std::nullopt;
    }
    return rule;
}

} // namespace

bool Schedule::OnlyOnChange::exceedsDeadband(double lastSent, double current) const
{
    return std::abs(current - lastSent) > deadband;
}

std::optional<Schedule> Schedule::fromJson(const QJsonObject &json, QString *error)
{
    FieldReader reader(json, QString());
    reader.refuseUnknown({"period", "jitter", "offset", "burst", "onlyOnChange",
                          "sendStateOnChange"});
    Schedule schedule;
    if (!reader.has("period"))
        reader.fail(QStringLiteral("period"), QStringLiteral("missing (how often the device "
                                                             "publishes, e.g. \"10s\")"));
    else if (auto period = reader.duration("period"))
        schedule.periodMs = *period;
    if (reader.has("jitter")) {
        if (auto jitter = reader.duration("jitter"))
            schedule.jitterMs = *jitter;
    }
    if (reader.has("offset"))
        schedule.offsetMs = reader.duration("offset");
    if (json.contains(QLatin1String("sendStateOnChange"))) {
        const QJsonValue flag = json.value(QLatin1String("sendStateOnChange"));
        if (!flag.isBool())
            reader.fail(QStringLiteral("sendStateOnChange"),
                        QStringLiteral("must be true or false"));
        schedule.sendStateOnChange = flag.toBool();
    }
    QString problem = reader.error();
    if (problem.isEmpty() && json.contains(QLatin1String("burst")))
        schedule.burst = readBurst(json.value(QLatin1String("burst")), &problem);
    if (problem.isEmpty() && json.contains(QLatin1String("onlyOnChange")))
        schedule.onlyOnChange =
            readOnlyOnChange(json.value(QLatin1String("onlyOnChange")), &problem);
    if (problem.isEmpty())
        problem = schedule.check();
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return std::nullopt;
    }
    return schedule;
}

QJsonObject Schedule::toJson() const
{
    QJsonObject json{{"period", formatDurationMs(periodMs)}};
    if (jitterMs != 0)
        json.insert("jitter", formatDurationMs(jitterMs));
    if (offsetMs)
        json.insert("offset", formatDurationMs(*offsetMs));
    if (burst) {
        json.insert("burst", QJsonObject{{"every", burst->every},
                                         {"count", burst->count},
                                         {"spacing", formatDurationMs(burst->spacingMs)}});
    }
    if (onlyOnChange) {
        QJsonObject rule{{"deadband", onlyOnChange->deadband}};
        if (onlyOnChange->maxSilenceMs > 0)
            rule.insert("maxSilence", formatDurationMs(onlyOnChange->maxSilenceMs));
        json.insert("onlyOnChange", rule);
    }
    if (sendStateOnChange)
        json.insert("sendStateOnChange", true);
    return json;
}

QString Schedule::check() const
{
    if (periodMs <= 0)
        return QStringLiteral("period: must be longer than 0");
    if (jitterMs < 0 || jitterMs * 2 > periodMs) {
        return QStringLiteral("jitter: %1 is more than half the period (%2), so messages could "
                              "swap places")
            .arg(formatDurationMs(jitterMs), formatDurationMs(periodMs));
    }
    if (offsetMs && *offsetMs < 0)
        return QStringLiteral("offset: must be 0 or more");
    if (burst) {
        if (burst->every < 1)
            return QStringLiteral("burst.every: must be 1 or more");
        if (burst->count < 2)
            return QStringLiteral("burst.count: must be 2 or more");
        if (burst->spacingMs < 0)
            return QStringLiteral("burst.spacing: must be 0 or more");
        // The burst must end before the next period's message can start, jitter included.
        const qint64 length = (burst->count - 1) * burst->spacingMs;
        if (length > periodMs - 2 * jitterMs) {
            return QStringLiteral("burst.spacing: %1 messages %2 apart take %3, more than the "
                                  "period (%4) less twice the jitter (%5)")
                .arg(burst->count)
                .arg(formatDurationMs(burst->spacingMs), formatDurationMs(length),
                     formatDurationMs(periodMs), formatDurationMs(jitterMs));
        }
    }
    if (onlyOnChange) {
        if (!(onlyOnChange->deadband >= 0) || !std::isfinite(onlyOnChange->deadband))
            return QStringLiteral("onlyOnChange.deadband: must be a number, 0 or more");
        if (onlyOnChange->maxSilenceMs < 0)
            return QStringLiteral("onlyOnChange.maxSilence: must be 0 or more");
    }
    return {};
}

qint64 Schedule::phaseMs(quint64 seed) const
{
    if (offsetMs)
        return *offsetMs;
    // The fractional part of seed·φ, as in Fibonacci hashing: consecutive seeds fall in the
    // largest gap left by the ones before, so a fleet spreads evenly over the period. After the
    // jitter, so that no first message is pulled back to the start (where they would pile up).
    const quint64 fraction = seed * 0x9E3779B97F4A7C15ULL;
    return jitterMs + qint64(double(fraction >> 11) * 0x1p-53 * double(periodMs));
}

qint64 Schedule::jitterOf(quint64 seed, qint64 period) const
{
    if (jitterMs == 0)
        return 0;
    const quint64 draw = mix(mix(seed) + quint64(period));
    // Modulo bias is below 2^-40 for any jitter a schedule can have.
    return qint64(draw % quint64(2 * jitterMs + 1)) - jitterMs;
}

int Schedule::messagesInPeriod(qint64 period) const
{
    return burst && period % burst->every == 0 ? burst->count : 1;
}

qint64 Schedule::sendTime(qint64 startMs, quint64 seed, qint64 period, int message) const
{
    const qint64 nominal = startMs + phaseMs(seed) + period * periodMs;
    const qint64 spacing = burst ? burst->spacingMs : 0;
    return std::max(startMs, nominal + jitterOf(seed, period) + message * spacing);
}

void ScheduleCursor::advance()
{
    if (++m_message >= m_schedule->messagesInPeriod(m_period)) {
        ++m_period;
        m_message = 0;
    }
}

void ScheduleCursor::skipMissed(qint64 nowMs)
{
    const Schedule &schedule = *m_schedule;
    // Jump straight to a period whose predecessors all ended before now (at the latest, a
    // period ends jitter + burst length after its nominal time), then step the last few.
    const qint64 burstLength = schedule.burst
        ? (schedule.burst->count - 1) * schedule.burst->spacingMs : 0;
    const qint64 span = nowMs - m_startMs - schedule.phaseMs(m_seed) - schedule.jitterMs
        - burstLength;
    if (span > 0) {
        const qint64 period = span / schedule.periodMs;
        if (period > m_period) {
            m_period = period;
            m_message = 0;
        }
    }
    while (dueMs() < nowMs)
        advance();
}

} // namespace iotcore::sim
