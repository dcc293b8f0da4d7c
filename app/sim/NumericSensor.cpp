#include "NumericSensor.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace iotcore::sim {

std::optional<NumericShaping> NumericShaping::read(SensorSpecReader &reader)
{
    NumericShaping shaping;
    if (!shaping.readSteps(reader) || !shaping.readSpikes(reader) || !shaping.readNoise(reader)
        || !shaping.readBounds(reader) || !shaping.readDecimals(reader))
        return std::nullopt;
    return shaping;
}

const QStringList &NumericShaping::fieldNames()
{
    static const QStringList names{QStringLiteral("steps"), QStringLiteral("spikes"),
                                   QStringLiteral("noise"), QStringLiteral("bounds"),
                                   QStringLiteral("decimals")};
    return names;
}

bool NumericShaping::readSteps(SensorSpecReader &reader)
{
    const QString key = QStringLiteral("steps");
    if (!reader.contains(key))
        return true;
    const QJsonValue steps = reader.take(key);
    if (!steps.isArray() || steps.toArray().isEmpty())
        return reader.fail(key,
                           QStringLiteral("must be a non-empty array of {\"at\", \"offset\"}"));
    const QJsonArray array = steps.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString field = QStringLiteral("steps[%1]").arg(i);
        std::optional<SensorSpecReader> stepReader = reader.nested(field, array[i]);
        Step step{};
        if (!stepReader || !stepReader->duration(QStringLiteral("at"), &step.atMs)
            || !stepReader->number(QStringLiteral("offset"), &step.offset) || !stepReader->finish())
            return false;
        if (!m_steps.empty() && step.atMs <= m_steps.back().atMs)
            return reader.fail(field, QStringLiteral("must come after the step before it"));
        m_steps.push_back(step);
    }
    return true;
}

bool NumericShaping::readSpikes(SensorSpecReader &reader)
{
    const QString key = QStringLiteral("spikes");
    if (!reader.contains(key))
        return true;
    std::optional<SensorSpecReader> spikes = reader.object(key);
    if (!spikes || !spikes->number(QStringLiteral("probability"), &m_spikeProbability)
        || !spikes->number(QStringLiteral("magnitude"), &m_spikeMagnitude)
        || !spikes->duration(QStringLiteral("duration"), &m_spikeDurationMs,
                             SensorSpecReader::Need::Optional))
        return false;
    if (m_spikeProbability < 0 || m_spikeProbability > 1)
        return spikes->fail(QStringLiteral("probability"),
                            QStringLiteral("must be between 0 and 1"));
    return spikes->finish();
}

bool NumericShaping::readNoise(SensorSpecReader &reader)
{
    const QString key = QStringLiteral("noise");
    if (!reader.contains(key))
        return true;
    std::optional<SensorSpecReader> noise = reader.object(key);
    if (!noise || !noise->number(QStringLiteral("stddev"), &m_noiseStddev))
        return false;
    if (m_noiseStddev < 0)
        return noise->fail(QStringLiteral("stddev"), QStringLiteral("must not be negative"));
    return noise->finish();
}

bool NumericShaping::readBounds(SensorSpecReader &reader)
{
    const QString key = QStringLiteral("bounds");
    if (!reader.contains(key))
        return true;
    std::optional<SensorSpecReader> bounds = reader.object(key);
    const QString min = QStringLiteral("min");
    const QString max = QStringLiteral("max");
    if (!bounds || !bounds->number(min, &m_lower, SensorSpecReader::Need::Optional)
        || !bounds->number(max, &m_upper, SensorSpecReader::Need::Optional))
        return false;
    if (!bounds->contains(min) && !bounds->contains(max))
        return reader.fail(key, QStringLiteral("must have \"min\", \"max\" or both"));
    if (m_lower > m_upper)
        return bounds->fail(min, QStringLiteral("must not be above max"));
    return bounds->finish();
}

bool NumericShaping::readDecimals(SensorSpecReader &reader)
{
    const QString key = QStringLiteral("decimals");
    if (!reader.integer(key, &m_decimals, SensorSpecReader::Need::Optional))
        return false;
    if (reader.contains(key) && (m_decimals < 0 || m_decimals > 15))
        return reader.fail(key, QStringLiteral("must be between 0 and 15"));
    return true;
}

double NumericShaping::apply(double value, SensorState &state, qint64 timeMs) const
{
    // The offset of the last step at or before now.
    const auto step = std::upper_bound(m_steps.begin(), m_steps.end(), timeMs,
                                       [](qint64 t, const Step &s) { return t < s.atMs; });
    if (step != m_steps.begin())
        value += std::prev(step)->offset;

    if (m_spikeProbability > 0 && timeMs >= state.spikeEndMs
        && state.random.chance(m_spikeProbability))
        state.spikeEndMs = timeMs + std::max<qint64>(m_spikeDurationMs, 1); // at least this sample
    if (timeMs < state.spikeEndMs)
        value += m_spikeMagnitude;

    if (m_noiseStddev > 0)
        value = state.random.normal(value, m_noiseStddev);

    value = clamp(value);
    if (m_decimals >= 0) {
        const double scale = std::pow(10.0, m_decimals);
        value = std::round(value * scale) / scale;
    }
    return value;
}

double NumericShaping::clamp(double value) const
{
    return std::clamp(value, m_lower, m_upper);
}

} // namespace iotcore::sim
