// A random walk: each sample moves the level by a Gaussian step, optionally pulled back towards a
// mean (an Ornstein-Uhlenbeck process sampled once per sample). The sensor's bounds hold the walk
// itself, not only its output, so it never wanders off beyond them and sticks there.
//
//   {"type": "random-walk", "start": 800, "step": 50, "reversion": 0.05, "mean": 800,
//    "bounds": {"min": 0, "max": 5000}}
//
// "step" is the standard deviation of one step; "reversion" in [0, 1] is the share of the
// distance to "mean" (by default "start") taken back each sample.

#include "SensorFactories.h"

namespace iotcore::sim {

namespace {

class RandomWalkSensor final : public NumericSensor
{
public:
    RandomWalkSensor(NumericShaping shaping, double start, double step, double reversion,
                     double mean)
        : NumericSensor(std::move(shaping))
        , m_start(start)
        , m_step(step)
        , m_reversion(reversion)
        , m_mean(mean)
    {
    }

protected:
    double baseValue(SensorState &state, const SampleContext &) const override
    {
        if (state.samples == 0) {
            state.level = shaping().clamp(m_start);
        } else {
            const double pull = m_reversion * (m_mean - state.level);
            state.level = shaping().clamp(state.level + pull + state.random.normal(0, m_step));
        }
        return state.level;
    }

private:
    double m_start;
    double m_step;
    double m_reversion;
    double m_mean;
};

} // namespace

std::unique_ptr<SensorModel> parseRandomWalkSensor(SensorSpecReader &reader,
                                                   const SensorBuildContext &context)
{
    double start = 0;
    double step = 0;
    double reversion = 0;
    if (!reader.number(QStringLiteral("start"), &start)
        || !reader.number(QStringLiteral("step"), &step)
        || !reader.number(QStringLiteral("reversion"), &reversion,
                          SensorSpecReader::Need::Optional))
        return nullptr;
    double mean = start;
    if (!reader.number(QStringLiteral("mean"), &mean, SensorSpecReader::Need::Optional))
        return nullptr;
    if (step < 0) {
        reader.fail(QStringLiteral("step"), QStringLiteral("must not be negative"));
        return nullptr;
    }
    if (reversion < 0 || reversion > 1) {
        reader.fail(QStringLiteral("reversion"), QStringLiteral("must be between 0 and 1"));
        return nullptr;
    }
    return std::make_unique<RandomWalkSensor>(context.shaping, start, step, reversion, mean);
}

} // namespace iotcore::sim
