// `iotcore-studio sim fleet|scenario …`: the workspace's simulation, scriptable. A fleet is a
// device template and a count; creating one provisions its IoT Core identities in the catalog in
// the same step. The scenario (fleets, timeline, seed, duration) exports to JSON and imports
// back, for version control. Same rules as `iot …`: bad input is one line on stderr, exit 1, and
// the workspace is left unchanged.

#include "SimCommand.h"

#include "Cli.h"
#include "IotCommandLine.h"
#include "IotCommands.h"
#include "sim/Duration.h"
#include "sim/FleetModel.h"
#include "sim/FleetProvisioner.h"
#include "sim/ScenarioStore.h"

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

#include <cstdio>

namespace iotcore::app {

using namespace iotcore::sim;

namespace {

const QString Family = QStringLiteral("sim");

IotCommandLine simCommandLine(const QString &command, const QString &description,
                              const QString &positional = {})
{
    return IotCommandLine(command, description, positional, Family);
}

// The catalog and the scenario of one workspace, changed in memory and saved together.
struct SimWorkspace {
    std::unique_ptr<CatalogWorkspace> catalog;
    std::unique_ptr<ScenarioStore> store;
    Scenario scenario;

    static std::optional<SimWorkspace> open(const IotCommandLine &command, bool create, int *exitCode)
    {
        SimWorkspace workspace;
        workspace.catalog = command.openWorkspace(create);
        if (!workspace.catalog) {
            *exitCode = ExitFailure;
            return std::nullopt;
        }
        // A workspace that does not exist yet is created by save(), as `iot … create` does.
        const QString path = command.value(QStringLiteral("workspace"));
        if (QFile::exists(path) && !workspace.openStore(path, exitCode, command))
            return std::nullopt;
        return workspace;
    }

    bool openStore(const QString &path, int *exitCode, const IotCommandLine &command)
    {
        QString error;
        store = ScenarioStore::open(path, false, &error);
        std::optional<Scenario> loaded = store ? store->load(&error) : std::nullopt;
        if (!loaded) {
            *exitCode = command.fail(error);
            return false;
        }
        scenario = std::move(*loaded);
        return true;
    }

