#include "Scenario.h"

#include "Duration.h"
#include "iot/CatalogRules.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace iotcore::sim {

namespace {

constexpr int MaxDevicesPerFleet = 1'000'000;

// Reads the fields of one JSON object, remembering the first problem. Unknown fields are
// refused too: a misspelt "perod" silently ignored would cost the user an afternoon.
class FieldReader
{
public:
    FieldReader(const QJsonObject &object, QString where, QString *error)
        : m_object(object), m_where(std::move(where)), m_error(error)
    { }

    bool ok() const { return m_ok; }

    void fail(const QString &field, const QString &message)
    {
        if (!m_ok)
            return;
        m_ok = false;
        *m_error = field.isEmpty() ? QStringLiteral("%1: %2").arg(m_where, message)
                                   : QStringLiteral("%1: %2 %3").arg(m_where, field, message);
    }

    bool has(const QString &field) const { return m_object.contains(field); }
    void markKnown(const QString &field) { m_known.insert(field); }

    QString string(const QString &field, const QString &fallback = {})
    {
        m_known.insert(field);
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull())
            return fallback;
        if (!value.isString())
            fail(field, QStringLiteral("must be a string"));
        return value.toString();
    }

    double number(const QString &field, double fallback, double min, double max)
    {
        m_known.insert(field);
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull())
            return fallback;
        if (!value.isDouble() || !std::isfinite(value.toDouble())) {
            fail(field, QStringLiteral("must be a number"));
            return fallback;
        }
        const double number = value.toDouble();
        if (number < min || number > max)
            fail(field, QStringLiteral("must be between %1 and %2")
                            .arg(QString::number(min, 'g', 15), QString::number(max, 'g', 15)));
        return number;
    }

    int integer(const QString &field, int fallback, int min, int max)
    {
        const double value = number(field, fallback, min, max);
        if (value != std::floor(value))
            fail(field, QStringLiteral("must be a whole number"));
        return static_cast<int>(value);
    }

    bool boolean(const QString &field, bool fallback)
    {
        m_known.insert(field);
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull())
            return fallback;
        if (!value.isBool())
            fail(field, QStringLiteral("must be true or false"));
        return value.toBool();
    }

    std::int64_t duration(const QString &field, std::int64_t fallback)
    {
        m_known.insert(field);
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull())
            return fallback;
        QString reason;
        const std::optional<std::int64_t> ms = parseDurationMs(value, &reason);
        if (!ms)
            fail(field, QStringLiteral("is wrong: %1").arg(reason));
        return ms.value_or(fallback);
    }

    // A signed duration ("-2h" is not a duration, so the sign is taken apart).
    std::int64_t signedDuration(const QString &field)
    {
        m_known.insert(field);
        QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull())
            return 0;
        int sign = 1;
        if (value.isDouble() && value.toDouble() < 0) {
            sign = -1;
            value = -value.toDouble();
        } else if (value.isString() && value.toString().trimmed().startsWith(u'-')) {
            sign = -1;
            value = value.toString().trimmed().mid(1);
        }
        QString reason;
        const std::optional<std::int64_t> ms = parseDurationMs(value, &reason);
        if (!ms)
            fail(field, QStringLiteral("is wrong: %1").arg(reason));
        return sign * ms.value_or(0);
    }

    QJsonObject object(const QString &field)
    {
        m_known.insert(field);
        const QJsonValue value = m_object.value(field);
        if (!value.isUndefined() && !value.isNull() && !value.isObject())
            fail(field, QStringLiteral("must be an object"));
        return value.toObject();
    }

    QJsonArray array(const QString &field)
    {
        m_known.insert(field);
        const QJsonValue value = m_object.value(field);
        if (!value.isUndefined() && !value.isNull() && !value.isArray())
            fail(field, QStringLiteral("must be a list"));
        return value.toArray();
    }

    // Call after reading every field.
    void refuseUnknownFields()
    {
        for (auto it = m_object.begin(); it != m_object.end(); ++it) {
            if (!m_known.contains(it.key())) {
                fail({}, QStringLiteral("unknown field \"%1\"").arg(it.key()));
                return;
            }
        }
    }

