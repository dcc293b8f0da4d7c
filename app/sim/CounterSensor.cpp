// A counter: a meter reading, a sequence number. It grows by "increment" each sample or by "rate"
// per second of simulated time, from "start" (0 by default), and with "rollover" wraps into
// [0, rollover) as a hardware register does.
//
//   {"type": "counter", "start": 0, "rate": 0.25, "rollover": 100000}
//   {"type": "counter", "increment": 1}

#include "SensorFactories.h"

#include <cmath>

namespace iotcore::sim {

namespace {

class CounterSensor final : public NumericSensor
{
public:
    enum class Pace { PerSample, PerSecond };

    CounterSensor(NumericShaping shaping, double start, Pace pace, double amount, double rollover)
        : NumericSensor(std::move(shaping))
        , m_start(start)
        , m_pace(pace)
        , m_amount(amount)
        , m_rollover(rollover)
    {
    }

protected:
    double baseValue(SensorState &state, const SampleContext &context) const override
    {
        const double elapsed = m_pace == Pace::PerSample ? double(state.samples)
                                                         : double(context.timeMs) / 1000.0;
        const double value = m_start + m_amount * elapsed;
        if (m_rollover <= 0)
            return value;
        return value - std::floor(value / m_rollover) * m_rollover;
    }

private:
    double m_start;
    Pace m_pace;
    double m_amount;
    double m_rollover; // 0: none
};

} // namespace

std::unique_ptr<SensorModel> parseCounterSensor(SensorSpecReader &reader,
                                                const SensorBuildContext &context)
{
    const QString increment = QStringLiteral("increment");
    const QString rate = QStringLiteral("rate");
    double start = 0;
    double rollover = 0;
    if (!reader.number(QStringLiteral("start"), &start, SensorSpecReader::Need::Optional)
        || !reader.number(QStringLiteral("rollover"), &rollover, SensorSpecReader::Need::Optional))
        return nullptr;
    if (reader.contains(QStringLiteral("rollover")) && rollover <= 0) {
        reader.fail(QStringLiteral("rollover"), QStringLiteral("must be positive"));
        return nullptr;
    }
    if (reader.contains(increment) == reader.contains(rate)) {
        reader.failWith(QStringLiteral("a counter needs either \"increment\" (per sample) or "
                                       "\"rate\" (per second)"));
        return nullptr;
    }
    const bool perSample = reader.contains(increment);
    double amount = 0;
    if (!reader.number(perSample ? increment : rate, &amount))
        return nullptr;
    return std::make_unique<CounterSensor>(context.shaping, start,
                                           perSample ? CounterSensor::Pace::PerSample
                                                     : CounterSensor::Pace::PerSecond,
                                           amount, rollover);
}

} // namespace iotcore::sim
