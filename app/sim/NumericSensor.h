#pragma once

// What every numeric sensor shares: after the model's own value come, in this order, the step
// offsets, the spikes, the Gaussian noise, the bounds and the rounding to `decimals`.
//
//   "steps":  [{"at": "1h", "offset": 5}, {"at": "2h", "offset": 0}]   offset from `at` on
//   "spikes": {"probability": 0.01, "magnitude": 12, "duration": "5s"}  per sample
//   "noise":  {"stddev": 0.2}
//   "bounds": {"min": 0, "max": 100}                                    either side optional
//   "decimals": 1

#include "SensorModel.h"
#include "SensorSpecReader.h"

#include <limits>
#include <vector>

namespace iotcore::sim {

class NumericShaping
{
public:
    // The fields above; a sensor without them keeps its value as it is.
    static std::optional<NumericShaping> read(SensorSpecReader &reader);
    // The names of those fields, refused on sensors that are not numeric.
    static const QStringList &fieldNames();

    double apply(double value, SensorState &state, qint64 timeMs) const;
    double clamp(double value) const;

    double lower() const { return m_lower; }
    double upper() const { return m_upper; }
    int decimals() const { return m_decimals; }

private:
    struct Step
    {
        qint64 atMs;
        double offset;
    };

    bool readSteps(SensorSpecReader &reader);
    bool readSpikes(SensorSpecReader &reader);
    bool readNoise(SensorSpecReader &reader);
    bool readBounds(SensorSpecReader &reader);
    bool readDecimals(SensorSpecReader &reader);

    std::vector<Step> m_steps;
    double m_spikeProbability = 0;
    double m_spikeMagnitude = 0;
    qint64 m_spikeDurationMs = 0;
    double m_noiseStddev = 0;
    double m_lower = -std::numeric_limits<double>::infinity();
    double m_upper = std::numeric_limits<double>::infinity();
    int m_decimals = -1; // -1: not rounded
};

// A sensor whose value is a number: subclasses give the value before shaping.
class NumericSensor : public SensorModel
{
public:
    explicit NumericSensor(NumericShaping shaping) : m_shaping(std::move(shaping)) {}

    ValueKind kind() const final { return ValueKind::Number; }
    void sample(SensorState &state, SensorValue &value, const SampleContext &context) const final
    {
        value = m_shaping.apply(baseValue(state, context), state, context.timeMs);
    }

protected:
    virtual double baseValue(SensorState &state, const SampleContext &context) const = 0;

    const NumericShaping &shaping() const { return m_shaping; }

private:
    NumericShaping m_shaping;
};

} // namespace iotcore::sim