private:
    QJsonObject m_object; // a copy: callers pass temporaries (implicitly shared, so cheap)
    QString m_where;
    QString *m_error;
    QSet<QString> m_known;
    bool m_ok = true;
};

struct NamedKind {
    const char *name;
    int value;
};

constexpr NamedKind identityKinds[] = {{"device", int(Identity::Kind::Device)},
                                       {"broker", int(Identity::Kind::Broker)},
                                       {"anonymous", int(Identity::Kind::Anonymous)}};
constexpr NamedKind commandActions[] = {{"reply", int(CommandRule::Action::Reply)},
                                        {"set", int(CommandRule::Action::Set)},
                                        {"reboot", int(CommandRule::Action::Reboot)}};
constexpr NamedKind faults[] = {
    {"offline", int(TimelineEvent::Fault::Offline)},
    {"reconnect-storm", int(TimelineEvent::Fault::ReconnectStorm)},
    {"slow-link", int(TimelineEvent::Fault::SlowLink)},
    {"lossy-link", int(TimelineEvent::Fault::LossyLink)},
    {"malformed-payload", int(TimelineEvent::Fault::MalformedPayload)},
    {"oversized-payload", int(TimelineEvent::Fault::OversizedPayload)},
    {"wrong-credentials", int(TimelineEvent::Fault::WrongCredentials)},
    {"clock-skew", int(TimelineEvent::Fault::ClockSkew)},
    {"battery-drain", int(TimelineEvent::Fault::BatteryDrain)},
};

template <std::size_t N>
const char *nameOf(const NamedKind (&kinds)[N], int value)
{
    for (const NamedKind &kind : kinds) {
        if (kind.value == value)
            return kind.name;
    }
    return "";
}

template <std::size_t N>
std::optional<int> valueOf(const NamedKind (&kinds)[N], const QString &name)
{
    for (const NamedKind &kind : kinds) {
        if (name == QLatin1String(kind.name))
            return kind.value;
    }
    return std::nullopt;
}

template <std::size_t N>
QString namesOf(const NamedKind (&kinds)[N])
{
    QStringList names;
    for (const NamedKind &kind : kinds)
        names << QLatin1String(kind.name);
    return names.join(QLatin1String(", "));
}

// --- reading -------------------------------------------------------------------------------

Identity readIdentity(const QJsonObject &json, const QString &where, QString *error, bool *ok)
{
    Identity identity;
    FieldReader reader(json, where + QLatin1String(" identity"), error);
    const QString kind = reader.string(QStringLiteral("kind"), QStringLiteral("anonymous"));
    if (auto value = valueOf(identityKinds, kind))
        identity.kind = Identity::Kind(*value);
    else
        reader.fail(QStringLiteral("kind"), QStringLiteral("must be one of %1").arg(namesOf(identityKinds)));
    identity.registry = reader.string(QStringLiteral("registry"));
    identity.broker = reader.string(QStringLiteral("broker"));
    identity.secret = reader.string(QStringLiteral("secret"));
    identity.username = reader.string(QStringLiteral("username"));
    identity.password = reader.string(QStringLiteral("password"));
    reader.refuseUnknownFields();
    if (identity.kind == Identity::Kind::Device && identity.registry.isEmpty())
        reader.fail(QStringLiteral("registry"), QStringLiteral("is needed for device identities"));
    if (identity.kind == Identity::Kind::Broker && identity.broker.isEmpty())
        reader.fail(QStringLiteral("broker"), QStringLiteral("is needed for broker identities"));
    *ok = *ok && reader.ok();
    return identity;
}