    // The catalog first: devices without their fleet are harmless, a fleet whose devices are
    // missing could not log in.
    int commit(const IotCommandLine &command, const std::string &output)
    {
        QString error;
        if (!catalog->save(&error))
            return command.fail(error);
        if (!store)
            store = ScenarioStore::open(command.value(QStringLiteral("workspace")), true, &error);
        if (!store || !store->save(scenario, &error))
            return command.fail(error);
        for (const QString &warning : catalog->cloudQuotaWarnings())
            printError(QStringLiteral("warning: ") + warning);
        return command.print(output);
    }
};

QString identityText(const Identity &identity)
{
    switch (identity.kind) {
    case Identity::Kind::Device:
        return QStringLiteral("registry ") + identity.registry;
    case Identity::Kind::Broker:
        return QStringLiteral("broker ") + identity.broker;
    case Identity::Kind::Anonymous:
        return identity.username.isEmpty() ? QStringLiteral("anonymous")
                                           : QStringLiteral("user ") + identity.username;
    }
    return {};
}

OutputValue fleetOutput(const Fleet &fleet)
{
    OutputValue value = OutputValue::map();
    value.set("name", fleet.name.toStdString());
    value.set("template", fleet.templateName.toStdString());
    value.set("count", std::to_string(fleet.count));
    value.set("identity", identityText(fleet.identity).toStdString());
    value.set("devices", (fleet.deviceNameAt(0) + (fleet.count > 1 ? QStringLiteral(" … ") + fleet.deviceNameAt(fleet.count - 1)
                                                                   : QString()))
                             .toStdString());
    value.set("qos", std::to_string(fleet.qos));
    value.set("period", formatDurationMs(FleetModel::periodMs(fleet)).toStdString());
    return value;
}

void printNotes(const FleetProvisioner::Report &report)
{
    for (const QString &note : report.notes)
        printError(note);
}

bool readJsonFile(const QString &path, QJsonObject *object, QString *error)
{
    QFile file(path);
    if (path != QLatin1String("-") && !file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read \"%1\": %2").arg(path, file.errorString());
        return false;
    }
    if (path == QLatin1String("-"))
        file.open(stdin, QIODevice::ReadOnly);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("\"%1\" is not JSON: %2 at offset %3")
                     .arg(path, parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("\"%1\": a scenario is a JSON object").arg(path);
        return false;
    }
    *object = document.object();
    return true;
}

// --- sim fleet ----------------------------------------------------------------------------------

int fleetCreate(const QStringList &arguments)
{
    IotCommandLine command = simCommandLine(
        QStringLiteral("fleet create"),
        QStringLiteral("Add a fleet of simulated devices to the workspace's scenario and give its "
                       "devices their IoT Core identities (with --registry-name or --broker-name) "
                       "in the same step. Passwords are derived from a secret kept with the fleet "
                       "(sim fleet passwords prints them)."));
    command.addValueOption({QStringLiteral("name")}, QStringLiteral("Fleet name (required)."), QStringLiteral("NAME"));
    command.addValueOption({QStringLiteral("template")},
                           QStringLiteral("Device template: %1.").arg(FleetModel::templateNames().join(QLatin1String(", "))),
                           QStringLiteral("TEMPLATE"));
    command.addValueOption({QStringLiteral("count")}, QStringLiteral("Number of devices (required)."), QStringLiteral("N"));
    command.addValueOption({QStringLiteral("registry-name")},
                           QStringLiteral("IoT Core registry of the devices (created when missing)."),
                           QStringLiteral("REGISTRY"));
    command.addValueOption({QStringLiteral("broker-name")},
                           QStringLiteral("IoT Core broker the devices log in to (created when missing)."),
                           QStringLiteral("BROKER"));
    command.addValueOption({QStringLiteral("device-name")},
                           QStringLiteral("Device name pattern; {i} counts from 1, {fleet} is the fleet "
                                          "name (default {fleet}-{i})."),
                           QStringLiteral("PATTERN"));
    command.addValueOption({QStringLiteral("period")},
                           QStringLiteral("Seconds between messages of a device (10, 500ms, 1m)."),
                           QStringLiteral("S"));
    command.addValueOption({QStringLiteral("jitter")},
                           QStringLiteral("Random shift of each message, up to this much either way."),
                           QStringLiteral("S"));
    command.addValueOption({QStringLiteral("qos")}, QStringLiteral("QoS of the messages: 0 or 1."),
                           QStringLiteral("0|1"));
    command.addValueOption({QStringLiteral("sensors-file")},
                           QStringLiteral("JSON file with the sensors (a list of sensor objects), "
                                          "instead of or over the template's."),
                           QStringLiteral("FILE"));
    if (auto exit = command.parse(arguments, 0))
        return *exit;

    Fleet fleet;
    fleet.name = command.value(QStringLiteral("name"));
    if (fleet.name.isEmpty())
        return command.usageError(QStringLiteral("--name is required"));
    if (!command.isSet(QStringLiteral("count")))
        return command.usageError(QStringLiteral("--count is required"));
    bool ok = false;
    fleet.count = command.value(QStringLiteral("count")).toInt(&ok);
    if (!ok || fleet.count < 1)
        return command.fail(QStringLiteral("--count must be a whole number, 1 or more"));
    fleet.templateName = command.value(QStringLiteral("template"));
    if (command.isSet(QStringLiteral("device-name")))
        fleet.deviceName = command.value(QStringLiteral("device-name"));
    if (command.isSet(QStringLiteral("registry-name")) && command.isSet(QStringLiteral("broker-name")))
        return command.usageError(QStringLiteral("--registry-name and --broker-name cannot be used together"));
    if (command.isSet(QStringLiteral("registry-name"))) {
        fleet.identity.kind = Identity::Kind::Device;
        fleet.identity.registry = command.value(QStringLiteral("registry-name"));
    } else if (command.isSet(QStringLiteral("broker-name"))) {
        fleet.identity.kind = Identity::Kind::Broker;
        fleet.identity.broker = command.value(QStringLiteral("broker-name"));
    }
    if (command.isSet(QStringLiteral("qos"))) {
        const QString qos = command.value(QStringLiteral("qos"));
        if (qos != QLatin1String("0") && qos != QLatin1String("1"))
            return command.fail(QStringLiteral("--qos must be 0 or 1 (IoT Core has no QoS 2)"));
        fleet.qos = qos.toInt();
    }
    for (const char *option : {"period", "jitter"}) {
        const QString name = QLatin1String(option);
        if (!command.isSet(name))
            continue;
        QString reason;
        const QJsonValue value = durationArgument(command.value(name));
        if (!parseDurationMs(value, &reason))
            return command.fail(QStringLiteral("--%1: %2").arg(name, reason));
        fleet.schedule.insert(name, value);
    }
    if (command.isSet(QStringLiteral("sensors-file"))) {
        const QString path = command.value(QStringLiteral("sensors-file"));
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return command.fail(QStringLiteral("cannot read \"%1\": %2").arg(path, file.errorString()));
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
        if (!document.isArray())
            return command.fail(QStringLiteral("\"%1\" must hold a JSON list of sensors%2")
                                    .arg(path, parseError.error == QJsonParseError::NoError
                                                   ? QString()
                                                   : QStringLiteral(" (%1)").arg(parseError.errorString())));
        fleet.sensors = document.array();
    }
    if (fleet.templateName.isEmpty() && fleet.sensors.isEmpty())
        return command.usageError(QStringLiteral("--template or --sensors-file is required"));

    int exitCode = ExitOk;
    std::optional<SimWorkspace> workspace = SimWorkspace::open(command, true, &exitCode);
    if (!workspace)
        return exitCode;
    if (workspace->scenario.fleet(fleet.name))
        return command.fail(QStringLiteral("a fleet named \"%1\" already exists").arg(fleet.name));
    workspace->scenario.fleets.push_back(fleet);
    if (const QString problem = workspace->scenario.check(); !problem.isEmpty())
        return command.fail(problem);
    if (const QString problem = FleetModel::check(fleet); !problem.isEmpty())
        return command.fail(problem);

    FleetProvisioner::Report report;
    QString error;
    Fleet &stored = workspace->scenario.fleets.back();
    if (!FleetProvisioner(workspace->catalog->catalog()).provision(stored, &report, &error))
        return command.fail(error);
    printNotes(report);
    return workspace->commit(command, formatResource(fleetOutput(stored), command.format()));
}

int fleetList(const QStringList &arguments)
{
    IotCommandLine command = simCommandLine(QStringLiteral("fleet list"),
                                            QStringLiteral("List the fleets of the workspace's scenario."));
    if (auto exit = command.parse(arguments, 0))
        return *exit;
    int exitCode = ExitOk;
    std::optional<SimWorkspace> workspace = SimWorkspace::open(command, false, &exitCode);
    if (!workspace)
        return exitCode;
    OutputValue list = OutputValue::list();
    for (const Fleet &fleet : workspace->scenario.fleets)
        list.append(fleetOutput(fleet));
    return command.print(formatList(list,
                                    {{"NAME", "name"},
                                     {"TEMPLATE", "template"},
                                     {"COUNT", "count"},
                                     {"IDENTITY", "identity"},
                                     {"QOS", "qos"},
                                     {"PERIOD", "period"}},
                                    command.format()));
}

// A fleet command that names one fleet, as a positional argument or --name: its command line,
// and once parsed, the workspace and the fleet.
struct NamedFleetCommand {
    IotCommandLine command;
    std::optional<SimWorkspace> workspace;
    QString name;
    std::vector<Fleet>::iterator fleet;

