// Composition: a value computed from other sensors of the same device (see Expression.h), e.g.
// humidity falling as the temperature rises:
//
//   {"name": "humidity", "type": "expression", "expr": "80 - 1.5 * (temperature - 20)",
//    "unit": "%", "bounds": {"min": 0, "max": 100}}
//
// A boolean reads as 1 or 0; a GPS sensor by its fields `track.lat`, `track.lon`, `track.speed`
// (m/s) and `track.heading`. The sensors named are sampled first; SensorSetModel refuses cycles.

#include "Expression.h"
#include "SensorFactories.h"

#include <QVarLengthArray>

#include <cmath>

namespace iotcore::sim {

namespace {

enum class GeoField { None, Latitude, Longitude, Speed, Heading };

struct Input
{
    int sensor;
    GeoField field;
};

class ExpressionSensor final : public NumericSensor
{
public:
    ExpressionSensor(NumericShaping shaping, Expression expression, std::vector<Input> inputs)
        : NumericSensor(std::move(shaping))
        , m_expression(std::move(expression))
        , m_inputs(std::move(inputs))
    {
    }

    QList<int> dependencies() const override
    {
        QList<int> sensors;
        for (const Input &input : m_inputs)
            sensors.append(input.sensor);
        return sensors;
    }

protected:
    double baseValue(SensorState &, const SampleContext &context) const override
    {
        QVarLengthArray<double, 8> values;
        for (const Input &input : m_inputs)
            values.append(read(context.values[size_t(input.sensor)], input.field));
        return m_expression.evaluate(values);
    }

private:
    static double read(const SensorValue &value, GeoField field)
    {
        if (const double *number = std::get_if<double>(&value))
            return *number;
        if (const bool *on = std::get_if<bool>(&value))
            return *on ? 1 : 0;
        if (const GeoPoint *point = std::get_if<GeoPoint>(&value)) {
            switch (field) {
            case GeoField::Latitude: return point->latitude;
            case GeoField::Longitude: return point->longitude;
            case GeoField::Speed: return point->speed;
            case GeoField::Heading: return point->heading;
            case GeoField::None: break;
            }
        }
        return std::nan(""); // ruled out when parsing
    }

    Expression m_expression;
    std::vector<Input> m_inputs;
};

// `track.speed` → the sensor and the field; an error for what an expression cannot read.
std::optional<Input> resolve(const QString &variable, const QHash<QString, SensorSlot> &sensors,
                             QString *why)
{
    const QString sensorName = variable.section(u'.', 0, 0);
    const QString fieldName = variable.section(u'.', 1);
    const auto found = sensors.constFind(sensorName);
    if (found == sensors.constEnd()) {
        *why = QStringLiteral("names unknown sensor \"%1\"").arg(sensorName);
        return std::nullopt;
    }
    const SensorSlot slot = found.value();
    if (slot.kind == ValueKind::Geo) {
        static const QHash<QString, GeoField> fields{
            {QStringLiteral("lat"), GeoField::Latitude},
            {QStringLiteral("lon"), GeoField::Longitude},
            {QStringLiteral("speed"), GeoField::Speed},
            {QStringLiteral("heading"), GeoField::Heading}};
        const GeoField field = fields.value(fieldName, GeoField::None);
        if (field == GeoField::None) {
            *why = QStringLiteral("reads GPS sensor \"%1\" as \"%2\"; "
                                  "use %1.lat, %1.lon, %1.speed or %1.heading")
                           .arg(sensorName, variable);
            return std::nullopt;
        }
        return Input{slot.index, field};
    }
    if (!fieldName.isEmpty()) {
        *why = QStringLiteral("reads \"%1\", but sensor \"%2\" has no fields")
                       .arg(variable, sensorName);
        return std::nullopt;
    }
    if (slot.kind == ValueKind::Text) {
        *why = QStringLiteral("reads \"%1\", an enumeration, which is not a number")
                       .arg(sensorName);
        return std::nullopt;
    }
    return Input{slot.index, GeoField::None};
}

} // namespace

std::unique_ptr<SensorModel> parseExpressionSensor(SensorSpecReader &reader,
                                                   const SensorBuildContext &context)
{
    QString text;
    if (!reader.text(QStringLiteral("expr"), &text))
        return nullptr;
    QString why;
    std::optional<Expression> expression = Expression::parse(text, &why);
    if (!expression) {
        reader.fail(QStringLiteral("expr"), QStringLiteral("is not valid: %1").arg(why));
        return nullptr;
    }
    std::vector<Input> inputs;
    for (const QString &variable : expression->variables()) {
        const std::optional<Input> input = resolve(variable, *context.sensors, &why);
        if (!input) {
            reader.fail(QStringLiteral("expr"), why);
            return nullptr;
        }
        inputs.push_back(*input);
    }
    return std::make_unique<ExpressionSensor>(context.shaping, std::move(*expression),
                                              std::move(inputs));
}

} // namespace iotcore::sim
