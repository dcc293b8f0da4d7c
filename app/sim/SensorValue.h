#pragma once

// What a sensor reads: a number, a boolean, a text (an enumeration's state) or a geographic
// position (a GPS sensor). The payload layer turns a device's values into JSON, CSV or text.

#include <QString>

#include <variant>

namespace iotcore::sim {

// A position on the WGS 84 ellipsoid, in degrees and metres, with the motion at that point.
struct GeoPoint
{
    double latitude = 0;
    double longitude = 0;
    double altitude = 0; // metres; meaningful only when hasAltitude
    double speed = 0;    // m/s
    double heading = 0;  // degrees clockwise from true north, [0, 360)
    bool hasAltitude = false;

    bool operator==(const GeoPoint &) const = default;
};

using SensorValue = std::variant<double, bool, QString, GeoPoint>;

// Which alternative of SensorValue a sensor produces, known from its type before any sample.
enum class ValueKind { Number, Boolean, Text, Geo };

} // namespace iotcore::sim
