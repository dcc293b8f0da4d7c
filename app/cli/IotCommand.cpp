#include "IotCommand.h"

#include "Cli.h"
#include "IotCommands.h"

#include <cstdio>

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

void printText(const QString &text, FILE *stream)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stream);
}

bool isHelp(const QString &argument)
{
    return argument == QLatin1String("--help") || argument == QLatin1String("-h")
        || argument == QLatin1String("help");
}

} // namespace

int dispatchIotVerbs(const QString &group, const QString &summary,
                     const std::vector<IotVerb> &verbs, const QStringList &arguments,
                     const QString &family)
{
    const QString verb = arguments.value(1);
    const QString command = group.isEmpty() ? family : family + u' ' + group;
    if (verb.isEmpty() || (verb.startsWith(u'-') && !isHelp(verb))) {
        printError(QStringLiteral("%1 needs a command (see iotcore-studio %1 --help)").arg(command));
        return ExitUsage;
    }
    if (isHelp(verb)) {
        QString help
            = QStringLiteral("Usage: iotcore-studio %1 COMMAND [options]\n\n%2\n\nCommands:\n")
                  .arg(command, summary);
        for (const IotVerb &entry : verbs)
            help += QStringLiteral("  %1  %2\n")
                        .arg(QString::fromLatin1(entry.name), -26)
                        .arg(QString::fromLatin1(entry.summary));
        help += QStringLiteral("\nEach command takes -w FILE (the workspace) and --format "
                               "text|yaml|json; COMMAND --help lists its options.\n");
        printText(help, stdout);
        return ExitOk;
    }
    for (const IotVerb &entry : verbs) {
        if (verb == QLatin1String(entry.name)) {
            QStringList rest = arguments.mid(1);
            rest[0] = arguments.first() + u' ' + verb;
            return entry.run(rest);
        }
    }
    printError(
        QStringLiteral("unknown command \"%1\" (see iotcore-studio %2 --help)").arg(verb, command));
    return ExitUsage;
}

int runIot(const QStringList &arguments)
{
    static const std::vector<IotVerb> groups = {
        {"registry", "Manage registries, their passwords and certificates", runIotRegistry},
        {"device", "Manage devices, their passwords, certificates and topic aliases", runIotDevice},
        {"broker", "Manage brokers, their passwords and certificates", runIotBroker},
    };
    return dispatchIotVerbs(QString(),
                            QStringLiteral("The IoT Core catalog of a workspace, managed "
                                           "like `yc iot registry|device|broker`."),
                            groups, arguments);
}

// --- shared by the command files ---------------------------------------------------------------

void addNameOptions(IotCommandLine &command, const QString &prefix, const QString &kind)
{
    command.addValueOption({prefix + QStringLiteral("id")}, QStringLiteral("%1 id.").arg(kind),
                           QStringLiteral("ID"));
    command.addValueOption({prefix + QStringLiteral("name")}, QStringLiteral("%1 name.").arg(kind),
                           QStringLiteral("NAME"));
}

bool takeEntityName(const IotCommandLine &command, const QString &prefix, const QString &kind,
                    bool positional, bool required, EntityName *name, int *exitCode)
{
    name->id = command.value(prefix + QStringLiteral("id"));
    name->name = command.value(prefix + QStringLiteral("name"));
    if (positional)
        name->idOrName = command.positional().value(0);
    const int given
        = int(!name->id.isEmpty()) + int(!name->name.isEmpty()) + int(!name->idOrName.isEmpty());
    const QString ways = positional
        ? QStringLiteral("--%1id, --%1name or an id-or-name argument").arg(prefix)
        : QStringLiteral("--%1id or --%1name").arg(prefix);
    if (given > 1) {
        *exitCode
            = command.usageError(QStringLiteral("name the %1 once: %2").arg(kind.toLower(), ways));
        return false;
    }
    if (given == 0 && required) {
        *exitCode
            = command.usageError(QStringLiteral("name the %1 with %2").arg(kind.toLower(), ways));
        return false;
    }
    return true;
}