    NamedFleetCommand(const QString &verb, const QString &description)
        : command(simCommandLine(verb, description, QStringLiteral("[NAME]")))
    {
        command.addValueOption({QStringLiteral("name")}, QStringLiteral("Fleet name."), QStringLiteral("NAME"));
    }

    // Nothing when the command goes on with `workspace` and `fleet` set; otherwise the exit code.
    std::optional<int> parse(const QStringList &arguments)
    {
        if (auto exit = command.parse(arguments, 1))
            return exit;
        name = command.isSet(QStringLiteral("name")) ? command.value(QStringLiteral("name"))
                                                     : command.positional().value(0);
        if (name.isEmpty())
            return command.usageError(QStringLiteral("name the fleet: NAME or --name NAME"));
        int exitCode = ExitOk;
        workspace = SimWorkspace::open(command, false, &exitCode);
        if (!workspace)
            return exitCode;
        std::vector<Fleet> &fleets = workspace->scenario.fleets;
        fleet = std::find_if(fleets.begin(), fleets.end(), [&](const Fleet &f) { return f.name == name; });
        if (fleet == fleets.end())
            return command.fail(QStringLiteral("no fleet named \"%1\"").arg(name));
        return std::nullopt;
    }
};

int fleetGet(const QStringList &arguments)
{
    NamedFleetCommand run(QStringLiteral("fleet get"), QStringLiteral("Show a fleet as the scenario stores it."));
    if (auto exit = run.parse(arguments))
        return *exit;
    const Fleet &fleet = *run.fleet;
    if (run.command.format() == OutputFormat::Json) {
        Scenario single;
        single.fleets.push_back(fleet);
        const QJsonObject json = single.toJson().value(QLatin1String("fleets")).toArray().first().toObject();
        return run.command.print(QJsonDocument(json).toJson(QJsonDocument::Indented).toStdString());
    }
    return run.command.print(formatResource(fleetOutput(fleet), run.command.format()));
}

int fleetDelete(const QStringList &arguments)
{
    NamedFleetCommand run(QStringLiteral("fleet delete"),
                          QStringLiteral("Remove a fleet from the scenario, with its devices from the catalog "
                                         "(unless --keep-devices) and its timeline entries."));
    run.command.addFlag({QStringLiteral("keep-devices")}, QStringLiteral("Keep the fleet's devices in the catalog."));
    if (auto exit = run.parse(arguments))
        return *exit;
    SimWorkspace &workspace = *run.workspace;
    int removed = 0;
    if (!run.command.isSet(QStringLiteral("keep-devices")))
        removed = FleetProvisioner(workspace.catalog->catalog()).deprovision(*run.fleet);
    workspace.scenario.fleets.erase(run.fleet);
    std::erase_if(workspace.scenario.timeline, [&](const TimelineEvent &event) { return event.fleet == run.name; });
    if (removed > 0)
        printError(QStringLiteral("removed %1 devices from the catalog").arg(removed));
    return workspace.commit(run.command, {});
}

int fleetPasswords(const QStringList &arguments)
{
    NamedFleetCommand run(QStringLiteral("fleet passwords"),
                          QStringLiteral("Print each device of a fleet with its id and password, one per line "
                                         "(\"<name> <id> <password>\"), to log in as it with other clients."));
    if (auto exit = run.parse(arguments))
        return *exit;
    const Fleet &fleet = *run.fleet;
    const broker::Catalog &catalog = run.workspace->catalog->catalog();
    std::string output;
    if (fleet.identity.kind == Identity::Kind::Broker) {
        const broker::IotBroker *broker = catalog.brokerByName(fleet.identity.broker.toStdString());
        output = fleet.identity.broker.toStdString() + ' ' + (broker ? broker->id : "-") + ' '
                 + devicePassword(fleet.identity.secret, fleet.identity.broker).toStdString() + '\n';
    } else if (fleet.identity.kind == Identity::Kind::Device) {
        const broker::Registry *registry = catalog.registryByName(fleet.identity.registry.toStdString());
        for (int i = 0; i < fleet.count; ++i) {
            const QString deviceName = fleet.deviceNameAt(i);
            const broker::Device *device
                = registry ? catalog.deviceByName(registry->id, deviceName.toStdString()) : nullptr;
            output += deviceName.toStdString() + ' ' + (device ? device->id : "-") + ' '
                      + devicePassword(fleet.identity.secret, deviceName).toStdString() + '\n';
        }
    } else {
        return run.command.fail(QStringLiteral("fleet \"%1\" is anonymous: it has no passwords").arg(run.name));
    }
    return run.command.print(output);
}

int runFleet(const QStringList &arguments)
{
    static const std::vector<IotVerb> verbs = {
        {"create", "Add a fleet and provision its devices' identities", fleetCreate},
        {"list", "List the fleets", fleetList},
        {"get", "Show a fleet", fleetGet},
        {"delete", "Remove a fleet (and its devices)", fleetDelete},
        {"passwords", "Print the devices' ids and passwords", fleetPasswords},
    };
    return dispatchIotVerbs(QStringLiteral("fleet"),
                            QStringLiteral("Fleets of simulated devices: a template and a count."),
                            verbs, arguments, Family);
}

// --- sim scenario -------------------------------------------------------------------------------

int scenarioExport(const QStringList &arguments)
{
    IotCommandLine command = simCommandLine(
        QStringLiteral("scenario export"),
        QStringLiteral("Write the workspace's scenario (fleets, timeline, seed, duration) as JSON, "
                       "to FILE or to standard output (-). It holds the fleets' secrets: the "
                       "devices' passwords can be derived from it."),
        QStringLiteral("FILE"));
    if (auto exit = command.parse(arguments, 1))
        return *exit;
    const QString path = command.positional().value(0);
    if (path.isEmpty())
        return command.usageError(QStringLiteral("name the file to write (- for standard output)"));
    int exitCode = ExitOk;
    std::optional<SimWorkspace> workspace = SimWorkspace::open(command, false, &exitCode);
    if (!workspace)
        return exitCode;
    const QByteArray json = QJsonDocument(workspace->scenario.toJson()).toJson(QJsonDocument::Indented);
    if (path == QLatin1String("-"))
        return command.print(json.toStdString());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size() || !file.commit())
        return command.fail(QStringLiteral("cannot write \"%1\": %2").arg(path, file.errorString()));
    return ExitOk;
}

