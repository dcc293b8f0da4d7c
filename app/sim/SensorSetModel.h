#pragma once

// The sensors of one kind of device, parsed once from a JSON array of specs and shared, immutable,
// by every device of that kind (each device keeps only a SensorSet of small states). A spec:
//
//   {"name": "temperature", "type": "sine", "unit": "°C", "min": 15, "max": 30, "period": "24h",
//    "noise": {"stddev": 0.2}, "decimals": 1}
//
// "name" (letters, digits and _, not starting with a digit; unique in the set) and "type" are
// required, "unit" is optional; the other fields belong to the type: constant, sine, square,
// triangle, sawtooth (WaveformSensors.cpp), random-walk, counter, boolean, enum, gps, replay and
// expression (each in its own file). Numeric types also take steps, spikes, noise, bounds and
// decimals (NumericSensor.h).

#include "SensorModel.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <memory>
#include <vector>

namespace iotcore::sim {

class ReplayCache;

struct SensorParseOptions
{
    QString baseDirectory;              // relative replay files are found from here
    ReplayCache *replayCache = nullptr; // shares replay data between models; null: this model's own
};

class SensorSetModel
{
public:
    // Nothing, with one line naming the sensor and the field in `error` (`sensor "temperature":
    // period must be positive`), when a spec is wrong, a replay file cannot be read, or
    // expressions name unknown sensors or depend on themselves.
    static std::shared_ptr<const SensorSetModel> parse(const QJsonArray &specs,
                                                       const SensorParseOptions &options,
                                                       QString *error);
    ~SensorSetModel();

    int size() const { return int(m_sensors.size()); }
    int indexOf(QStringView name) const; // -1 when no sensor has that name
    const QString &name(int index) const { return m_sensors[size_t(index)].name; }
    const QString &unit(int index) const { return m_sensors[size_t(index)].unit; }
    ValueKind kind(int index) const { return m_sensors[size_t(index)].model->kind(); }
    // Decimals numbers are rounded to; -1 when not rounded (or not a number).
    int decimals(int index) const { return m_sensors[size_t(index)].decimals; }
    const SensorModel &sensor(int index) const { return *m_sensors[size_t(index)].model; }

    // Every index once, each after the sensors it reads.
    const std::vector<int> &samplingOrder() const { return m_order; }

    // The specs as given. Parsing refuses every field it does not understand, so nothing is
    // lost or added: scenarios export exactly as they were written.
    QJsonArray toJson() const;

private:
    struct Sensor
    {
        QString name;
        QString unit;
        int decimals = -1;
        QJsonObject spec;
        std::unique_ptr<SensorModel> model;
    };

    SensorSetModel() = default;
    bool orderBySamplingDependencies(QString *error);

    std::vector<Sensor> m_sensors;
    std::vector<int> m_order;
};

} // namespace iotcore::sim