std::optional<int> openNamedEntity(IotCommandLine &command, const QStringList &arguments,
                                   EntityKind kind, const QString &prefix,
                                   std::unique_ptr<CatalogWorkspace> *workspace, std::string *id)
{
    if (auto exit = command.parse(arguments, 1))
        return exit;
    const QString kindName = QString::fromLatin1(entityKindName(kind));
    EntityName name;
    int exitCode = ExitOk;
    if (!takeEntityName(command, prefix, kindName, true, true, &name, &exitCode))
        return exitCode;
    EntityName registry;
    if (kind == EntityKind::Device
        && !takeEntityName(command, QStringLiteral("registry-"), QStringLiteral("registry"), false,
                           false, &registry, &exitCode))
        return exitCode;
    *workspace = command.openWorkspace(false);
    if (!*workspace)
        return ExitFailure;
    const Catalog &catalog = (*workspace)->catalog();
    QString error;
    std::optional<std::string> found;
    switch (kind) {
    case EntityKind::Registry: found = findRegistry(catalog, name, &error); break;
    case EntityKind::Device: found = findDevice(catalog, name, registry, &error); break;
    case EntityKind::Broker: found = findBroker(catalog, name, &error); break;
    }
    if (!found)
        return command.fail(error);
    *id = *found;
    return std::nullopt;
}

void addNewEntityOptions(IotCommandLine &command, const QString &kind)
{
    const QString capitalized = kind.left(1).toUpper() + kind.mid(1);
    command.addValueOption({QStringLiteral("name")}, capitalized + QStringLiteral(" name."),
                           QStringLiteral("NAME"));
    command.addValueOption({QStringLiteral("description")},
                           capitalized + QStringLiteral(" description."), QStringLiteral("TEXT"));
    command.addValueOption({QStringLiteral("labels")},
                           QStringLiteral("Labels: KEY=VALUE[,KEY=VALUE…]."),
                           QStringLiteral("LABELS"));
}

std::optional<int> takeNewEntityName(const IotCommandLine &command, const QString &kind,
                                     std::string *name)
{
    const QString option = command.value(QStringLiteral("name"));
    const QString positional = command.positional().value(0);
    if (option.isEmpty() == positional.isEmpty()) {
        return command.usageError(
            option.isEmpty()
                ? QStringLiteral("name the new %1: --name NAME or an argument").arg(kind)
                : QStringLiteral("name the new %1 once: --name NAME or an argument").arg(kind));
    }
    *name = (option.isEmpty() ? positional : option).toStdString();
    return std::nullopt;
}

void addCredentialOptions(IotCommandLine &command, const QString &kind)
{
    command.addValueOption({QStringLiteral("password")},
                           QStringLiteral("A password for the %1 (at least 14 characters of 3 "
                                          "kinds). --read-password is safer.")
                               .arg(kind),
                           QStringLiteral("PASSWORD"));
    command.addFlag({QStringLiteral("read-password")},
                    QStringLiteral("Read the password from the first line of standard input."));
    command.addValueOption({QStringLiteral("certificate-file")},
                           QStringLiteral("An X.509 certificate (PEM) for the %1.").arg(kind),
                           QStringLiteral("FILE"));
}

bool takeCredentials(const IotCommandLine &command, int iterations,
                     std::vector<Certificate> *certificates, std::vector<PasswordRecord> *passwords,
                     QString *error)
{
    std::optional<std::string> password;
    if (!takePassword(command, &password, error))
        return false;
    if (command.isSet(QStringLiteral("certificate-file"))) {
        auto certificate
            = readCertificateFile(command.value(QStringLiteral("certificate-file")), error);
        if (!certificate)
            return false;
        certificates->push_back(std::move(*certificate));
    }
    if (password) {
        auto hash = hashPassword(*password, iterations, error);
        if (!hash)
            return false;
        passwords->push_back(PasswordRecord {{}, std::move(*hash), {}});
    }
    return true;
}

bool takeLabels(const IotCommandLine &command, std::optional<Labels> *labels, QString *error)
{
    if (!command.isSet(QStringLiteral("labels"))) {
        labels->reset();
        return true;
    }
    Labels parsed;
    if (!parseKeyValues(command.value(QStringLiteral("labels")), QStringLiteral("--labels"),
                        &parsed, error))
        return false;
    *labels = std::move(parsed);
    return true;
}

} // namespace iotcore::app
