// GPS positions: along a track of waypoints, or wandering inside an area.
//
//   {"type": "gps", "waypoints": [[55.7339, 37.5880], [55.7520, 37.6175, 150]], "speed": 12,
//    "loop": true}
//   {"type": "gps", "area": {"south": 55.70, "west": 37.50, "north": 55.80, "east": 37.70},
//    "speed": 1.4, "turn": 30}
//
// A track is followed at "speed" m/s along great circles, from the first waypoint at time 0; with
// "loop" it returns to the first waypoint and starts over, else it stops at the last one (speed
// 0). Waypoints are [latitude, longitude] or [latitude, longitude, altitude in metres], the
// altitude then interpolated linearly. In an area the device starts at a random place and
// heading, turns by a Gaussian angle ("turn", degrees, 30 by default) at each sample and bounces
// off the edges; the area may not cross the antimeridian.

#include "SensorFactories.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace iotcore::sim {

namespace {

constexpr double EarthRadiusM = 6371008.8; // mean radius (IUGG)

double radians(double degrees) { return degrees * std::numbers::pi / 180.0; }
double degrees(double radians) { return radians * 180.0 / std::numbers::pi; }
double normalizedHeading(double degrees)
{
    return std::fmod(std::fmod(degrees, 360.0) + 360.0, 360.0);
}

struct LatLon
{
    double lat; // radians
    double lon; // radians
};

// Central angle between two points (haversine, stable for short distances).
double centralAngle(LatLon a, LatLon b)
{
    const double dLat = std::sin((b.lat - a.lat) / 2);
    const double dLon = std::sin((b.lon - a.lon) / 2);
    const double h = dLat * dLat + std::cos(a.lat) * std::cos(b.lat) * dLon * dLon;
    return 2 * std::asin(std::min(1.0, std::sqrt(h)));
}

// Initial bearing from a to b, degrees.
double bearing(LatLon a, LatLon b)
{
    const double y = std::sin(b.lon - a.lon) * std::cos(b.lat);
    const double x = std::cos(a.lat) * std::sin(b.lat)
            - std::sin(a.lat) * std::cos(b.lat) * std::cos(b.lon - a.lon);
    return normalizedHeading(degrees(std::atan2(y, x)));
}

// The point a fraction f of the way from a to b along the great circle (angle delta apart).
LatLon interpolate(LatLon a, LatLon b, double delta, double f)
{
    if (delta < 1e-12)
        return a;
    const double wa = std::sin((1 - f) * delta) / std::sin(delta);
    const double wb = std::sin(f * delta) / std::sin(delta);
    const double x = wa * std::cos(a.lat) * std::cos(a.lon)
            + wb * std::cos(b.lat) * std::cos(b.lon);
    const double y = wa * std::cos(a.lat) * std::sin(a.lon)
            + wb * std::cos(b.lat) * std::sin(b.lon);
    const double z = wa * std::sin(a.lat) + wb * std::sin(b.lat);
    return {std::atan2(z, std::hypot(x, y)), std::atan2(y, x)};
}

// The point `distance` metres from `from` on heading `headingDeg`.
LatLon destination(LatLon from, double headingDeg, double distance)
{
    const double delta = distance / EarthRadiusM;
    const double theta = radians(headingDeg);
    const double lat = std::asin(std::sin(from.lat) * std::cos(delta)
                                 + std::cos(from.lat) * std::sin(delta) * std::cos(theta));
    const double lon = from.lon
            + std::atan2(std::sin(theta) * std::sin(delta) * std::cos(from.lat),
                         std::cos(delta) - std::sin(from.lat) * std::sin(lat));
    return {lat, lon};
}

class GpsTrackSensor final : public SensorModel
{
public:
    struct Waypoint
    {
        LatLon position;
        double altitude;
    };

    GpsTrackSensor(std::vector<Waypoint> waypoints, bool hasAltitude, double speed, bool loop)
        : m_points(std::move(waypoints)), m_hasAltitude(hasAltitude), m_speed(speed), m_loop(loop)
    {
        if (m_loop)
            m_points.push_back(m_points.front()); // the leg back to the start
        m_startDistance.push_back(0);
        for (size_t i = 0; i + 1 < m_points.size(); ++i) {
            m_angle.push_back(centralAngle(m_points[i].position, m_points[i + 1].position));
            m_startDistance.push_back(m_startDistance.back() + m_angle.back() * EarthRadiusM);
        }
    }

