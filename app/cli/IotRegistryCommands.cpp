// `iotcore-studio iot registry …`, verb for verb like `yc iot registry …`.

#include "Cli.h"
#include "IotCommands.h"

#include "iot/Catalog.h"

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

const QString Registry_ = QStringLiteral("Registry");

IotCommandLine registryCommand(const char *verb, const char *description)
{
    IotCommandLine command(QStringLiteral("registry ") + QLatin1String(verb),
                           QString::fromLatin1(description),
                           QStringLiteral("[REGISTRY-NAME|REGISTRY-ID]"));
    addNameOptions(command, {}, Registry_);
    return command;
}

std::string shown(const IotCommandLine &command, const Registry &registry)
{
    return formatResource(registryResource(registry), command.format());
}

int create(const QStringList &arguments)
{
    IotCommandLine command(QStringLiteral("registry create"), QStringLiteral("Creates a registry."),
                           QStringLiteral("[REGISTRY-NAME]"));
    addNewEntityOptions(command, QStringLiteral("registry"));
    addCredentialOptions(command, QStringLiteral("registry"));
    if (auto exit = command.parse(arguments, 1))
        return *exit;
    std::string name;
    if (auto exit = takeNewEntityName(command, QStringLiteral("registry"), &name))
        return *exit;

    Registry draft;
    draft.name = std::move(name);
    draft.description = command.stdValue(QStringLiteral("description"));
    QString error;
    std::optional<Labels> labels;
    if (!takeLabels(command, &labels, &error))
        return command.fail(error);
    draft.labels = labels.value_or(Labels {});

    auto workspace = command.openWorkspace(true);
    if (!workspace)
        return ExitFailure;
    if (!takeCredentials(command, workspace->passwordIterations(), &draft.certificates,
                         &draft.passwords, &error))
        return command.fail(error);
    auto created = workspace->catalog().createRegistry(std::move(draft));
    if (!created)
        return command.fail(created.error);
    return command.commit(*workspace, shown(command, *created));
}

int get(const QStringList &arguments)
{
    IotCommandLine command = registryCommand("get", "Shows a registry.");
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Registry, {}, &workspace, &id))
        return *exit;
    return command.print(shown(command, *workspace->catalog().registry(id)));
}

int list(const QStringList &arguments)
{
    IotCommandLine command(QStringLiteral("registry list"),
                           QStringLiteral("Lists the registries."));
    if (auto exit = command.parse(arguments, 0))
        return *exit;
    auto workspace = command.openWorkspace(false);
    if (!workspace)
        return ExitFailure;
    OutputValue registries = OutputValue::list();
    for (const Registry *registry : workspace->catalog().registries())
        registries.append(registryResource(*registry));
    return command.print(formatList(registries, entityColumns, command.format()));
}

int update(const QStringList &arguments)
{
    IotCommandLine command
        = registryCommand("update", "Changes a registry's name, description or labels.");
    command.addValueOption({QStringLiteral("new-name")}, QStringLiteral("New registry name."),
                           QStringLiteral("NAME"));
    command.addValueOption({QStringLiteral("description")}, QStringLiteral("New description."),
                           QStringLiteral("TEXT"));
    command.addValueOption({QStringLiteral("labels")},
                           QStringLiteral("New labels, replacing all: KEY=VALUE[,KEY=VALUE…]."),
                           QStringLiteral("LABELS"));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Registry, {}, &workspace, &id))
        return *exit;
    RegistryUpdate change;
    if (command.isSet(QStringLiteral("new-name")))
        change.name = command.stdValue(QStringLiteral("new-name"));
    if (command.isSet(QStringLiteral("description")))
        change.description = command.stdValue(QStringLiteral("description"));
    QString error;
    if (!takeLabels(command, &change.labels, &error))
        return command.fail(error);
    auto updated = workspace->catalog().updateRegistry(id, change);
    if (!updated)
        return command.fail(updated.error);
    return command.commit(*workspace, shown(command, *updated));
}

int remove(const QStringList &arguments)
{
    IotCommandLine command = registryCommand("delete", "Deletes a registry that has no devices.");
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Registry, {}, &workspace, &id))
        return *exit;
    if (auto status = workspace->catalog().deleteRegistry(id); !status)
        return command.fail(status.error);
    return command.commit(*workspace, {});
}

