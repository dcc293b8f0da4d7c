#pragma once

// The sensors of one simulated device: the shared model plus this device's state and current
// values. Sampling is by simulated time, so a fake clock drives it in tests; each sensor draws
// from its own generator seeded from (scenario seed, device, sensor name), so a device reads the
// same values whatever else runs and in whatever order devices are sampled.

#include "SensorSetModel.h"

#include <memory>
#include <vector>

namespace iotcore::sim {

class SensorSet
{
public:
    // `device` identifies the device in its scenario (its name, or its index as text).
    SensorSet(std::shared_ptr<const SensorSetModel> model, quint64 scenarioSeed,
              QStringView device);

    // Updates every value for `elapsedMs` simulated milliseconds since the run started, each
    // sensor after those it reads. Times are expected not to go back.
    void sample(qint64 elapsedMs);

    const SensorSetModel &model() const { return *m_model; }
    int size() const { return m_model->size(); }

    // Behaviours and faults of the device runtime:
    // hold() fixes a sensor at `value` (a command set it, a config message gave it) until
    // release(); sensors that read it see the held value. The value is current at once.
    void hold(int index, SensorValue value);
    void release(int index);
    // setOffset() adds `offset` to a numeric sensor after each sample, the result kept at or
    // above `floor` (a battery drained faster than its model says does not go below 0 %).
    void setOffset(int index, double offset, double floor);

    // The values of the last sample (before the first: 0, false, "" or a zero GeoPoint).
    const SensorValue &value(int index) const { return m_values[size_t(index)]; }
    // Nothing when no sensor has that name.
    const SensorValue *value(QStringView name) const;
    const std::vector<SensorValue> &values() const { return m_values; }

private:
    std::shared_ptr<const SensorSetModel> m_model;
    std::vector<SensorState> m_states;
    std::vector<SensorValue> m_values;
    // Almost always empty: a device pays for them only once a command or fault uses them.
    std::vector<std::pair<int, SensorValue>> m_held;
    struct Offset {
        int index;
        double offset;
        double floor;
    };
    std::vector<Offset> m_offsets;
};

} // namespace iotcore::sim