int scenarioImport(const QStringList &arguments)
{
    IotCommandLine command = simCommandLine(
        QStringLiteral("scenario import"),
        QStringLiteral("Replace the workspace's scenario with FILE (JSON as scenario export writes "
                       "it; - reads standard input) and provision the identities its fleets need."),
        QStringLiteral("FILE"));
    if (auto exit = command.parse(arguments, 1))
        return *exit;
    const QString path = command.positional().value(0);
    if (path.isEmpty())
        return command.usageError(QStringLiteral("name the scenario file to read (- for standard input)"));
    QJsonObject json;
    QString error;
    if (!readJsonFile(path, &json, &error))
        return command.fail(error);
    std::optional<Scenario> scenario = Scenario::fromJson(json, &error);
    if (!scenario)
        return command.fail(QStringLiteral("%1: %2").arg(path, error));
    for (const Fleet &fleet : scenario->fleets) {
        if (const QString problem = FleetModel::check(fleet); !problem.isEmpty())
            return command.fail(QStringLiteral("%1: %2").arg(path, problem));
    }
    int exitCode = ExitOk;
    std::optional<SimWorkspace> workspace = SimWorkspace::open(command, true, &exitCode);
    if (!workspace)
        return exitCode;
    FleetProvisioner provisioner(workspace->catalog->catalog());
    FleetProvisioner::Report report;
    for (Fleet &fleet : scenario->fleets) {
        if (!provisioner.provision(fleet, &report, &error))
            return command.fail(error);
    }
    printNotes(report);
    workspace->scenario = std::move(*scenario);
    return workspace->commit(command,
                             QStringLiteral("imported %1 fleets (%2 devices created, %3 existing devices given the fleet's password)\n")
                                 .arg(workspace->scenario.fleets.size())
                                 .arg(report.created)
                                 .arg(report.credentialed)
                                 .toStdString());
}

