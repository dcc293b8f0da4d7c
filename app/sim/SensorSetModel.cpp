#include "SensorSetModel.h"

#include "ReplaySeries.h"
#include "SensorFactories.h"

#include <QRegularExpression>

#include <algorithm>
#include <functional>

namespace iotcore::sim {

namespace {

using Parse = std::unique_ptr<SensorModel> (*)(SensorSpecReader &, const SensorBuildContext &);

struct SensorType
{
    QLatin1String name;
    ValueKind kind;
    Parse parse;
};

template<Waveform waveform>
std::unique_ptr<SensorModel> parseWave(SensorSpecReader &reader, const SensorBuildContext &context)
{
    return parseWaveformSensor(reader, context, waveform);
}

const SensorType SensorTypes[] = {
    {QLatin1String("constant"), ValueKind::Number, parseConstantSensor},
    {QLatin1String("sine"), ValueKind::Number, parseWave<Waveform::Sine>},
    {QLatin1String("square"), ValueKind::Number, parseWave<Waveform::Square>},
    {QLatin1String("triangle"), ValueKind::Number, parseWave<Waveform::Triangle>},
    {QLatin1String("sawtooth"), ValueKind::Number, parseWave<Waveform::Sawtooth>},
    {QLatin1String("random-walk"), ValueKind::Number, parseRandomWalkSensor},
    {QLatin1String("counter"), ValueKind::Number, parseCounterSensor},
    {QLatin1String("replay"), ValueKind::Number, parseReplaySensor},
    {QLatin1String("expression"), ValueKind::Number, parseExpressionSensor},
    {QLatin1String("boolean"), ValueKind::Boolean, parseBooleanSensor},
    {QLatin1String("enum"), ValueKind::Text, parseEnumerationSensor},
    {QLatin1String("gps"), ValueKind::Geo, parseGpsSensor},
};

const SensorType *sensorType(const QString &name)
{
    const auto found = std::find_if(std::begin(SensorTypes), std::end(SensorTypes),
                                    [&](const SensorType &type) { return type.name == name; });
    return found == std::end(SensorTypes) ? nullptr : found;
}

QString typeNames()
{
    QStringList names;
    for (const SensorType &type : SensorTypes)
        names.append(type.name);
    return names.join(QStringLiteral(", "));
}

QString sensorLabel(const QString &name)
{
    return QStringLiteral("sensor \"%1\"").arg(name);
}

// What the parse needs of every spec before any is parsed: expressions may name later sensors.
bool readNamesAndTypes(const QJsonArray &specs, QHash<QString, SensorSlot> *sensors,
                       std::vector<const SensorType *> *types, QString *error)
{
    static const QRegularExpression namePattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    for (qsizetype i = 0; i < specs.size(); ++i) {
        const QString position = QStringLiteral("sensor %1").arg(i + 1);
        if (!specs[i].isObject()) {
            *error = position + QStringLiteral(": not a JSON object");
            return false;
        }
        const QJsonObject spec = specs[i].toObject();
        const QJsonValue name = spec.value(QStringLiteral("name"));
        if (!name.isString() || !namePattern.match(name.toString()).hasMatch()) {
            *error = position + QStringLiteral(": name must be letters, digits and _, not starting "
                                               "with a digit (it is used in expressions)");
            return false;
        }
        const QString label = sensorLabel(name.toString());
        if (sensors->contains(name.toString())) {
            *error = label + QStringLiteral(": the name is used by another sensor too");
            return false;
        }
        const QJsonValue typeName = spec.value(QStringLiteral("type"));
        const SensorType *type = sensorType(typeName.toString());
        if (!type) {
            *error = label + QStringLiteral(": type ")
                    + (typeName.isUndefined() ? QStringLiteral("is missing")
                                              : QStringLiteral("must be one of ") + typeNames());
            return false;
        }
        sensors->insert(name.toString(), {int(i), type->kind});
        types->push_back(type);
    }
    return true;
}

} // namespace

SensorSetModel::~SensorSetModel() = default;

std::shared_ptr<const SensorSetModel> SensorSetModel::parse(const QJsonArray &specs,
                                                            const SensorParseOptions &options,
                                                            QString *error)
{
    error->clear();
    QHash<QString, SensorSlot> sensors;
    std::vector<const SensorType *> types;
    if (!readNamesAndTypes(specs, &sensors, &types, error))
        return nullptr;

    ReplayCache ownReplays;
    std::shared_ptr<SensorSetModel> model(new SensorSetModel);
    for (qsizetype i = 0; i < specs.size(); ++i) {
        Sensor sensor;
        sensor.spec = specs[i].toObject();
        sensor.name = sensor.spec.value(QStringLiteral("name")).toString();
        SensorSpecReader reader(sensor.spec, sensorLabel(sensor.name), error);
        reader.take(QStringLiteral("name"));
        reader.take(QStringLiteral("type"));
        if (!reader.text(QStringLiteral("unit"), &sensor.unit, SensorSpecReader::Need::Optional))
            return nullptr;

        SensorBuildContext context{{}, &sensors, options.baseDirectory,
                                   options.replayCache ? options.replayCache : &ownReplays};
        const SensorType *type = types[size_t(i)];
        if (type->kind == ValueKind::Number) {
            std::optional<NumericShaping> shaping = NumericShaping::read(reader);
            if (!shaping)
                return nullptr;
            context.shaping = std::move(*shaping);
            sensor.decimals = context.shaping.decimals();
        } else {
            for (const QString &field : NumericShaping::fieldNames()) {
                if (reader.contains(field)) {
                    reader.fail(field, QStringLiteral("applies to numeric sensors only, not to %1")
                                               .arg(type->name));
                    return nullptr;
                }
            }
        }
        sensor.model = type->parse(reader, context);
        if (!sensor.model || !reader.finish())
            return nullptr;
        model->m_sensors.push_back(std::move(sensor));
    }
    if (!model->orderBySamplingDependencies(error))
        return nullptr;
    return model;
}

bool SensorSetModel::orderBySamplingDependencies(QString *error)
{
    enum class Mark { New, Visiting, Done };
    std::vector<Mark> marks(m_sensors.size(), Mark::New);
    std::vector<int> path; // the sensors being visited, each reading the next

    // Depth first: a sensor goes into the order after everything it reads.
    const std::function<bool(int)> visit = [&](int index) {
        if (marks[size_t(index)] == Mark::Done)
            return true;
        if (marks[size_t(index)] == Mark::Visiting) {
            const auto start = std::find(path.begin(), path.end(), index);
            QStringList cycle;
            for (auto it = start; it != path.end(); ++it)
                cycle.append(name(*it));
            cycle.append(name(index));
            *error = sensorLabel(name(index)) + QStringLiteral(": expr depends on itself: ")
                    + cycle.join(QStringLiteral(" -> "));
            return false;
        }
        marks[size_t(index)] = Mark::Visiting;
        path.push_back(index);
        for (int dependency : sensor(index).dependencies()) {
            if (!visit(dependency))
                return false;
        }
        path.pop_back();
        marks[size_t(index)] = Mark::Done;
        m_order.push_back(index);
        return true;
    };
    for (int i = 0; i < size(); ++i) {
        if (!visit(i))
            return false;
    }
    return true;
}

int SensorSetModel::indexOf(QStringView name) const
{
    for (size_t i = 0; i < m_sensors.size(); ++i) {
        if (m_sensors[i].name == name)
            return int(i);
    }
    return -1;
}

QJsonArray SensorSetModel::toJson() const
{
    QJsonArray specs;
    for (const Sensor &sensor : m_sensors)
        specs.append(sensor.spec);
    return specs;
}

} // namespace iotcore::sim