    double length() const { return m_startDistance.back(); }

    ValueKind kind() const override { return ValueKind::Geo; }
    void sample(SensorState &, SensorValue &value, const SampleContext &context) const override
    {
        double distance = m_speed * double(context.timeMs) / 1000.0;
        const bool finished = !m_loop && distance >= length();
        distance = m_loop ? std::fmod(distance, length()) : std::min(distance, length());

        // The leg the distance falls on: the last one starting at or before it.
        const auto next = std::upper_bound(m_startDistance.begin(), m_startDistance.end() - 1,
                                           distance);
        const size_t leg = std::min<size_t>(size_t(next - m_startDistance.begin()) - 1,
                                            m_angle.size() - 1);
        const Waypoint &from = m_points[leg];
        const Waypoint &to = m_points[leg + 1];
        const double legLength = m_angle[leg] * EarthRadiusM;
        const double f = legLength > 0
                ? std::clamp((distance - m_startDistance[leg]) / legLength, 0.0, 1.0)
                : 1.0;
        const LatLon here = interpolate(from.position, to.position, m_angle[leg], f);

        GeoPoint point;
        point.latitude = degrees(here.lat);
        point.longitude = degrees(here.lon);
        point.hasAltitude = m_hasAltitude;
        point.altitude = m_hasAltitude ? from.altitude + (to.altitude - from.altitude) * f : 0;
        point.speed = finished ? 0 : m_speed;
        // Along a great circle the heading changes; it is the one towards the leg's end from here,
        // and at the very end the one the last leg arrived with.
        point.heading = f < 1 ? bearing(here, to.position)
                              : normalizedHeading(bearing(to.position, from.position) + 180);
        value = point;
    }

private:
    std::vector<Waypoint> m_points;
    std::vector<double> m_angle;         // of each leg, radians
    std::vector<double> m_startDistance; // metres from the first waypoint to the start of each leg
    bool m_hasAltitude;
    double m_speed;
    bool m_loop;
};

struct Area
{
    double south, west, north, east; // degrees
};

class GpsAreaSensor final : public SensorModel
{
public:
    GpsAreaSensor(Area area, double speed, double turnDeg)
        : m_area(area), m_speed(speed), m_turnDeg(turnDeg) {}

    ValueKind kind() const override { return ValueKind::Geo; }
    void sample(SensorState &state, SensorValue &value, const SampleContext &context) const override
    {
        GeoPoint point;
        point.speed = m_speed;
        if (state.samples == 0) {
            point.latitude = m_area.south + (m_area.north - m_area.south) * state.random.uniform();
            point.longitude = m_area.west + (m_area.east - m_area.west) * state.random.uniform();
            state.level = 360.0 * state.random.uniform();
        } else {
            const GeoPoint &previous = std::get<GeoPoint>(value);
            const double heading = state.level + state.random.normal(0, m_turnDeg);
            const double distance = m_speed * double(context.timeMs - state.previousMs) / 1000.0;
            const LatLon to = destination({radians(previous.latitude), radians(previous.longitude)},
                                          heading, distance);
            point.latitude = degrees(to.lat);
            point.longitude = degrees(to.lon);
            state.level = bounce(point, heading);
        }
        point.heading = normalizedHeading(state.level);
        value = point;
    }

private:
    // Mirrors a point that left the area back in, and the heading with it.
    double bounce(GeoPoint &point, double heading) const
    {
        if (point.latitude > m_area.north || point.latitude < m_area.south) {
            const double edge = point.latitude > m_area.north ? m_area.north : m_area.south;
            point.latitude = 2 * edge - point.latitude;
            heading = 180 - heading;
        }
        if (point.longitude > m_area.east || point.longitude < m_area.west) {
            const double edge = point.longitude > m_area.east ? m_area.east : m_area.west;
            point.longitude = 2 * edge - point.longitude;
            heading = -heading;
        }
        // A step longer than the area itself would still be outside after one mirror.
        point.latitude = std::clamp(point.latitude, m_area.south, m_area.north);
        point.longitude = std::clamp(point.longitude, m_area.west, m_area.east);
        return normalizedHeading(heading);
    }

