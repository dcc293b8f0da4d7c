// `iotcore-studio iot registry|device|broker password|certificate add|list|delete`, like yc's.
// One implementation for the three kinds: only the option names (--registry-name,
// --device-id, …) and the owner field (registryId, deviceId, brokerId) differ.

#include "Cli.h"
#include "IotCommands.h"

#include "iot/Catalog.h"

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

QString kindName(EntityKind kind)
{
    return QString::fromLatin1(entityKindName(kind));
}

QString capitalized(EntityKind kind)
{
    QString name = kindName(kind);
    name[0] = name[0].toUpper();
    return name;
}

std::string ownerField(EntityKind kind)
{
    return kindName(kind).toStdString() + "Id";
}

IotCommandLine credentialCommand(EntityKind kind, const char *group, const char *verb,
                                 const QString &description)
{
    const QString kindText = kindName(kind);
    IotCommandLine command(
        QStringLiteral("%1 %2 %3").arg(kindText, QLatin1String(group), QLatin1String(verb)),
        description, QStringLiteral("[%1-NAME|%1-ID]").arg(kindText.toUpper()));
    addNameOptions(command, kindText + u'-', capitalized(kind));
    if (kind == EntityKind::Device)
        addNameOptions(command, QStringLiteral("registry-"), QStringLiteral("Registry"));
    return command;
}

int passwordAdd(EntityKind kind, const QStringList &arguments)
{
    IotCommandLine command = credentialCommand(
        kind, "password", "add", QStringLiteral("Adds a password to a %1.").arg(kindName(kind)));
    command.addValueOption({QStringLiteral("password")},
                           QStringLiteral("The password (at least 14 characters of 3 kinds). "
                                          "--read-password is safer."),
                           QStringLiteral("PASSWORD"));
    command.addFlag({QStringLiteral("read-password")},
                    QStringLiteral("Read the password from the first line of standard input."));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit
        = openNamedEntity(command, arguments, kind, kindName(kind) + u'-', &workspace, &id))
        return *exit;
    QString error;
    std::optional<std::string> password;
    if (!takePassword(command, &password, &error))
        return command.fail(error);
    if (!password)
        return command.usageError(
            QStringLiteral("give the password with --password or --read-password"));
    auto hash = hashPassword(*password, workspace->passwordIterations(), &error);
    if (!hash)
        return command.fail(error);
    auto added = workspace->catalog().addPassword(id, std::move(*hash));
    if (!added)
        return command.fail(added.error);
    return command.commit(
        *workspace,
        formatResource(passwordResource(ownerField(kind), id, *added), command.format()));
}

int passwordList(EntityKind kind, const QStringList &arguments)
{
    IotCommandLine command
        = credentialCommand(kind, "password", "list",
                            QStringLiteral("Lists the passwords of a %1 (ids and creation "
                                           "times; the passwords are never shown).")
                                .arg(kindName(kind)));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit
        = openNamedEntity(command, arguments, kind, kindName(kind) + u'-', &workspace, &id))
        return *exit;
    OutputValue passwords = OutputValue::list();
    for (const PasswordRecord &password : *workspace->catalog().passwordsOf(id))
        passwords.append(passwordResource(ownerField(kind), id, password));
    return command.print(formatList(passwords, passwordColumns, command.format()));
}

int passwordDelete(EntityKind kind, const QStringList &arguments)
{
    IotCommandLine command
        = credentialCommand(kind, "password", "delete",
                            QStringLiteral("Deletes a password of a %1.").arg(kindName(kind)));
    command.addValueOption({QStringLiteral("password-id")}, QStringLiteral("Id of the password."),
                           QStringLiteral("ID"));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit
        = openNamedEntity(command, arguments, kind, kindName(kind) + u'-', &workspace, &id))
        return *exit;
    if (!command.isSet(QStringLiteral("password-id")))
        return command.usageError(QStringLiteral("--password-id ID is required"));
    if (auto removed
        = workspace->catalog().removePassword(id, command.stdValue(QStringLiteral("password-id")));
        !removed)
        return command.fail(removed.error);
    return command.commit(*workspace, {});
}

