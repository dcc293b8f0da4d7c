#include "FleetModel.h"

#include "Duration.h"
#include "PayloadSpec.h"
#include "SensorTemplates.h"

#include <QJsonDocument>

namespace iotcore::sim {

namespace {

struct DeviceTemplate {
    const char *name;
    const char *schedule;
    const char *commands;
};

// Every template answers "ping" (a reply on events) and "reboot"; each adds what its kind of
// device is asked in the field.
constexpr DeviceTemplate deviceTemplates[] = {
    {"thermostat", R"({"period": "10s", "jitter": "1s"})",
     R"([{"match": "setpoint", "action": "set", "sensor": "setpoint"},
         {"match": "reboot", "action": "reboot", "downtime": "5s"},
         {"match": "ping", "action": "reply", "payload": "{\"pong\": \"{name}\", \"seq\": {seq}}"}])"},
    {"energy-meter", R"({"period": "15s", "jitter": "1s"})",
     R"([{"match": "reboot", "action": "reboot", "downtime": "10s"},
         {"match": "ping", "action": "reply", "payload": "{\"pong\": \"{name}\", \"seq\": {seq}}"}])"},
    {"gps-tracker", R"({"period": "5s", "jitter": "500ms"})",
     R"([{"match": "reboot", "action": "reboot", "downtime": "5s"},
         {"match": "ping", "action": "reply", "payload": "{\"pong\": \"{name}\", \"seq\": {seq}}"}])"},
    {"door-sensor", R"({"period": "1s", "onlyOnChange": {"maxSilence": "5m"}, "sendStateOnChange": true})",
     R"([{"match": "reboot", "action": "reboot", "downtime": "5s"},
         {"match": "ping", "action": "reply", "payload": "{\"pong\": \"{name}\", \"seq\": {seq}}"}])"},
};

const DeviceTemplate *findTemplate(const QString &name)
{
    for (const DeviceTemplate &entry : deviceTemplates) {
        if (name == QLatin1String(entry.name))
            return &entry;
    }
    return nullptr;
}

// The template's sensors with the fleet's own in place of those of the same name, then the rest.
QJsonArray mergedSensors(const QJsonArray &base, const QJsonArray &own)
{
    QJsonArray merged;
    for (const QJsonValue &sensor : base) {
        const QString name = sensor.toObject().value(QLatin1String("name")).toString();
        QJsonValue chosen = sensor;
        for (const QJsonValue &replacement : own) {
            if (replacement.toObject().value(QLatin1String("name")).toString() == name)
                chosen = replacement;
        }
        merged.append(chosen);
    }
    for (const QJsonValue &sensor : own) {
        const QString name = sensor.toObject().value(QLatin1String("name")).toString();
        bool inBase = false;
        for (const QJsonValue &existing : base)
            inBase = inBase || existing.toObject().value(QLatin1String("name")).toString() == name;
        if (!inBase)
            merged.append(sensor);
    }
    return merged;
}

} // namespace

QStringList FleetModel::templateNames()
{
    QStringList names;
    for (const DeviceTemplate &entry : deviceTemplates)
        names << QLatin1String(entry.name);
    return names;
}

std::optional<Fleet> FleetModel::templateFleet(const QString &templateName)
{
    const DeviceTemplate *entry = findTemplate(templateName);
    const std::optional<QJsonArray> sensors = sensorTemplate(templateName);
    if (!entry || !sensors)
        return std::nullopt;
    Fleet fleet;
    fleet.templateName = templateName;
    fleet.sensors = *sensors;
    fleet.schedule = QJsonDocument::fromJson(entry->schedule).object();
    // The rules go through the scenario parser, so templates obey the rules users' files do.
    const QJsonObject json{{QStringLiteral("kind"), QLatin1String(Scenario::Kind)},
                           {QStringLiteral("fleets"),
                            QJsonArray{QJsonObject{
                                {QStringLiteral("name"), QStringLiteral("template")},
                                {QStringLiteral("count"), 1},
                                {QStringLiteral("behaviours"),
                                 QJsonObject{{QStringLiteral("commands"),
                                              QJsonDocument::fromJson(entry->commands).array()}}}}}}};
    QString error;
    const std::optional<Scenario> parsed = Scenario::fromJson(json, &error);
    Q_ASSERT_X(parsed, "FleetModel::templateFleet", qPrintable(error));
    if (parsed)
        fleet.behaviours = parsed->fleets.front().behaviours;
    return fleet;
}