    Area m_area;
    double m_speed;
    double m_turnDeg;
};

bool validLatitude(double v) { return v >= -90 && v <= 90; }
bool validLongitude(double v) { return v >= -180 && v <= 180; }

std::unique_ptr<SensorModel> parseTrack(SensorSpecReader &reader, double speed)
{
    const QString key = QStringLiteral("waypoints");
    const QJsonArray array = reader.take(key).toArray();
    bool loop = false;
    if (!reader.boolean(QStringLiteral("loop"), &loop, SensorSpecReader::Need::Optional))
        return nullptr;
    if (array.size() < 2) {
        reader.fail(key, QStringLiteral("must be an array of at least two "
                                        "[latitude, longitude] points"));
        return nullptr;
    }
    std::vector<GpsTrackSensor::Waypoint> waypoints;
    const bool hasAltitude = array.first().toArray().size() == 3;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonArray point = array[i].toArray();
        const QString field = QStringLiteral("%1[%2]").arg(key).arg(i);
        const bool numbers = std::all_of(point.begin(), point.end(),
                                         [](const QJsonValue &v) { return v.isDouble(); });
        if (!array[i].isArray() || !numbers || point.size() != (hasAltitude ? 3 : 2)) {
            reader.fail(field, hasAltitude
                                ? QStringLiteral("must be [latitude, longitude, altitude] "
                                                 "like the first")
                                : QStringLiteral("must be [latitude, longitude] like the first"));
            return nullptr;
        }
        if (!validLatitude(point[0].toDouble()) || !validLongitude(point[1].toDouble())) {
            reader.fail(field, QStringLiteral("is not on Earth: latitude -90..90, "
                                              "longitude -180..180"));
            return nullptr;
        }
        waypoints.push_back({{radians(point[0].toDouble()), radians(point[1].toDouble())},
                             hasAltitude ? point[2].toDouble() : 0});
    }
    auto track = std::make_unique<GpsTrackSensor>(std::move(waypoints), hasAltitude, speed, loop);
    if (track->length() <= 0) {
        reader.fail(key, QStringLiteral("must not all be the same point"));
        return nullptr;
    }
    return track;
}

std::unique_ptr<SensorModel> parseArea(SensorSpecReader &reader, double speed)
{
    std::optional<SensorSpecReader> areaReader = reader.object(QStringLiteral("area"));
    Area area{};
    double turn = 30;
    if (!areaReader || !areaReader->number(QStringLiteral("south"), &area.south)
        || !areaReader->number(QStringLiteral("west"), &area.west)
        || !areaReader->number(QStringLiteral("north"), &area.north)
        || !areaReader->number(QStringLiteral("east"), &area.east) || !areaReader->finish()
        || !reader.number(QStringLiteral("turn"), &turn, SensorSpecReader::Need::Optional))
        return nullptr;
    if (!validLatitude(area.south) || !validLatitude(area.north) || area.south >= area.north) {
        areaReader->fail(QStringLiteral("south"),
                         QStringLiteral("must be below north, both in -90..90"));
        return nullptr;
    }
    if (!validLongitude(area.west) || !validLongitude(area.east) || area.west >= area.east) {
        areaReader->fail(QStringLiteral("west"),
                         QStringLiteral("must be below east, both in -180..180"));
        return nullptr;
    }
    if (turn < 0) {
        reader.fail(QStringLiteral("turn"), QStringLiteral("must not be negative"));
        return nullptr;
    }
    return std::make_unique<GpsAreaSensor>(area, speed, turn);
}

} // namespace

std::unique_ptr<SensorModel> parseGpsSensor(SensorSpecReader &reader, const SensorBuildContext &)
{
    double speed = 0;
    if (!reader.number(QStringLiteral("speed"), &speed))
        return nullptr;
    if (speed <= 0 || speed > 3e8) {
        reader.fail(QStringLiteral("speed"), QStringLiteral("must be positive (m/s)"));
        return nullptr;
    }
    const bool track = reader.contains(QStringLiteral("waypoints"));
    if (track == reader.contains(QStringLiteral("area"))) {
        reader.failWith(QStringLiteral("a gps sensor needs either \"waypoints\" or \"area\""));
        return nullptr;
    }
    return track ? parseTrack(reader, speed) : parseArea(reader, speed);
}

} // namespace iotcore::sim