int scenarioSet(const QStringList &arguments)
{
    IotCommandLine command = simCommandLine(QStringLiteral("scenario set"),
                                            QStringLiteral("Change the scenario's seed or duration."));
    command.addValueOption({QStringLiteral("seed")},
                           QStringLiteral("Seed of every random choice of the run (a whole number)."),
                           QStringLiteral("N"));
    command.addValueOption({QStringLiteral("duration")},
                           QStringLiteral("How long a run lasts (10m, 1h; 0: until stopped)."),
                           QStringLiteral("S"));
    if (auto exit = command.parse(arguments, 0))
        return *exit;
    int exitCode = ExitOk;
    std::optional<SimWorkspace> workspace = SimWorkspace::open(command, false, &exitCode);
    if (!workspace)
        return exitCode;
    Scenario &scenario = workspace->scenario;
    if (command.isSet(QStringLiteral("seed"))) {
        bool ok = false;
        scenario.seed = command.value(QStringLiteral("seed")).toULongLong(&ok);
        if (!ok)
            return command.fail(QStringLiteral("--seed must be a whole number 0 or more"));
    }
    if (command.isSet(QStringLiteral("duration"))) {
        QString reason;
        const std::optional<std::int64_t> ms
            = parseDurationMs(durationArgument(command.value(QStringLiteral("duration"))), &reason);
        if (!ms)
            return command.fail(QStringLiteral("--duration: %1").arg(reason));
        scenario.durationMs = *ms;
    }
    if (const QString problem = scenario.check(); !problem.isEmpty())
        return command.fail(problem);
    return workspace->commit(command, {});
}

int runScenario(const QStringList &arguments)
{
    static const std::vector<IotVerb> verbs = {
        {"export", "Write the scenario as JSON", scenarioExport},
        {"import", "Replace the scenario with a JSON file", scenarioImport},
        {"set", "Change the seed or the duration", scenarioSet},
    };
    return dispatchIotVerbs(QStringLiteral("scenario"),
                            QStringLiteral("The workspace's scenario: fleets, a timeline of faults, "
                                           "a seed and a duration."),
                            verbs, arguments, Family);
}

} // namespace

int runSim(const QStringList &arguments)
{
    static const std::vector<IotVerb> groups = {
        {"fleet", "Fleets of simulated devices", runFleet},
        {"scenario", "Export, import and set the scenario", runScenario},
    };
    return dispatchIotVerbs(QString(),
                            QStringLiteral("The workspace's simulation: fleets of devices and the "
                                           "scenario they run in (iotcore-studio simulate runs it)."),
                            groups, arguments, Family);
}

} // namespace iotcore::app