qint64 FleetModel::periodMs(const Fleet &fleet)
{
    QJsonObject json = fleet.schedule;
    if (!json.contains(QLatin1String("period"))) {
        if (const DeviceTemplate *entry = findTemplate(fleet.templateName))
            json = QJsonDocument::fromJson(entry->schedule).object();
        for (auto it = fleet.schedule.begin(); it != fleet.schedule.end(); ++it)
            json.insert(it.key(), it.value());
    }
    QString error;
    const std::optional<Schedule> schedule = Schedule::fromJson(json, &error);
    return schedule ? schedule->periodMs : Schedule().periodMs;
}

std::shared_ptr<const FleetModel> FleetModel::compile(const Fleet &fleet, const SensorParseOptions &options,
                                                      QString *error)
{
    const QString where = QStringLiteral("fleet \"%1\"").arg(fleet.name);
    auto model = std::shared_ptr<FleetModel>(new FleetModel());
    model->m_fleet = fleet;

    QJsonArray sensors = fleet.sensors;
    QJsonObject schedule = fleet.schedule;
    if (!fleet.templateName.isEmpty()) {
        const std::optional<Fleet> base = templateFleet(fleet.templateName);
        if (!base) {
            *error = QStringLiteral("%1: there is no device template \"%2\" (there are %3)")
                         .arg(where, fleet.templateName, templateNames().join(QLatin1String(", ")));
            return nullptr;
        }
        sensors = mergedSensors(base->sensors, fleet.sensors);
        // The fleet's schedule fields over the template's: --period alone keeps the jitter.
        QJsonObject merged = base->schedule;
        for (auto it = fleet.schedule.begin(); it != fleet.schedule.end(); ++it)
            merged.insert(it.key(), it.value());
        // A period of the fleet's own with the template's jitter: the jitter follows the period
        // down (a tenth of it at most), so "--period 100ms" does not inherit a one-second jitter.
        const std::optional<std::int64_t> period = parseDurationMs(merged.value(QLatin1String("period")));
        const std::optional<std::int64_t> jitter = parseDurationMs(merged.value(QLatin1String("jitter")));
        if (fleet.schedule.contains(QLatin1String("period")) && !fleet.schedule.contains(QLatin1String("jitter"))
            && period && jitter && *jitter > *period / 10)
            merged.insert(QStringLiteral("jitter"), formatDurationMs(*period / 10));
        schedule = merged;
        if (fleet.behaviours.commands.empty())
            model->m_fleet.behaviours.commands = base->behaviours.commands;
    }
    if (sensors.isEmpty()) {
        *error = QStringLiteral("%1 has no sensors (give a template or sensors)").arg(where);
        return nullptr;
    }
    QString problem;
    model->m_sensors = SensorSetModel::parse(sensors, options, &problem);
    if (!model->m_sensors) {
        *error = QStringLiteral("%1: %2").arg(where, problem);
        return nullptr;
    }
    if (schedule.isEmpty())
        schedule = Schedule().toJson();
    std::optional<Schedule> parsedSchedule = Schedule::fromJson(schedule, &problem);
    if (!parsedSchedule) {
        *error = QStringLiteral("%1 schedule: %2").arg(where, problem);
        return nullptr;
    }
    model->m_schedule = *parsedSchedule;

    QStringList names;
    for (int i = 0; i < model->m_sensors->size(); ++i)
        names << model->m_sensors->name(i);
    std::optional<PayloadSpec> spec = PayloadSpec::fromJson(fleet.payload, &problem);
    if (spec)
        model->m_events = PayloadTemplate::compile(*spec, names, &problem);
    if (!model->m_events) {
        *error = QStringLiteral("%1 payload: %2").arg(where, problem);
        return nullptr;
    }
    model->m_state = PayloadTemplate::compile(PayloadSpec(), names, &problem);
    if (!model->m_state) {
        *error = QStringLiteral("%1 state payload: %2").arg(where, problem);
        return nullptr;
    }
    // Replies may also quote the command: {command}.
    QStringList replyNames = names;
    replyNames << QStringLiteral("command");
    const std::vector<CommandRule> &rules = model->m_fleet.behaviours.commands;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const CommandRule &rule = rules[i];
        std::optional<PayloadTemplate> reply;
        if (rule.action == CommandRule::Action::Reply) {
            PayloadSpec replySpec;
            replySpec.format = PayloadFormat::Text;
            replySpec.templateText = rule.payload.isEmpty() ? QStringLiteral("{command}") : rule.payload;
            reply = PayloadTemplate::compile(replySpec, replyNames, &problem);
            if (!reply) {
                *error = QStringLiteral("%1 command rule %2 payload: %3").arg(where).arg(i + 1).arg(problem);
                return nullptr;
            }
        }
        if (rule.action == CommandRule::Action::Set && model->m_sensors->indexOf(rule.sensor) < 0) {
            *error = QStringLiteral("%1 command rule %2: no sensor \"%3\" to set").arg(where).arg(i + 1).arg(rule.sensor);
            return nullptr;
        }
        model->m_replies.push_back(std::move(reply));
    }

    switch (fleet.identity.kind) {
    case Identity::Kind::Device:
        model->m_eventsPattern = QStringLiteral("$devices/{id}/events");
        model->m_statePattern = QStringLiteral("$devices/{id}/state");
        break;
    case Identity::Kind::Broker:
    case Identity::Kind::Anonymous:
        model->m_eventsPattern = QStringLiteral("devices/{name}/events");
        model->m_statePattern = QStringLiteral("devices/{name}/state");
        break;
    }
    if (!fleet.eventsTopic.isEmpty())
        model->m_eventsPattern = fleet.eventsTopic;
    if (!fleet.stateTopic.isEmpty())
        model->m_statePattern = fleet.stateTopic;
    for (const QString &pattern : {model->m_eventsPattern, model->m_statePattern}) {
        if (pattern.contains(u'#') || pattern.contains(u'+') || pattern.isEmpty()) {
            *error = QStringLiteral("%1: topic \"%2\" is not a topic name (no wildcards)").arg(where, pattern);
            return nullptr;
        }
    }
    return model;
}

QString FleetModel::check(const Fleet &fleet, const SensorParseOptions &options)
{
    QString error;
    return compile(fleet, options, &error) ? QString() : error;
}

const PayloadTemplate *FleetModel::replyPayload(std::size_t rule) const
{
    return rule < m_replies.size() && m_replies[rule] ? &*m_replies[rule] : nullptr;
}

QString FleetModel::expand(const QString &pattern, const QString &id, const QString &name) const
{
    QString topic = pattern;
    topic.replace(QLatin1String("{id}"), id);
    topic.replace(QLatin1String("{name}"), name);
    topic.replace(QLatin1String("{fleet}"), m_fleet.name);
    return topic;
}

QString FleetModel::eventsTopic(const QString &id, const QString &name) const
{
    return expand(m_eventsPattern, id, name);
}

QString FleetModel::stateTopic(const QString &id, const QString &name) const
{
    return expand(m_statePattern, id, name);
}

QString FleetModel::commandsFilter(const QString &id) const
{
    return QStringLiteral("$devices/%1/commands/#").arg(id);
}

QString FleetModel::configTopic(const QString &id) const
{
    return QStringLiteral("$devices/%1/config").arg(id);
}

} // namespace iotcore::sim