int setStatus(const QStringList &arguments, RegistryStatus status)
{
    IotCommandLine command = status == RegistryStatus::Active
        ? registryCommand("enable", "Enables a registry: it and its devices may connect again.")
        : registryCommand("disable", "Disables a registry: it and its devices are refused.");
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Registry, {}, &workspace, &id))
        return *exit;
    if (auto changed = workspace->catalog().setRegistryStatus(id, status); !changed)
        return command.fail(changed.error);
    return command.commit(*workspace, shown(command, *workspace->catalog().registry(id)));
}

int addLabels(const QStringList &arguments)
{
    IotCommandLine command = registryCommand("add-labels", "Adds labels to a registry.");
    command.addValueOption({QStringLiteral("labels")}, QStringLiteral("KEY=VALUE[,KEY=VALUE…]."),
                           QStringLiteral("LABELS"));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Registry, {}, &workspace, &id))
        return *exit;
    if (!command.isSet(QStringLiteral("labels")))
        return command.usageError(QStringLiteral("--labels KEY=VALUE[,…] is required"));
    QString error;
    std::optional<Labels> added;
    if (!takeLabels(command, &added, &error))
        return command.fail(error);
    RegistryUpdate change;
    change.labels = workspace->catalog().registry(id)->labels;
    for (const auto &[key, value] : *added)
        (*change.labels)[key] = value;
    auto updated = workspace->catalog().updateRegistry(id, change);
    if (!updated)
        return command.fail(updated.error);
    return command.commit(*workspace, shown(command, *updated));
}

int removeLabels(const QStringList &arguments)
{
    IotCommandLine command = registryCommand("remove-labels", "Removes labels from a registry.");
    command.addValueOption({QStringLiteral("labels")}, QStringLiteral("KEY[,KEY…]."),
                           QStringLiteral("KEYS"));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Registry, {}, &workspace, &id))
        return *exit;
    if (!command.isSet(QStringLiteral("labels")))
        return command.usageError(QStringLiteral("--labels KEY[,…] is required"));
    RegistryUpdate change;
    change.labels = workspace->catalog().registry(id)->labels;
    for (const std::string &key : parseKeyList(command.value(QStringLiteral("labels")))) {
        if (!change.labels->erase(key))
            return command.fail(
                QStringLiteral("registry has no label \"%1\"").arg(QString::fromStdString(key)));
    }
    auto updated = workspace->catalog().updateRegistry(id, change);
    if (!updated)
        return command.fail(updated.error);
    return command.commit(*workspace, shown(command, *updated));
}

int listDeviceTopicAliases(const QStringList &arguments)
{
    IotCommandLine command = registryCommand(
        "list-device-topic-aliases", "Lists the topic aliases of all devices of a registry.");
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Registry, {}, &workspace, &id))
        return *exit;
    OutputValue aliases = OutputValue::list();
    for (const Device *device : workspace->catalog().devices(id)) {
        for (const auto &[alias, topic] : device->topicAliases)
            aliases.append(aliasResource(device->id, alias, topic));
    }
    return command.print(formatList(aliases, aliasColumns, command.format()));
}

} // namespace

int runIotRegistry(const QStringList &arguments)
{
    static const std::vector<IotVerb> verbs = {
        {"create", "Create a registry", create},
        {"get", "Show a registry", get},
        {"list", "List registries", list},
        {"update", "Change a registry", update},
        {"delete", "Delete a registry that has no devices", remove},
        {"disable", "Disable a registry and its devices",
         [](const QStringList &a) { return setStatus(a, RegistryStatus::Disabled); }},
        {"enable", "Enable a registry again",
         [](const QStringList &a) { return setStatus(a, RegistryStatus::Active); }},
        {"add-labels", "Add labels to a registry", addLabels},
        {"remove-labels", "Remove labels from a registry", removeLabels},
        {"list-device-topic-aliases", "List the topic aliases of a registry's devices",
         listDeviceTopicAliases},
        {"password", "Manage a registry's passwords",
         [](const QStringList &a) { return runIotPasswords(EntityKind::Registry, a); }},
        {"logs", "Show the registry's connection log",
         [](const QStringList &a) { return runIotLogs(EntityKind::Registry, a); }},
        {"certificate", "Manage a registry's certificates",
         [](const QStringList &a) { return runIotCertificates(EntityKind::Registry, a); }},
    };
    return dispatchIotVerbs(QStringLiteral("registry"), QStringLiteral("Manage registries."), verbs,
                            arguments);
}

} // namespace iotcore::app