Behaviours readBehaviours(const QJsonObject &json, const QString &where, QString *error, bool *ok)
{
    Behaviours behaviours;
    FieldReader reader(json, where + QLatin1String(" behaviours"), error);
    behaviours.stateOnConnect = reader.boolean(QStringLiteral("stateOnConnect"), true);
    behaviours.applyConfig = reader.boolean(QStringLiteral("applyConfig"), true);
    const QJsonArray commands = reader.array(QStringLiteral("commands"));
    reader.refuseUnknownFields();
    *ok = *ok && reader.ok();
    for (qsizetype i = 0; *ok && i < commands.size(); ++i) {
        FieldReader rule(commands[i].toObject(),
                         QStringLiteral("%1 command rule %2").arg(where).arg(i + 1), error);
        if (!commands[i].isObject())
            rule.fail({}, QStringLiteral("must be an object"));
        CommandRule command;
        command.match = rule.string(QStringLiteral("match"));
        const QString action = rule.string(QStringLiteral("action"), QStringLiteral("reply"));
        if (auto value = valueOf(commandActions, action))
            command.action = CommandRule::Action(*value);
        else
            rule.fail(QStringLiteral("action"), QStringLiteral("must be one of %1").arg(namesOf(commandActions)));
        command.replyTo = rule.string(QStringLiteral("replyTo"), QStringLiteral("events"));
        command.payload = rule.string(QStringLiteral("payload"));
        command.sensor = rule.string(QStringLiteral("sensor"));
        if (rule.has(QStringLiteral("value")))
            command.value = rule.number(QStringLiteral("value"), 0, -1e300, 1e300);
        command.downtimeMs = rule.duration(QStringLiteral("downtime"), command.downtimeMs);
        rule.refuseUnknownFields();
        if (command.match.isEmpty())
            rule.fail(QStringLiteral("match"), QStringLiteral("is needed (a subtopic, a payload, or \"*\")"));
        if (command.replyTo != QLatin1String("events") && command.replyTo != QLatin1String("state"))
            rule.fail(QStringLiteral("replyTo"), QStringLiteral("must be events or state"));
        if (command.action == CommandRule::Action::Set && command.sensor.isEmpty())
            rule.fail(QStringLiteral("sensor"), QStringLiteral("is needed by the set action"));
        *ok = *ok && rule.ok();
        behaviours.commands.push_back(std::move(command));
    }
    return behaviours;
}

std::optional<Fleet> readFleet(const QJsonValue &value, int position, QString *error)
{
    Fleet fleet;
    const QJsonObject json = value.toObject();
    fleet.name = json.value(QLatin1String("name")).toString();
    const QString where = fleet.name.isEmpty() ? QStringLiteral("fleet %1").arg(position + 1)
                                               : QStringLiteral("fleet \"%1\"").arg(fleet.name);
    FieldReader reader(json, where, error);
    if (!value.isObject()) {
        reader.fail({}, QStringLiteral("must be an object"));
        return std::nullopt;
    }
    reader.string(QStringLiteral("name"));
    fleet.templateName = reader.string(QStringLiteral("template"));
    fleet.count = reader.integer(QStringLiteral("count"), 0, 1, MaxDevicesPerFleet);
    fleet.deviceName = reader.string(QStringLiteral("deviceName"), fleet.deviceName);
    fleet.qos = reader.integer(QStringLiteral("qos"), 0, 0, 1);
    fleet.schedule = reader.object(QStringLiteral("schedule"));
    fleet.sensors = reader.array(QStringLiteral("sensors"));
    fleet.payload = reader.object(QStringLiteral("payload"));
    const QJsonObject topics = reader.object(QStringLiteral("topics"));
    const QJsonObject identity = reader.object(QStringLiteral("identity"));
    const QJsonObject behaviours = reader.object(QStringLiteral("behaviours"));
    reader.refuseUnknownFields();
    if (!reader.has(QStringLiteral("count")))
        reader.fail(QStringLiteral("count"), QStringLiteral("is needed"));
    bool ok = reader.ok();
    if (ok) {
        FieldReader topicReader(topics, where + QLatin1String(" topics"), error);
        fleet.eventsTopic = topicReader.string(QStringLiteral("events"));
        fleet.stateTopic = topicReader.string(QStringLiteral("state"));
        topicReader.refuseUnknownFields();
        ok = topicReader.ok();
    }
    if (ok)
        fleet.identity = readIdentity(identity, where, error, &ok);
    if (ok)
        fleet.behaviours = readBehaviours(behaviours, where, error, &ok);
    if (!ok)
        return std::nullopt;
    return fleet;
}