int certificateAdd(EntityKind kind, const QStringList &arguments)
{
    IotCommandLine command = credentialCommand(
        kind, "certificate", "add",
        QStringLiteral("Adds an X.509 certificate to a %1.").arg(kindName(kind)));
    command.addValueOption({QStringLiteral("certificate-file")},
                           QStringLiteral("The certificate (PEM; no private key)."),
                           QStringLiteral("FILE"));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit
        = openNamedEntity(command, arguments, kind, kindName(kind) + u'-', &workspace, &id))
        return *exit;
    if (!command.isSet(QStringLiteral("certificate-file")))
        return command.usageError(QStringLiteral("--certificate-file FILE is required"));
    QString error;
    auto certificate
        = readCertificateFile(command.value(QStringLiteral("certificate-file")), &error);
    if (!certificate)
        return command.fail(error);
    auto added = workspace->catalog().addCertificate(id, std::move(*certificate));
    if (!added)
        return command.fail(added.error);
    return command.commit(
        *workspace,
        formatResource(certificateResource(ownerField(kind), id, *added), command.format()));
}

int certificateList(EntityKind kind, const QStringList &arguments)
{
    IotCommandLine command
        = credentialCommand(kind, "certificate", "list",
                            QStringLiteral("Lists the certificates of a %1.").arg(kindName(kind)));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit
        = openNamedEntity(command, arguments, kind, kindName(kind) + u'-', &workspace, &id))
        return *exit;
    OutputValue certificates = OutputValue::list();
    for (const Certificate &certificate : *workspace->catalog().certificatesOf(id))
        certificates.append(certificateResource(ownerField(kind), id, certificate));
    return command.print(formatList(certificates, certificateColumns, command.format()));
}

int certificateDelete(EntityKind kind, const QStringList &arguments)
{
    IotCommandLine command
        = credentialCommand(kind, "certificate", "delete",
                            QStringLiteral("Deletes a certificate of a %1.").arg(kindName(kind)));
    command.addValueOption({QStringLiteral("fingerprint")},
                           QStringLiteral("Fingerprint of the certificate (SHA-1, 40 hex digits)."),
                           QStringLiteral("FINGERPRINT"));
    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit
        = openNamedEntity(command, arguments, kind, kindName(kind) + u'-', &workspace, &id))
        return *exit;
    if (!command.isSet(QStringLiteral("fingerprint")))
        return command.usageError(QStringLiteral("--fingerprint FINGERPRINT is required"));
    const std::string fingerprint
        = command.value(QStringLiteral("fingerprint")).toLower().toStdString();
    if (auto removed = workspace->catalog().removeCertificate(id, fingerprint); !removed)
        return command.fail(removed.error);
    return command.commit(*workspace, {});
}

} // namespace

int runIotPasswords(EntityKind kind, const QStringList &arguments)
{
    const std::vector<IotVerb> verbs = {
        {"add", "Add a password", [kind](const QStringList &a) { return passwordAdd(kind, a); }},
        {"list", "List password ids",
         [kind](const QStringList &a) { return passwordList(kind, a); }},
        {"delete", "Delete a password",
         [kind](const QStringList &a) { return passwordDelete(kind, a); }},
    };
    return dispatchIotVerbs(kindName(kind) + QStringLiteral(" password"),
                            QStringLiteral("Manage the passwords of a %1.").arg(kindName(kind)),
                            verbs, arguments);
}

int runIotCertificates(EntityKind kind, const QStringList &arguments)
{
    const std::vector<IotVerb> verbs = {
        {"add", "Add a certificate",
         [kind](const QStringList &a) { return certificateAdd(kind, a); }},
        {"list", "List certificates",
         [kind](const QStringList &a) { return certificateList(kind, a); }},
        {"delete", "Delete a certificate",
         [kind](const QStringList &a) { return certificateDelete(kind, a); }},
    };
    return dispatchIotVerbs(kindName(kind) + QStringLiteral(" certificate"),
                            QStringLiteral("Manage the certificates of a %1.").arg(kindName(kind)),
                            verbs, arguments);
}

} // namespace iotcore::app
