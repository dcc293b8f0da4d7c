#pragma once

// The pieces the `iot` command files share: verb tables and how a command names its entity.

#include "IotCommandLine.h"
#include "IotResources.h"

#include "iot/CatalogTypes.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace iotcore::app {

struct IotVerb {
    const char *name;
    const char *summary;
    std::function<int(const QStringList &)> run;
};

// arguments: program, verb, the verb's arguments. Prints the group's verbs for --help (exit 0)
// or when the verb is missing or unknown (exit 2). `group`: "registry", "registry password"…;
// `family`: the command family it belongs to ("iot", "sim").
int dispatchIotVerbs(const QString &group, const QString &summary,
                     const std::vector<IotVerb> &verbs, const QStringList &arguments,
                     const QString &family = QStringLiteral("iot"));

int runIotRegistry(const QStringList &arguments);
int runIotDevice(const QStringList &arguments);
int runIotBroker(const QStringList &arguments);
// `iot <kind> password|certificate …`
int runIotPasswords(broker::EntityKind kind, const QStringList &arguments);
int runIotCertificates(broker::EntityKind kind, const QStringList &arguments);
// `iot <kind> logs`: the entity's connection log kept by `serve` (IotLogCommands.cpp)
int runIotLogs(broker::EntityKind kind, const QStringList &arguments);

// --<prefix>id and --<prefix>name; prefix "" for the entity a command acts on, "registry-" for
// the registry a device or credential command names.
void addNameOptions(IotCommandLine &command, const QString &prefix, const QString &kind);
// The name given by those options or (when `positional`) the first positional argument.
// False after a usage error (none given when `required`, or more than one way) with *exitCode set.
bool takeEntityName(const IotCommandLine &command, const QString &prefix, const QString &kind,
                    bool positional, bool required, EntityName *name, int *exitCode);

// Parses `arguments` (at most one positional: the entity's id or name), opens the workspace
// and finds the entity named by --<prefix>id, --<prefix>name or the positional argument; a
// device may be narrowed by --registry-id/--registry-name (add them with addNameOptions).
// Nothing when the command can go on; otherwise the exit code, the reason already printed.
std::optional<int> openNamedEntity(IotCommandLine &command, const QStringList &arguments,
                                   broker::EntityKind kind, const QString &prefix,
                                   std::unique_ptr<CatalogWorkspace> *workspace, std::string *id);

// Options every create takes for the new entity's credentials: --password, --read-password,
// --certificate-file. Reads and checks them, and adds them to the draft's lists.
void addCredentialOptions(IotCommandLine &command, const QString &kind);
bool takeCredentials(const IotCommandLine &command, int iterations,
                     std::vector<broker::Certificate> *certificates,
                     std::vector<broker::PasswordRecord> *passwords, QString *error);

// Options every create takes for the new entity itself: --name (or one argument), --description,
// --labels. `kind` is "registry", "device" or "broker".
void addNewEntityOptions(IotCommandLine &command, const QString &kind);
// The new entity's name, from --name or the argument, exactly one of them; otherwise the usage
// error's exit code.
std::optional<int> takeNewEntityName(const IotCommandLine &command, const QString &kind,
                                     std::string *name);

// --labels k=v,… (empty map when absent); false with `error` on a malformed value.
bool takeLabels(const IotCommandLine &command, std::optional<broker::Labels> *labels,
                QString *error);

} // namespace iotcore::app
