// Constant and periodic sensors: their value is a function of the time alone.
//
//   {"type": "constant", "value": 230}
//   {"type": "sine", "min": 15, "max": 30, "period": "24h", "phase": "6h"}
//
// A period starts at its middle for a sine (rising), at max for a square (max for the first
// half), at min for a triangle (max at the middle) and at min for a sawtooth (rising to max).
// The phase moves the wave earlier: the value at time t is the one at t + phase.

#include "SensorFactories.h"

#include <cmath>
#include <numbers>

namespace iotcore::sim {

namespace {

class ConstantSensor final : public NumericSensor
{
public:
    ConstantSensor(NumericShaping shaping, double value)
        : NumericSensor(std::move(shaping)), m_value(value) {}

protected:
    double baseValue(SensorState &, const SampleContext &) const override { return m_value; }

private:
    double m_value;
};

class WaveformSensor final : public NumericSensor
{
public:
    WaveformSensor(NumericShaping shaping, Waveform waveform, double min, double max,
                   qint64 periodMs, qint64 phaseMs)
        : NumericSensor(std::move(shaping))
        , m_waveform(waveform)
        , m_min(min)
        , m_max(max)
        , m_periodMs(periodMs)
        , m_phaseMs(phaseMs % periodMs)
    {
    }

protected:
    double baseValue(SensorState &, const SampleContext &context) const override
    {
        // Where in its period the wave is, in [0, 1).
        const qint64 shifted = context.timeMs + m_phaseMs;
        const qint64 intoPeriod = (shifted % m_periodMs + m_periodMs) % m_periodMs;
        const double p = double(intoPeriod) / double(m_periodMs);
        return m_min + (m_max - m_min) * shape(p);
    }

private:
    // The wave between 0 and 1.
    double shape(double p) const
    {
        switch (m_waveform) {
        case Waveform::Sine:
            return 0.5 + 0.5 * std::sin(2.0 * std::numbers::pi * p);
        case Waveform::Square:
            return p < 0.5 ? 1.0 : 0.0;
        case Waveform::Triangle:
            return p < 0.5 ? 2.0 * p : 2.0 - 2.0 * p;
        case Waveform::Sawtooth:
            return p;
        }
        return 0;
    }

    Waveform m_waveform;
    double m_min;
    double m_max;
    qint64 m_periodMs;
    qint64 m_phaseMs;
};

} // namespace

std::unique_ptr<SensorModel> parseConstantSensor(SensorSpecReader &reader,
                                                 const SensorBuildContext &context)
{
    double value = 0;
    if (!reader.number(QStringLiteral("value"), &value))
        return nullptr;
    return std::make_unique<ConstantSensor>(context.shaping, value);
}

std::unique_ptr<SensorModel> parseWaveformSensor(SensorSpecReader &reader,
                                                 const SensorBuildContext &context,
                                                 Waveform waveform)
{
    double min = 0;
    double max = 0;
    qint64 periodMs = 0;
    qint64 phaseMs = 0;
    if (!reader.number(QStringLiteral("min"), &min) || !reader.number(QStringLiteral("max"), &max)
        || !reader.duration(QStringLiteral("period"), &periodMs)
        || !reader.duration(QStringLiteral("phase"), &phaseMs, SensorSpecReader::Need::Optional))
        return nullptr;
    if (min > max) {
        reader.fail(QStringLiteral("min"), QStringLiteral("must not be above max"));
        return nullptr;
    }
    if (periodMs <= 0) {
        reader.fail(QStringLiteral("period"), QStringLiteral("must be positive"));
        return nullptr;
    }
    return std::make_unique<WaveformSensor>(context.shaping, waveform, min, max, periodMs, phaseMs);
}

} // namespace iotcore::sim
