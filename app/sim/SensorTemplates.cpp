#include "SensorTemplates.h"

#include <QJsonDocument>

namespace iotcore::sim {

namespace {

struct Template
{
    const char *name;
    const char *json;
};

// A room warming and cooling over the day, its humidity falling as it warms, and a setpoint of
// 21 °C for twelve hours and 18 °C for the next twelve.
constexpr const char ThermostatJson[] = R"json([
  {"name": "temperature", "type": "sine", "unit": "°C", "min": 18, "max": 24, "period": "24h",
   "noise": {"stddev": 0.2}, "decimals": 1},
  {"name": "humidity", "type": "expression", "unit": "%", "expr": "55 - 2 * (temperature - 21)",
   "noise": {"stddev": 0.5}, "bounds": {"min": 0, "max": 100}, "decimals": 0},
  {"name": "setpoint", "type": "square", "unit": "°C", "min": 18, "max": 21, "period": "24h"}
])json";

// Household power wandering around 800 W, the energy it adds up to, and the mains voltage.
constexpr const char EnergyMeterJson[] = R"json([
  {"name": "power", "type": "random-walk", "unit": "W", "start": 800, "step": 40,
   "reversion": 0.05, "spikes": {"probability": 0.01, "magnitude": 2000, "duration": "30s"},
   "bounds": {"min": 0, "max": 7000}, "decimals": 0},
  {"name": "energy", "type": "counter", "unit": "kWh", "start": 1520, "rate": 0.00025,
   "rollover": 100000, "decimals": 3},
  {"name": "voltage", "type": "constant", "unit": "V", "value": 230, "noise": {"stddev": 1.5},
   "bounds": {"min": 207, "max": 253}, "decimals": 1}
])json";

// A delivery van looping round central Moscow at 12 m/s, its speed in km/h and its battery.
constexpr const char GpsTrackerJson[] = R"json([
  {"name": "track", "type": "gps", "speed": 12, "loop": true,
   "waypoints": [[55.7339, 37.5880], [55.7520, 37.6175], [55.7601, 37.6454], [55.7423, 37.6532]]},
  {"name": "speed", "type": "expression", "unit": "km/h", "expr": "track.speed * 3.6",
   "noise": {"stddev": 2}, "bounds": {"min": 0}, "decimals": 0},
  {"name": "battery", "type": "counter", "unit": "%", "start": 100, "rate": -0.001,
   "bounds": {"min": 0}, "decimals": 0}
])json";

// A door opened for half a minute now and then, on a battery that lasts.
constexpr const char DoorSensorJson[] = R"json([
  {"name": "open", "type": "boolean", "meanTrue": "30s", "meanFalse": "20m"},
  {"name": "battery", "type": "counter", "unit": "%", "start": 100, "rate": -0.00001,
   "bounds": {"min": 0}, "decimals": 0}
])json";

constexpr Template Templates[] = {
    {"thermostat", ThermostatJson},
    {"energy-meter", EnergyMeterJson},
    {"gps-tracker", GpsTrackerJson},
    {"door-sensor", DoorSensorJson},
};

} // namespace

QStringList sensorTemplateNames()
{
    QStringList names;
    for (const Template &t : Templates)
        names.append(QString::fromLatin1(t.name));
    return names;
}

std::optional<QJsonArray> sensorTemplate(const QString &name)
{
    for (const Template &t : Templates) {
        if (name == QLatin1String(t.name))
            return QJsonDocument::fromJson(QByteArray(t.json)).array();
    }
    return std::nullopt;
}

} // namespace iotcore::sim