std::optional<TimelineEvent> readEvent(const QJsonValue &value, int position, QString *error)
{
    TimelineEvent event;
    FieldReader reader(value.toObject(), QStringLiteral("timeline entry %1").arg(position + 1), error);
    if (!value.isObject()) {
        reader.fail({}, QStringLiteral("must be an object"));
        return std::nullopt;
    }
    event.atMs = reader.duration(QStringLiteral("at"), 0);
    event.fleet = reader.string(QStringLiteral("fleet"));
    event.share = reader.number(QStringLiteral("share"), 1.0, 0.0, 1.0);
    const QJsonArray devices = reader.array(QStringLiteral("devices"));
    for (const QJsonValue &device : devices) {
        if (!device.isString())
            reader.fail(QStringLiteral("devices"), QStringLiteral("must be a list of device names"));
        event.devices << device.toString();
    }
    const QString fault = reader.string(QStringLiteral("fault"));
    if (auto kind = faultFromName(fault))
        event.fault = *kind;
    else
        reader.fail(QStringLiteral("fault"), QStringLiteral("must be one of %1").arg(namesOf(faults)));
    event.durationMs = reader.duration(QStringLiteral("duration"), 0);
    event.delayMs = reader.duration(QStringLiteral("delay"), 0);
    event.loss = reader.number(QStringLiteral("loss"), 0, 0, 1);
    event.repeat = reader.integer(QStringLiteral("repeat"), 1, 1, 1000);
    event.intervalMs = reader.duration(QStringLiteral("interval"), event.intervalMs);
    event.sizeBytes = reader.integer(QStringLiteral("size"), 0, 0, 256 * 1024 * 1024);
    event.offsetMs = reader.signedDuration(QStringLiteral("offset"));
    event.rate = reader.number(QStringLiteral("rate"), 0, 0, 100);
    reader.refuseUnknownFields();
    if (event.fleet.isEmpty())
        reader.fail(QStringLiteral("fleet"), QStringLiteral("is needed"));
    // Each fault's own parameter, so a fault that could do nothing is refused up front.
    using Fault = TimelineEvent::Fault;
    switch (event.fault) {
    case Fault::Offline:
        if (event.durationMs <= 0)
            reader.fail(QStringLiteral("duration"), QStringLiteral("must be positive for an offline fault"));
        break;
    case Fault::SlowLink:
        if (event.delayMs <= 0)
            reader.fail(QStringLiteral("delay"), QStringLiteral("must be positive for a slow link"));
        break;
    case Fault::LossyLink:
        if (event.loss <= 0)
            reader.fail(QStringLiteral("loss"), QStringLiteral("must be above 0 for a lossy link"));
        break;
    case Fault::OversizedPayload:
        if (event.sizeBytes <= 0)
            reader.fail(QStringLiteral("size"), QStringLiteral("must be positive for oversized payloads"));
        break;
    case Fault::ClockSkew:
        if (event.offsetMs == 0)
            reader.fail(QStringLiteral("offset"), QStringLiteral("must not be 0 for a clock skew"));
        break;
    case Fault::BatteryDrain:
        if (event.rate <= 0)
            reader.fail(QStringLiteral("rate"), QStringLiteral("must be above 0 (percent per minute)"));
        break;
    case Fault::ReconnectStorm:
    case Fault::MalformedPayload:
    case Fault::WrongCredentials:
        break;
    }
    if (!reader.ok())
        return std::nullopt;
    return event;
}

// --- writing -------------------------------------------------------------------------------

void putDuration(QJsonObject &json, const char *field, std::int64_t ms, std::int64_t fallback)
{
    if (ms != fallback)
        json.insert(QLatin1String(field), formatDurationMs(ms));
}

void putString(QJsonObject &json, const char *field, const QString &value)
{
    if (!value.isEmpty())
        json.insert(QLatin1String(field), value);
}

