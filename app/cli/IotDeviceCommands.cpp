// `iotcore-studio iot device …`, verb for verb like `yc iot device …`.

#include "Cli.h"
#include "IotCommands.h"

#include "iot/Catalog.h"

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

const QString Device_ = QStringLiteral("Device");
const QString Registry_ = QStringLiteral("Registry");

IotCommandLine deviceCommand(const char *verb, const char *description)
{
    IotCommandLine command(QStringLiteral("device ") + QLatin1String(verb),
                           QString::fromLatin1(description),
                           QStringLiteral("[DEVICE-NAME|DEVICE-ID]"));
    addNameOptions(command, {}, Device_);
    addNameOptions(command, QStringLiteral("registry-"), Registry_);
    return command;
}

std::string shown(const IotCommandLine &command, const Device &device)
{
    return formatResource(deviceResource(device), command.format());
}

// yc names the option --aliases for add-topic-aliases and --topic-aliases for create and
// remove-topic-aliases: every command that takes aliases accepts both.
void addAliasOption(IotCommandLine &command, const QString &description, const QString &valueName)
{
    command.addValueOption({QStringLiteral("topic-aliases"), QStringLiteral("aliases")},
                           description, valueName);
}

int create(const QStringList &arguments)
{
    IotCommandLine command(QStringLiteral("device create"),
                           QStringLiteral("Creates a device in a registry."),
                           QStringLiteral("[DEVICE-NAME]"));
    addNameOptions(command, QStringLiteral("registry-"), Registry_);
    addNewEntityOptions(command, QStringLiteral("device"));
    addAliasOption(command,
                   QStringLiteral("Topic aliases: ALIAS=TOPIC-PREFIX[,…]; {id} in a prefix is the "
                                  "new device's id."),
                   QStringLiteral("ALIASES"));
    addCredentialOptions(command, QStringLiteral("device"));
    if (auto exit = command.parse(arguments, 1))
        return *exit;
    std::string name;
    if (auto exit = takeNewEntityName(command, QStringLiteral("device"), &name))
        return *exit;
    EntityName registry;
    int exitCode = ExitOk;
    if (!takeEntityName(command, QStringLiteral("registry-"), Registry_, false, true, &registry,
                        &exitCode))
        return exitCode;

    Device draft;
    draft.name = std::move(name);
    draft.description = command.stdValue(QStringLiteral("description"));
    QString error;
    std::optional<Labels> labels;
    if (!takeLabels(command, &labels, &error))
        return command.fail(error);
    draft.labels = labels.value_or(Labels {});
    if (command.isSet(QStringLiteral("topic-aliases"))
        && !parseKeyValues(command.value(QStringLiteral("topic-aliases")),
                           QStringLiteral("--topic-aliases"), &draft.topicAliases, &error))
        return command.fail(error);

    auto workspace = command.openWorkspace(false);
    if (!workspace)
        return ExitFailure;
    auto registryId = findRegistry(workspace->catalog(), registry, &error);
    if (!registryId)
        return command.fail(error);
    draft.registryId = *registryId;
    if (!takeCredentials(command, workspace->passwordIterations(), &draft.certificates,
                         &draft.passwords, &error))
        return command.fail(error);
    auto created = workspace->catalog().createDevice(std::move(draft));
    if (!created)
        return command.fail(created.error);
    return command.commit(*workspace, shown(command, *created));
}

int get(const QStringList &arguments)
{
    IotCommandLine command = deviceCommand("get", "Shows a device.");
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Device, {}, &workspace, &id))
        return *exit;
    return command.print(shown(command, *workspace->catalog().device(id)));
}

int list(const QStringList &arguments)
{
    IotCommandLine command(QStringLiteral("device list"),
                           QStringLiteral("Lists the devices of a registry, or of all registries."),
                           QStringLiteral("[REGISTRY-NAME|REGISTRY-ID]"));
    addNameOptions(command, QStringLiteral("registry-"), Registry_);
    if (auto exit = command.parse(arguments, 1))
        return *exit;
    EntityName registry;
    int exitCode = ExitOk;
    if (!takeEntityName(command, QStringLiteral("registry-"), Registry_, true, false, &registry,
                        &exitCode))
        return exitCode;
    auto workspace = command.openWorkspace(false);
    if (!workspace)
        return ExitFailure;
    const Catalog &catalog = workspace->catalog();
    std::vector<const Registry *> registries;
    if (registry.isEmpty()) {
        registries = catalog.registries();
    } else {
        QString error;
        auto registryId = findRegistry(catalog, registry, &error);
        if (!registryId)
            return command.fail(error);
        registries.push_back(catalog.registry(*registryId));
    }
    OutputValue devices = OutputValue::list();
    for (const Registry *owner : registries) {
        for (const Device *device : catalog.devices(owner->id))
            devices.append(deviceResource(*device));
    }
    return command.print(formatList(devices, entityColumns, command.format()));
}

