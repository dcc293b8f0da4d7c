// A boolean: true with a "probability" at each sample, independently; or an on/off process that
// stays true for "meanTrue" and false for "meanFalse" on average (exponentially distributed dwell
// times, so it is true for meanTrue / (meanTrue + meanFalse) of the time).
//
//   {"type": "boolean", "probability": 0.1}
//   {"type": "boolean", "meanTrue": "30s", "meanFalse": "30m"}

#include "SensorFactories.h"

#include <algorithm>
#include <cmath>

namespace iotcore::sim {

namespace {

class ProbabilityBooleanSensor final : public SensorModel
{
public:
    explicit ProbabilityBooleanSensor(double probability) : m_probability(probability) {}

    ValueKind kind() const override { return ValueKind::Boolean; }
    void sample(SensorState &state, SensorValue &value, const SampleContext &) const override
    {
        value = state.random.chance(m_probability);
    }

private:
    double m_probability;
};

class DwellBooleanSensor final : public SensorModel
{
public:
    DwellBooleanSensor(qint64 meanTrueMs, qint64 meanFalseMs)
        : m_meanTrueMs(meanTrueMs), m_meanFalseMs(meanFalseMs) {}

    ValueKind kind() const override { return ValueKind::Boolean; }
    void sample(SensorState &state, SensorValue &value, const SampleContext &context) const override
    {
        const qint64 now = context.timeMs;
        // The process forgets where it was within a few dwell times; after a long gap (or at the
        // first sample) it starts afresh from its long-run share instead of replaying every flip.
        const qint64 forgetAfterMs = 1000 * (m_meanTrueMs + m_meanFalseMs);
        bool on = std::get_if<bool>(&value) && std::get<bool>(value);
        if (state.samples == 0 || now - state.switchAtMs > forgetAfterMs) {
            on = state.random.chance(double(m_meanTrueMs) / double(m_meanTrueMs + m_meanFalseMs));
            state.switchAtMs = now + dwell(state, on);
        }
        while (now >= state.switchAtMs) {
            on = !on;
            state.switchAtMs += dwell(state, on);
        }
        value = on;
    }

private:
    qint64 dwell(SensorState &state, bool on) const
    {
        const double mean = double(on ? m_meanTrueMs : m_meanFalseMs);
        return std::max<qint64>(1, std::llround(state.random.exponential(mean)));
    }

    qint64 m_meanTrueMs;
    qint64 m_meanFalseMs;
};

} // namespace

std::unique_ptr<SensorModel> parseBooleanSensor(SensorSpecReader &reader,
                                                const SensorBuildContext &)
{
    const QString probabilityKey = QStringLiteral("probability");
    const QString meanTrueKey = QStringLiteral("meanTrue");
    const QString meanFalseKey = QStringLiteral("meanFalse");
    if (reader.contains(probabilityKey)) {
        double probability = 0;
        if (!reader.number(probabilityKey, &probability))
            return nullptr;
        if (probability < 0 || probability > 1) {
            reader.fail(probabilityKey, QStringLiteral("must be between 0 and 1"));
            return nullptr;
        }
        if (reader.contains(meanTrueKey) || reader.contains(meanFalseKey)) {
            reader.failWith(QStringLiteral("a boolean has either \"probability\" or "
                                           "\"meanTrue\" and \"meanFalse\", not both"));
            return nullptr;
        }
        return std::make_unique<ProbabilityBooleanSensor>(probability);
    }
    if (!reader.contains(meanTrueKey) && !reader.contains(meanFalseKey)) {
        reader.failWith(QStringLiteral("a boolean needs \"probability\" or \"meanTrue\" and "
                                       "\"meanFalse\""));
        return nullptr;
    }
    qint64 meanTrueMs = 0;
    qint64 meanFalseMs = 0;
    if (!reader.duration(meanTrueKey, &meanTrueMs) || !reader.duration(meanFalseKey, &meanFalseMs))
        return nullptr;
    if (meanTrueMs <= 0 || meanFalseMs <= 0) {
        reader.fail(meanTrueMs <= 0 ? meanTrueKey : meanFalseKey,
                    QStringLiteral("must be positive"));
        return nullptr;
    }
    return std::make_unique<DwellBooleanSensor>(meanTrueMs, meanFalseMs);
}

} // namespace iotcore::sim