QJsonObject identityJson(const Identity &identity)
{
    QJsonObject json{{QStringLiteral("kind"), QLatin1String(nameOf(identityKinds, int(identity.kind)))}};
    putString(json, "registry", identity.registry);
    putString(json, "broker", identity.broker);
    putString(json, "secret", identity.secret);
    putString(json, "username", identity.username);
    putString(json, "password", identity.password);
    return json;
}

QJsonObject behavioursJson(const Behaviours &behaviours)
{
    QJsonObject json;
    if (!behaviours.stateOnConnect)
        json.insert(QStringLiteral("stateOnConnect"), false);
    if (!behaviours.applyConfig)
        json.insert(QStringLiteral("applyConfig"), false);
    QJsonArray commands;
    for (const CommandRule &rule : behaviours.commands) {
        QJsonObject command{{QStringLiteral("match"), rule.match},
                            {QStringLiteral("action"), QLatin1String(nameOf(commandActions, int(rule.action)))}};
        if (rule.replyTo != QLatin1String("events"))
            command.insert(QStringLiteral("replyTo"), rule.replyTo);
        putString(command, "payload", rule.payload);
        putString(command, "sensor", rule.sensor);
        if (rule.value)
            command.insert(QStringLiteral("value"), *rule.value);
        putDuration(command, "downtime", rule.downtimeMs, CommandRule().downtimeMs);
        commands.append(command);
    }
    if (!commands.isEmpty())
        json.insert(QStringLiteral("commands"), commands);
    return json;
}

QJsonObject fleetJson(const Fleet &fleet)
{
    QJsonObject json{{QStringLiteral("name"), fleet.name}, {QStringLiteral("count"), fleet.count}};
    putString(json, "template", fleet.templateName);
    if (fleet.deviceName != Fleet().deviceName)
        json.insert(QStringLiteral("deviceName"), fleet.deviceName);
    json.insert(QStringLiteral("identity"), identityJson(fleet.identity));
    if (fleet.qos != 0)
        json.insert(QStringLiteral("qos"), fleet.qos);
    if (!fleet.schedule.isEmpty())
        json.insert(QStringLiteral("schedule"), fleet.schedule);
    if (!fleet.sensors.isEmpty())
        json.insert(QStringLiteral("sensors"), fleet.sensors);
    if (!fleet.payload.isEmpty())
        json.insert(QStringLiteral("payload"), fleet.payload);
    QJsonObject topics;
    putString(topics, "events", fleet.eventsTopic);
    putString(topics, "state", fleet.stateTopic);
    if (!topics.isEmpty())
        json.insert(QStringLiteral("topics"), topics);
    const QJsonObject behaviours = behavioursJson(fleet.behaviours);
    if (!behaviours.isEmpty())
        json.insert(QStringLiteral("behaviours"), behaviours);
    return json;
}

QJsonObject eventJson(const TimelineEvent &event)
{
    const TimelineEvent defaults;
    QJsonObject json{{QStringLiteral("at"), formatDurationMs(event.atMs)},
                     {QStringLiteral("fleet"), event.fleet},
                     {QStringLiteral("fault"), QLatin1String(faultName(event.fault))}};
    if (!event.devices.isEmpty())
        json.insert(QStringLiteral("devices"), QJsonArray::fromStringList(event.devices));
    else if (event.share != 1.0)
        json.insert(QStringLiteral("share"), event.share);
    putDuration(json, "duration", event.durationMs, defaults.durationMs);
    putDuration(json, "delay", event.delayMs, defaults.delayMs);
    if (event.loss != defaults.loss)
        json.insert(QStringLiteral("loss"), event.loss);
    if (event.repeat != defaults.repeat)
        json.insert(QStringLiteral("repeat"), event.repeat);
    putDuration(json, "interval", event.intervalMs, defaults.intervalMs);
    if (event.sizeBytes != defaults.sizeBytes)
        json.insert(QStringLiteral("size"), event.sizeBytes);
    if (event.offsetMs != 0) {
        json.insert(QStringLiteral("offset"),
                    (event.offsetMs < 0 ? QStringLiteral("-") : QString())
                        + formatDurationMs(std::abs(event.offsetMs)));
    }
    if (event.rate != defaults.rate)
        json.insert(QStringLiteral("rate"), event.rate);
    return json;
}

} // namespace

