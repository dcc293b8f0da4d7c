// An enumeration: one of named states. Without "stay" each sample draws a state by the weights
// (equal by default); with "stay" the sensor keeps its state with that probability at each sample
// and otherwise moves to one of the other states, drawn by their weights.
//
//   {"type": "enum", "states": ["idle", "heating", "cooling"], "weights": [5, 3, 2], "stay": 0.9}

#include "SensorFactories.h"

#include <QJsonArray>
#include <QSet>

#include <numeric>
#include <vector>

namespace iotcore::sim {

namespace {

class EnumerationSensor final : public SensorModel
{
public:
    EnumerationSensor(QStringList states, std::vector<double> weights, double stay)
        : m_states(std::move(states)), m_weights(std::move(weights)), m_stay(stay) {}

    ValueKind kind() const override { return ValueKind::Text; }
    void sample(SensorState &state, SensorValue &value, const SampleContext &) const override
    {
        if (state.samples == 0 || m_stay < 0)
            state.index = draw(state.random, -1);
        else if (!state.random.chance(m_stay))
            state.index = draw(state.random, state.index);
        value = m_states[state.index]; // implicitly shared: no copy of the text
    }

private:
    // A state by weight, leaving out `excluded` (-1: none); `excluded` again when nothing else
    // can be drawn.
    int draw(Random &random, int excluded) const
    {
        double total = 0;
        for (size_t i = 0; i < m_weights.size(); ++i)
            total += int(i) == excluded ? 0 : m_weights[i];
        if (total <= 0)
            return excluded;
        double target = random.uniform() * total;
        int last = excluded;
        for (size_t i = 0; i < m_weights.size(); ++i) {
            if (int(i) == excluded || m_weights[i] <= 0)
                continue;
            last = int(i);
            target -= m_weights[i];
            if (target < 0)
                break;
        }
        return last;
    }

    QStringList m_states;
    std::vector<double> m_weights;
    double m_stay; // -1: every sample is drawn afresh
};

} // namespace

std::unique_ptr<SensorModel> parseEnumerationSensor(SensorSpecReader &reader,
                                                    const SensorBuildContext &)
{
    const QString statesKey = QStringLiteral("states");
    const QString weightsKey = QStringLiteral("weights");
    const QString stayKey = QStringLiteral("stay");

    const QJsonValue statesValue = reader.take(statesKey);
    if (statesValue.isUndefined()) {
        reader.fail(statesKey, QStringLiteral("is missing"));
        return nullptr;
    }
    QStringList states;
    for (const QJsonValue &state : statesValue.toArray()) {
        if (!state.isString() || state.toString().isEmpty() || states.contains(state.toString())) {
            reader.fail(statesKey, QStringLiteral("must be different non-empty strings"));
            return nullptr;
        }
        states.append(state.toString());
    }
    if (!statesValue.isArray() || states.size() < 2) {
        reader.fail(statesKey, QStringLiteral("must be an array of at least two strings"));
        return nullptr;
    }

    std::vector<double> weights(size_t(states.size()), 1.0);
    if (reader.contains(weightsKey)) {
        const QJsonArray array = reader.take(weightsKey).toArray();
        if (array.size() != states.size()) {
            reader.fail(weightsKey, QStringLiteral("must have one number per state"));
            return nullptr;
        }
        for (qsizetype i = 0; i < array.size(); ++i) {
            weights[size_t(i)] = array[i].toDouble(-1);
            if (!array[i].isDouble() || weights[size_t(i)] < 0) {
                reader.fail(weightsKey, QStringLiteral("must be numbers not below 0"));
                return nullptr;
            }
        }
        if (std::accumulate(weights.begin(), weights.end(), 0.0) <= 0) {
            reader.fail(weightsKey, QStringLiteral("must not all be 0"));
            return nullptr;
        }
    }

    double stay = -1;
    if (!reader.number(stayKey, &stay, SensorSpecReader::Need::Optional))
        return nullptr;
    if (reader.contains(stayKey) && (stay < 0 || stay > 1)) {
        reader.fail(stayKey, QStringLiteral("must be between 0 and 1"));
        return nullptr;
    }
    return std::make_unique<EnumerationSensor>(std::move(states), std::move(weights), stay);
}

} // namespace iotcore::sim
