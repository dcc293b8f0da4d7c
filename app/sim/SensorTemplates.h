#pragma once

// Ready-made sensor sets for the device templates of the simulator: thermostat, energy-meter,
// gps-tracker and door-sensor. They are plain sensor specs (SensorSetModel.h), parsed like any
// the user writes, and a starting point to copy and edit.

#include <QJsonArray>
#include <QStringList>

#include <optional>

namespace iotcore::sim {

QStringList sensorTemplateNames();
// The specs of a template; nothing for a name not in sensorTemplateNames().
std::optional<QJsonArray> sensorTemplate(const QString &name);

} // namespace iotcore::sim