QString Fleet::deviceNameAt(int index) const
{
    QString result = deviceName;
    result.replace(QLatin1String("{fleet}"), name);
    result.replace(QLatin1String("{i}"), QString::number(index + 1));
    return result;
}

const Fleet *Scenario::fleet(const QString &name) const
{
    auto it = std::find_if(fleets.begin(), fleets.end(),
                           [&](const Fleet &fleet) { return fleet.name == name; });
    return it == fleets.end() ? nullptr : &*it;
}

QString Scenario::check() const
{
    QSet<QString> fleetNames;
    // Device names must be unique per registry (the catalog's rule) and per client id on a broker;
    // checked over the pattern's first and last name, which is where two patterns can collide in
    // practice, and in full for small fleets.
    QSet<QString> deviceNames;
    for (const Fleet &fleet : fleets) {
        const QString where = QStringLiteral("fleet \"%1\"").arg(fleet.name);
        if (const std::string problem = broker::rules::checkName(fleet.name.toStdString(), "fleet name");
            !problem.empty())
            return QString::fromStdString(problem);
        if (fleetNames.contains(fleet.name))
            return QStringLiteral("%1 is defined twice").arg(where);
        fleetNames.insert(fleet.name);
        if (fleet.count < 1 || fleet.count > MaxDevicesPerFleet)
            return QStringLiteral("%1: count must be between 1 and %2").arg(where).arg(MaxDevicesPerFleet);
        if (!fleet.deviceName.contains(QLatin1String("{i}")) && fleet.count > 1)
            return QStringLiteral("%1: deviceName \"%2\" must contain {i} so that its %3 devices get "
                                  "different names")
                .arg(where, fleet.deviceName)
                .arg(fleet.count);
        for (int index : {0, fleet.count - 1}) {
            const QString name = fleet.deviceNameAt(index);
            if (const std::string problem = broker::rules::checkName(name.toStdString(), "device name");
                !problem.empty())
                return QStringLiteral("%1: %2").arg(where, QString::fromStdString(problem));
        }
        const int checked = std::min(fleet.count, 10'000);
        for (int index = 0; index < checked; ++index) {
            const QString name = fleet.deviceNameAt(index);
            if (deviceNames.contains(name))
                return QStringLiteral("%1: device name \"%2\" is used by another fleet").arg(where, name);
            deviceNames.insert(name);
        }
    }
    for (std::size_t i = 0; i < timeline.size(); ++i) {
        const TimelineEvent &event = timeline[i];
        const Fleet *target = fleet(event.fleet);
        if (!target)
            return QStringLiteral("timeline entry %1: no fleet named \"%2\"").arg(i + 1).arg(event.fleet);
        for (const QString &device : event.devices) {
            bool found = false;
            for (int index = 0; index < target->count && !found; ++index)
                found = target->deviceNameAt(index) == device;
            if (!found)
                return QStringLiteral("timeline entry %1: fleet \"%2\" has no device \"%3\"")
                    .arg(i + 1)
                    .arg(event.fleet, device);
        }
        if (durationMs > 0 && event.atMs >= durationMs)
            return QStringLiteral("timeline entry %1: at %2 is after the end of the run (%3)")
                .arg(i + 1)
                .arg(formatDurationMs(event.atMs), formatDurationMs(durationMs));
    }
    return {};
}

QJsonObject Scenario::toJson() const
{
    QJsonArray fleetArray;
    for (const Fleet &fleet : fleets)
        fleetArray.append(fleetJson(fleet));
    QJsonArray timelineArray;
    for (const TimelineEvent &event : timeline)
        timelineArray.append(eventJson(event));
    QJsonObject json{{QStringLiteral("kind"), QLatin1String(Kind)},
                     {QStringLiteral("version"), Version},
                     {QStringLiteral("seed"), QString::number(seed)},
                     {QStringLiteral("fleets"), fleetArray}};
    if (durationMs > 0)
        json.insert(QStringLiteral("duration"), formatDurationMs(durationMs));
    if (!timelineArray.isEmpty())
        json.insert(QStringLiteral("timeline"), timelineArray);
    return json;
}

std::optional<Scenario> Scenario::fromJson(const QJsonObject &json, QString *error)
{
    Scenario scenario;
    FieldReader reader(json, QStringLiteral("scenario"), error);
    const QString kind = reader.string(QStringLiteral("kind"));
    if (kind != QLatin1String(Kind)) {
        reader.fail(QStringLiteral("kind"),
                    QStringLiteral("must be \"%1\" (is this a scenario file?)").arg(QLatin1String(Kind)));
    }
    const int version = reader.integer(QStringLiteral("version"), Version, 1, 1'000'000);
    if (reader.ok() && version > Version)
        reader.fail(QStringLiteral("version"),
                    QStringLiteral("is %1; this version of iotcore-studio reads up to %2").arg(version).arg(Version));
    // The seed is written as a string: JSON numbers lose integers above 2^53. A number is read too.
    reader.markKnown(QStringLiteral("seed"));
    const QJsonValue seed = json.value(QLatin1String("seed"));
    bool seedOk = seed.isUndefined() || seed.isNull();
    if (seed.isDouble() && seed.toDouble() >= 0 && seed.toDouble() < 9.0e15
        && seed.toDouble() == std::floor(seed.toDouble())) {
        scenario.seed = static_cast<std::uint64_t>(seed.toDouble());
        seedOk = true;
    } else if (seed.isString()) {
        scenario.seed = seed.toString().toULongLong(&seedOk);
    }
    if (!seedOk)
        reader.fail(QStringLiteral("seed"), QStringLiteral("must be a whole number 0 or more"));
    scenario.durationMs = reader.duration(QStringLiteral("duration"), 0);
    const QJsonArray fleets = reader.array(QStringLiteral("fleets"));
    const QJsonArray timeline = reader.array(QStringLiteral("timeline"));
    reader.refuseUnknownFields();
    if (!reader.ok())
        return std::nullopt;
    for (qsizetype i = 0; i < fleets.size(); ++i) {
        std::optional<Fleet> fleet = readFleet(fleets[i], int(i), error);
        if (!fleet)
            return std::nullopt;
        scenario.fleets.push_back(std::move(*fleet));
    }
    for (qsizetype i = 0; i < timeline.size(); ++i) {
        std::optional<TimelineEvent> event = readEvent(timeline[i], int(i), error);
        if (!event)
            return std::nullopt;
        scenario.timeline.push_back(std::move(*event));
    }
    if (const QString problem = scenario.check(); !problem.isEmpty()) {
        *error = problem;
        return std::nullopt;
    }
    return scenario;
}

const char *faultName(TimelineEvent::Fault fault)
{
    return nameOf(faults, int(fault));
}

std::optional<TimelineEvent::Fault> faultFromName(const QString &name)
{
    if (auto value = valueOf(faults, name))
        return TimelineEvent::Fault(*value);
    return std::nullopt;
}

QString devicePassword(const QString &secret, const QString &deviceName)
{
    const QByteArray mac = QMessageAuthenticationCode::hash(deviceName.toUtf8(), secret.toUtf8(),
                                                            QCryptographicHash::Sha256);
    // 62 symbols, so 24 characters carry ~143 bits; the first three positions take one
    // character of each class so the password rules hold whatever the hash says.
    static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
    static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static const char digits[] = "0123456789";
    static const char all[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    QString password;
    for (int i = 0; i < 24; ++i) {
        const auto byte = static_cast<unsigned char>(mac[i]);
        switch (i) {
        case 0: password += QLatin1Char(lower[byte % 26]); break;
        case 1: password += QLatin1Char(upper[byte % 26]); break;
        case 2: password += QLatin1Char(digits[byte % 10]); break;
        default: password += QLatin1Char(all[byte % 62]); break;
        }
    }
    return password;
}

QString newFleetSecret()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace iotcore::sim