int update(const QStringList &arguments)
{
    IotCommandLine command
        = deviceCommand("update", "Changes a device's name, description or labels.");
    command.addValueOption({QStringLiteral("new-name")}, QStringLiteral("New device name."),
                           QStringLiteral("NAME"));
    command.addValueOption({QStringLiteral("description")}, QStringLiteral("New description."),
                           QStringLiteral("TEXT"));
    command.addValueOption({QStringLiteral("labels")},
                           QStringLiteral("New labels, replacing all: KEY=VALUE[,KEY=VALUE…]."),
                           QStringLiteral("LABELS"));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Device, {}, &workspace, &id))
        return *exit;
    DeviceUpdate change;
    if (command.isSet(QStringLiteral("new-name")))
        change.name = command.stdValue(QStringLiteral("new-name"));
    if (command.isSet(QStringLiteral("description")))
        change.description = command.stdValue(QStringLiteral("description"));
    QString error;
    if (!takeLabels(command, &change.labels, &error))
        return command.fail(error);
    auto updated = workspace->catalog().updateDevice(id, change);
    if (!updated)
        return command.fail(updated.error);
    return command.commit(*workspace, shown(command, *updated));
}

int remove(const QStringList &arguments)
{
    IotCommandLine command = deviceCommand("delete", "Deletes a device.");
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Device, {}, &workspace, &id))
        return *exit;
    if (auto status = workspace->catalog().deleteDevice(id); !status)
        return command.fail(status.error);
    return command.commit(*workspace, {});
}

int addTopicAliases(const QStringList &arguments)
{
    IotCommandLine command = deviceCommand("add-topic-aliases", "Adds topic aliases to a device.");
    addAliasOption(command,
                   QStringLiteral("ALIAS=TOPIC-PREFIX[,…]; {id} stands for the device id."),
                   QStringLiteral("ALIASES"));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Device, {}, &workspace, &id))
        return *exit;
    if (!command.isSet(QStringLiteral("aliases")))
        return command.usageError(QStringLiteral("--aliases ALIAS=TOPIC[,…] is required"));
    TopicAliases aliases;
    QString error;
    if (!parseKeyValues(command.value(QStringLiteral("aliases")), QStringLiteral("--aliases"),
                        &aliases, &error))
        return command.fail(error);
    auto updated = workspace->catalog().addTopicAliases(id, aliases);
    if (!updated)
        return command.fail(updated.error);
    return command.commit(*workspace, shown(command, *updated));
}

int removeTopicAliases(const QStringList &arguments)
{
    IotCommandLine command
        = deviceCommand("remove-topic-aliases", "Removes topic aliases of a device.");
    addAliasOption(command, QStringLiteral("ALIAS[,ALIAS…]."), QStringLiteral("ALIASES"));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Device, {}, &workspace, &id))
        return *exit;
    if (!command.isSet(QStringLiteral("topic-aliases")))
        return command.usageError(QStringLiteral("--topic-aliases ALIAS[,…] is required"));
    auto updated = workspace->catalog().removeTopicAliases(
        id, parseKeyList(command.value(QStringLiteral("topic-aliases"))));
    if (!updated)
        return command.fail(updated.error);
    return command.commit(*workspace, shown(command, *updated));
}

} // namespace

int runIotDevice(const QStringList &arguments)
{
    static const std::vector<IotVerb> verbs = {
        {"create", "Create a device", create},
        {"get", "Show a device", get},
        {"list", "List devices", list},
        {"update", "Change a device", update},
        {"delete", "Delete a device", remove},
        {"add-topic-aliases", "Add topic aliases to a device", addTopicAliases},
        {"remove-topic-aliases", "Remove topic aliases of a device", removeTopicAliases},
        {"password", "Manage a device's passwords",
         [](const QStringList &a) { return runIotPasswords(EntityKind::Device, a); }},
        {"logs", "Show the device's connection log",
         [](const QStringList &a) { return runIotLogs(EntityKind::Device, a); }},
        {"certificate", "Manage a device's certificates",
         [](const QStringList &a) { return runIotCertificates(EntityKind::Device, a); }},
    };
    return dispatchIotVerbs(QStringLiteral("device"), QStringLiteral("Manage devices."), verbs,
                            arguments);
}

} // namespace iotcore::app
