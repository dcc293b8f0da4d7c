#include "SensorSet.h"

#include <algorithm>

namespace iotcore::sim {

namespace {

SensorValue emptyValue(ValueKind kind)
{
    switch (kind) {
    case ValueKind::Number: return 0.0;
    case ValueKind::Boolean: return false;
    case ValueKind::Text: return QString();
    case ValueKind::Geo: return GeoPoint();
    }
    return 0.0;
}

} // namespace

SensorSet::SensorSet(std::shared_ptr<const SensorSetModel> model, quint64 scenarioSeed,
                     QStringView device)
    : m_model(std::move(model))
{
    m_states.reserve(size_t(m_model->size()));
    m_values.reserve(size_t(m_model->size()));
    for (int i = 0; i < m_model->size(); ++i) {
        SensorState state;
        state.random = Random(sensorSeed(scenarioSeed, device, m_model->name(i)));
        m_states.push_back(state);
        m_values.push_back(emptyValue(m_model->kind(i)));
    }
}

void SensorSet::sample(qint64 elapsedMs)
{
    const SampleContext context{elapsedMs, m_values};
    for (int index : m_model->samplingOrder()) {
        SensorState &state = m_states[size_t(index)];
        SensorValue &value = m_values[size_t(index)];
        m_model->sensor(index).sample(state, value, context);
        ++state.samples;
        state.previousMs = elapsedMs;
        if (m_held.empty() && m_offsets.empty())
            continue;
        for (const auto &[heldIndex, heldValue] : m_held) {
            if (heldIndex == index)
                value = heldValue;
        }
        for (const Offset &offset : m_offsets) {
            if (double *number = std::get_if<double>(&value); number && offset.index == index)
                *number = std::max(*number + offset.offset, offset.floor);
        }
    }
}

void SensorSet::hold(int index, SensorValue value)
{
    if (index < 0 || index >= size())
        return;
    release(index);
    m_values[size_t(index)] = value;
    m_held.emplace_back(index, std::move(value));
}

void SensorSet::release(int index)
{
    std::erase_if(m_held, [index](const auto &held) { return held.first == index; });
}

void SensorSet::setOffset(int index, double offset, double floor)
{
    if (index < 0 || index >= size())
        return;
    std::erase_if(m_offsets, [index](const Offset &existing) { return existing.index == index; });
    if (offset != 0)
        m_offsets.push_back(Offset{index, offset, floor});
}

const SensorValue *SensorSet::value(QStringView name) const
{
    const int index = m_model->indexOf(name);
    return index < 0 ? nullptr : &m_values[size_t(index)];
}

} // namespace iotcore::sim
