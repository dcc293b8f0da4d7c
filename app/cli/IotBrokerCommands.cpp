// `iotcore-studio iot broker …`, verb for verb like `yc iot broker …`: the service's second
// model, an isolated topic space with its own passwords and certificates.

#include "Cli.h"
#include "IotCommands.h"

#include "iot/Catalog.h"

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

const QString Broker_ = QStringLiteral("Broker");

IotCommandLine brokerCommand(const char *verb, const char *description)
{
    IotCommandLine command(QStringLiteral("broker ") + QLatin1String(verb),
                           QString::fromLatin1(description),
                           QStringLiteral("[BROKER-NAME|BROKER-ID]"));
    addNameOptions(command, {}, Broker_);
    return command;
}

std::string shown(const IotCommandLine &command, const IotBroker &broker)
{
    return formatResource(brokerResource(broker), command.format());
}

int create(const QStringList &arguments)
{
    IotCommandLine command(QStringLiteral("broker create"), QStringLiteral("Creates a broker."),
                           QStringLiteral("[BROKER-NAME]"));
    addNewEntityOptions(command, QStringLiteral("broker"));
    addCredentialOptions(command, QStringLiteral("broker"));
    if (auto exit = command.parse(arguments, 1))
        return *exit;
    std::string name;
    if (auto exit = takeNewEntityName(command, QStringLiteral("broker"), &name))
        return *exit;

    IotBroker draft;
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
    auto created = workspace->catalog().createBroker(std::move(draft));
    if (!created)
        return command.fail(created.error);
    return command.commit(*workspace, shown(command, *created));
}

int get(const QStringList &arguments)
{
    IotCommandLine command = brokerCommand("get", "Shows a broker.");
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Broker, {}, &workspace, &id))
        return *exit;
    return command.print(shown(command, *workspace->catalog().broker(id)));
}

int list(const QStringList &arguments)
{
    IotCommandLine command(QStringLiteral("broker list"), QStringLiteral("Lists the brokers."));
    if (auto exit = command.parse(arguments, 0))
        return *exit;
    auto workspace = command.openWorkspace(false);
    if (!workspace)
        return ExitFailure;
    OutputValue brokers = OutputValue::list();
    for (const IotBroker *broker : workspace->catalog().brokers())
        brokers.append(brokerResource(*broker));
    return command.print(formatList(brokers, entityColumns, command.format()));
}

// update, add-labels and remove-labels: one change of the broker's fields.
int change(
    const QStringList &arguments, IotCommandLine command,
    const std::function<int(const IotCommandLine &, const IotBroker &, BrokerUpdate *)> &describe)
{
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Broker, {}, &workspace, &id))
        return *exit;
    BrokerUpdate update;
    if (const int exit = describe(command, *workspace->catalog().broker(id), &update);
        exit != ExitOk)
        return exit;
    auto updated = workspace->catalog().updateBroker(id, update);
    if (!updated)
        return command.fail(updated.error);
    return command.commit(*workspace, shown(command, *updated));
}

int update(const QStringList &arguments)
{
    IotCommandLine command
        = brokerCommand("update", "Changes a broker's name, description or labels.");
    command.addValueOption({QStringLiteral("new-name")}, QStringLiteral("New broker name."),
                           QStringLiteral("NAME"));
    command.addValueOption({QStringLiteral("description")}, QStringLiteral("New description."),
                           QStringLiteral("TEXT"));
    command.addValueOption({QStringLiteral("labels")},
                           QStringLiteral("New labels, replacing all: KEY=VALUE[,KEY=VALUE…]."),
                           QStringLiteral("LABELS"));
    return change(arguments, std::move(command),
                  [](const IotCommandLine &command, const IotBroker &, BrokerUpdate *update) {
                      if (command.isSet(QStringLiteral("new-name")))
                          update->name = command.stdValue(QStringLiteral("new-name"));
                      if (command.isSet(QStringLiteral("description")))
                          update->description = command.stdValue(QStringLiteral("description"));
                      QString error;
                      if (!takeLabels(command, &update->labels, &error))
                          return command.fail(error);
                      return int(ExitOk);
                  });
}

int addLabels(const QStringList &arguments)
{
    IotCommandLine command = brokerCommand("add-labels", "Adds labels to a broker.");
    command.addValueOption({QStringLiteral("labels")}, QStringLiteral("KEY=VALUE[,KEY=VALUE…]."),
                           QStringLiteral("LABELS"));
    return change(arguments, std::move(command),
                  [](const IotCommandLine &command, const IotBroker &broker, BrokerUpdate *update) {
                      if (!command.isSet(QStringLiteral("labels")))
                          return command.usageError(
                              QStringLiteral("--labels KEY=VALUE[,…] is required"));
                      QString error;
                      std::optional<Labels> added;
                      if (!takeLabels(command, &added, &error))
                          return command.fail(error);
                      update->labels = broker.labels;
                      for (const auto &[key, value] : *added)
                          (*update->labels)[key] = value;
                      return int(ExitOk);
                  });
}

int removeLabels(const QStringList &arguments)
{
    IotCommandLine command = brokerCommand("remove-labels", "Removes labels from a broker.");
    command.addValueOption({QStringLiteral("labels")}, QStringLiteral("KEY[,KEY…]."),
                           QStringLiteral("KEYS"));
    return change(arguments, std::move(command),
                  [](const IotCommandLine &command, const IotBroker &broker, BrokerUpdate *update) {
                      if (!command.isSet(QStringLiteral("labels")))
                          return command.usageError(QStringLiteral("--labels KEY[,…] is required"));
                      update->labels = broker.labels;
                      for (const std::string &key :
                           parseKeyList(command.value(QStringLiteral("labels")))) {
                          if (!update->labels->erase(key))
                              return command.fail(QStringLiteral("broker has no label \"%1\"")
                                                      .arg(QString::fromStdString(key)));
                      }
                      return int(ExitOk);
                  });
}

int remove(const QStringList &arguments)
{
    IotCommandLine command = brokerCommand("delete", "Deletes a broker.");
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, EntityKind::Broker, {}, &workspace, &id))
        return *exit;
    if (auto status = workspace->catalog().deleteBroker(id); !status)
        return command.fail(status.error);
    return command.commit(*workspace, {});
}

} // namespace

int runIotBroker(const QStringList &arguments)
{
    static const std::vector<IotVerb> verbs = {
        {"create", "Create a broker", create},
        {"get", "Show a broker", get},
        {"list", "List brokers", list},
        {"update", "Change a broker", update},
        {"delete", "Delete a broker", remove},
        {"add-labels", "Add labels to a broker", addLabels},
        {"remove-labels", "Remove labels from a broker", removeLabels},
        {"password", "Manage a broker's passwords",
         [](const QStringList &a) { return runIotPasswords(EntityKind::Broker, a); }},
        {"logs", "Show the broker's connection log",
         [](const QStringList &a) { return runIotLogs(EntityKind::Broker, a); }},
        {"certificate", "Manage a broker's certificates",
         [](const QStringList &a) { return runIotCertificates(EntityKind::Broker, a); }},
    };
    return dispatchIotVerbs(QStringLiteral("broker"), QStringLiteral("Manage brokers."), verbs,
                            arguments);
}

} // namespace iotcore::app
