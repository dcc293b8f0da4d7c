#pragma once

// The model of one sensor: immutable once parsed and shared by every device that has the sensor
// (the flyweight pattern). What changes from sample to sample lives in a SensorState per device,
// so a device costs a few dozen bytes per sensor however elaborate the model.

#include "Random.h"
#include "SensorValue.h"

#include <QList>

#include <span>

namespace iotcore::sim {

// One device's state of one sensor. Models use the fields they need; SensorSet keeps `samples`
// and `previousMs` up to date after each sample.
struct SensorState
{
    Random random;           // this sensor's own stream (see sensorSeed())
    qint64 samples = 0;      // samples taken before this one
    qint64 previousMs = -1;  // simulated time of the previous sample; -1 before the first
    qint64 switchAtMs = 0;   // boolean with dwell times: when the value flips next
    qint64 spikeEndMs = 0;   // numeric: the current spike lasts while the time is below this
    double level = 0;        // random walk: the walk before noise; GPS area: the heading
    int index = 0;           // enumeration: the current state
};

struct SampleContext
{
    qint64 timeMs = 0;                  // simulated milliseconds since the run started
    std::span<const SensorValue> values; // the device's values, by sensor index
};

class SensorModel
{
public:
    virtual ~SensorModel() = default;

    virtual ValueKind kind() const = 0;
    // Updates `value` (which holds the previous value) for the time in `context`.
    virtual void sample(SensorState &state, SensorValue &value,
                        const SampleContext &context) const = 0;
    // Indices of the sensors this one reads; they are sampled before it.
    virtual QList<int> dependencies() const { return {}; }
};

} // namespace iotcore::sim
