// `iotcore-studio export mosquitto …` (DESIGN.md, "Scale beyond one machine"): the catalog as
// files Debian's mosquitto 2 reads. What mosquitto can express is carried over exactly; what it
// cannot is listed in the README the export writes, never approximated silently.

#include "ExportCommand.h"

#include "workspace/CatalogWorkspace.h"
#include "Cli.h"

#include "iot/Catalog.h"
#include "iot/CertificateInfo.h"
#include "pki/WorkspaceAuthority.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>
#include <cstdio>
#include <set>

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

// Marks DIR as written by this command: only such a DIR may be written over.
const QString MarkerFile = QStringLiteral(".iotcore-export");

std::string quote(const std::string &text)
{
    return "\"" + text + "\"";
}

struct ExportOptions {
    QString directory;
    int port = 1883;
    int tlsPort = 8883;
    int certificatePort = 8884;
    std::vector<std::string> hosts;
};

struct TlsFiles {
    std::string caPem;
    CertificateAndKey server;
    std::vector<std::string> hosts;
    std::set<std::string> certificateIdentities; // entity ids that may log in by certificate
};

// Whether the RFC 2253 subject has exactly `id` as its CN.
bool hasCommonName(const std::string &subject, const std::string &id)
{
    std::size_t start = 0;
    while (start <= subject.size()) {
        const std::size_t end = std::min(subject.find(',', start), subject.size());
        if (subject.compare(start, end - start, "CN=" + id) == 0)
            return true;
        start = end + 1;
    }
    return false;
}

// One exported entity: its user name (the id) and its ACL lines.
struct AclUser {
    std::string comment;
    std::string id;
    std::vector<std::string> lines;
};

// The rights of IOT_CORE.md's permission table; "x/#" also matches "x" in mosquitto.
AclUser deviceUser(const Device &device, const Registry &registry)
{
    const std::string d = "$devices/" + device.id;
    const std::string r = "$registries/" + registry.id;
    return {"device " + quote(device.name) + " of registry " + quote(registry.name),
            device.id,
            {"topic write " + d + "/events/#", "topic write " + d + "/state/#",
             "topic read " + d + "/commands/#", "topic read " + d + "/config/#",
             "topic write " + r + "/events/#", "topic write " + r + "/state/#",
             "topic read " + r + "/commands/#", "topic read " + r + "/config/#"}};
}

AclUser registryUser(const Registry &registry, const std::vector<const Device *> &devices)
{
    const std::string r = "$registries/" + registry.id;
    AclUser user {"registry " + quote(registry.name),
                  registry.id,
                  {"topic read " + r + "/events/#", "topic read " + r + "/state/#",
                   "topic write " + r + "/commands/#", "topic write " + r + "/config/#"}};
    // Only its own devices: a `pattern` cannot name a registry's devices, so one line each.
    for (const Device *device : devices) {
        const std::string d = "$devices/" + device->id;
        user.lines.insert(user.lines.end(),
                          {"topic read " + d + "/events/#", "topic read " + d + "/state/#",
                           "topic write " + d + "/commands/#", "topic write " + d + "/config/#"});
    }
    return user;
}

class MosquittoExport
{
public:
    MosquittoExport(const Catalog &catalog, const ExportOptions &options, const TlsFiles &tls)
        : m_catalog(catalog), m_options(options), m_tls(tls)
    {
        collect();
    }

    std::string passwordFile() const { return m_passwords; }
    std::string aclFile() const
    {
        std::string text = "# Written by iotcore-studio export mosquitto: what Yandex IoT Core's permission table grants "
                           "each registry and device.\n";
        for (const AclUser &user : m_users) {
            text += "\n# " + user.comment + "\nuser " + user.id + "\n";
            for (const std::string &line : user.lines)
                text += line + "\n";
        }
        return text;
    }
    std::string summary() const
    {
        auto count = [](int n, const char *one, const char *many) {
            return std::to_string(n) + " " + (n == 1 ? one : many);
        };
        return count(m_registryCount, "registry", "registries") + ", "
            + count(m_deviceCount, "device", "devices") + ", "
            + count(m_brokerCount, "broker", "brokers");
    }

    std::string configuration(const QString &directory) const
    {
        const std::string dir = directory.toStdString();
        std::string text
            = "# Written by iotcore-studio export mosquitto on "
              + QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString()
              + ". Paths are absolute: edit them when DIR moves.\n"
                "# README.md lists what IoT Core did that mosquitto does not.\n\n"
                "per_listener_settings false\n"
                "allow_anonymous false\n"
                "password_file " + dir + "/passwords\n"
                "acl_file " + dir + "/acl\n\n"
                "# Local work: plain MQTT on loopback only, as iotcore-studio serve --mqtt.\n"
                "listener " + std::to_string(m_options.port) + " 127.0.0.1\n";
        text += "\n# Devices and registries with passwords, over TLS with the workspace's server "
                "certificate\n# (devices trust ca.pem, as they trusted the service's CA).\n"
                "listener " + std::to_string(m_options.tlsPort) + "\n"
                "cafile " + dir + "/ca.pem\ncertfile " + dir + "/server.pem\nkeyfile " + dir
            + "/server.key\nrequire_certificate false\n";
        text += "\n# Certificate identities: a client certificate the workspace CA issued with the "
                "entity id\n# as its CN logs in as that id (README.md lists the certificates "
                "that cannot).\n"
                "listener " + std::to_string(m_options.certificatePort) + "\n"
                "cafile " + dir + "/ca.pem\ncertfile " + dir + "/server.pem\nkeyfile " + dir
            + "/server.key\nrequire_certificate true\nuse_identity_as_username true\n";
        return text;
    }

    std::string readme() const
    {
        std::string text = "# mosquitto configuration exported from IoT Core Studio\n\n"
                           "Run it with `mosquitto -c mosquitto.conf` (paths inside are absolute: "
                           "edit them after moving this directory).\n\n"
                           "| File | What |\n|---|---|\n"
                           "| mosquitto.conf | listeners: plain on 127.0.0.1:"
            + std::to_string(m_options.port) + ", TLS with passwords on port "
            + std::to_string(m_options.tlsPort) + ", TLS with client certificates on port "
            + std::to_string(m_options.certificatePort)
            + " |\n| passwords | mosquitto 2 password file: the workspace's `$7$` PBKDF2-SHA512 "
              "hashes as they are |\n| acl | what IoT Core's permission table grants each registry and device |\n"
              "| ca.pem | the workspace CA: devices trust it (`--cafile ca.pem`) |\n"
              "| server.pem, server.key | the TLS server certificate, issued by the workspace CA "
              "for: "
            + join(m_tls.hosts) + " |\n| .iotcore-export | marks this directory as an export: "
            + "a later export may overwrite it |\n\n" + "Exported: " + summary() + ".\n";
        text += section("Left out: disabled registries and their devices (refused, as in the "
                        "workspace)",
                        m_disabled);
        text += section("Left out: brokers (mosquitto has one topic space; a broker's clients "
                        "would see the other brokers' topics)",
                        m_brokersLeftOut);
        text += section("Passwords not carried over (mosquitto keeps one hash per user: the "
                        "newest is exported)",
                        m_olderPasswords);
        text += section("Entities without a password (they log in by certificate only)",
                        m_withoutPassword);
        text += section("Certificates that do not carry over (only certificates the workspace "
                        "CA issued with the entity id as CN become identities; re-issue with "
                        "`iotcore-studio pki issue --cn <id>`)",
                        m_otherCertificates);
        text += section("Topic aliases (mosquitto has none: publish to the full topics)",
                        m_aliases);
        text += "\n## What IoT Core did that mosquitto does not\n\n"
                "- Permanent topics: the last message on each `state` and `config` topic is not "
                "kept and replayed by the ACL; publish them retained if devices need them.\n"
                "- `$me` topics, topic aliases and the `$monitoring/<device>/json` topic do not "
                "exist.\n"
                "- Wildcard narrowing: a registry subscribing to `$devices/#` or "
                "`$devices/+/events` is refused by mosquitto instead of narrowed to its own "
                "devices: subscribe to `$devices/<id>/events/#` per device.\n"
                "- A refused PUBLISH is dropped silently instead of closing the connection; a "
                "refused SUBSCRIBE gets SUBACK 0x80 as in IoT Core.\n"
                "- Sessions, QoS 2 and retained messages are full MQTT in mosquitto; IoT Core "
                "kept no sessions, downgraded QoS 2 and ignored the retain flag.\n"
                "- \"Password wins over certificate\": mosquitto takes the certificate's "
                "identity on the certificate listener and the password on the other.\n"
                "- Limits (262,144-byte payloads, 1 message per second per device), the "
                "per-entity logs in the service's wording, the HTTP data API.\n";
        return text;
    }

private:
    static std::string join(const std::vector<std::string> &items)
    {
        std::string text;
        for (const std::string &item : items)
            text += (text.empty() ? "" : ", ") + item;
        return text;
    }

    static std::string section(const std::string &title, const std::vector<std::string> &items)
    {
        if (items.empty())
            return {};
        std::string text = "\n## " + title + "\n\n";
        for (const std::string &item : items)
            text += "- " + item + "\n";
        return text;
    }

    std::string describe(const char *kind, const std::string &name, const std::string &id) const
    {
        return std::string(kind) + " " + quote(name) + " (" + id + ")";
    }

    void addCredentials(const std::string &id, const std::string &shown)
    {
        const std::vector<PasswordRecord> &passwords = *m_catalog.passwordsOf(id);
        if (passwords.empty()) {
            m_withoutPassword.push_back(shown);
        } else {
            const auto newest = std::max_element(
                passwords.begin(), passwords.end(),
                [](const PasswordRecord &a, const PasswordRecord &b) {
                    return a.createdAt < b.createdAt;
                });
            m_passwords += id + ":" + newest->hash + "\n";
            for (const PasswordRecord &password : passwords)
                if (&password != &*newest)
                    m_olderPasswords.push_back(shown + ": password " + password.id + " of "
                                               + formatRfc3339(password.createdAt));
        }
        for (const Certificate &certificate : *m_catalog.certificatesOf(id))
            if (!m_tls.certificateIdentities.count(id + "/" + certificate.fingerprint))
                m_otherCertificates.push_back(shown + ": " + certificate.fingerprint);
    }

    void collect()
    {
        for (const Registry *registry : m_catalog.registries()) {
            const std::vector<const Device *> devices = m_catalog.devices(registry->id);
            const std::string shown = describe("registry", registry->name, registry->id);
            if (registry->status == RegistryStatus::Disabled) {
                m_disabled.push_back(shown + " and its " + std::to_string(devices.size())
                                     + " devices");
                continue;
            }
            ++m_registryCount;
            addCredentials(registry->id, shown);
            m_users.push_back(registryUser(*registry, devices));
            for (const Device *device : devices) {
                ++m_deviceCount;
                const std::string deviceShown = describe("device", device->name, device->id);
                addCredentials(device->id, deviceShown);
                m_users.push_back(deviceUser(*device, *registry));
                for (const auto &[alias, target] : device->topicAliases)
                    m_aliases.push_back(deviceShown + ": `" + alias + "` → `" + target + "`");
            }
        }
        const std::vector<const IotBroker *> brokers = m_catalog.brokers();
        for (const IotBroker *broker : brokers) {
            const std::string shown = describe("broker", broker->name, broker->id);
            if (brokers.size() > 1) {
                m_brokersLeftOut.push_back(shown);
                continue;
            }
            // One broker alone keeps its isolation: no other user may touch non-`$` topics.
            ++m_brokerCount;
            addCredentials(broker->id, shown);
            m_users.push_back({"broker " + quote(broker->name), broker->id,
                               {"topic readwrite #"}});
        }
    }

    const Catalog &m_catalog;
    const ExportOptions &m_options;
    const TlsFiles &m_tls;
    std::vector<AclUser> m_users;
    std::string m_passwords;
    int m_registryCount = 0;
    int m_deviceCount = 0;
    int m_brokerCount = 0;
    std::vector<std::string> m_disabled, m_brokersLeftOut, m_olderPasswords, m_withoutPassword,
        m_otherCertificates, m_aliases;
};

// The workspace CA, a server certificate for `hosts`, and which certificates it issued with
// their entity's id as CN. A CA made on this first use is kept in the workspace.
bool prepareTls(const QString &workspacePath, const Catalog &catalog, TlsFiles *tls,
                QString *error)
{
    std::string why;
    auto authority = WorkspaceAuthority::open(workspacePath, &why);
    if (!authority) {
        *error = QString::fromStdString(why);
        return false;
    }
    std::vector<std::string> ids;
    for (const Registry *registry : catalog.registries()) {
        ids.push_back(registry->id);
        for (const Device *device : catalog.devices(registry->id))
            ids.push_back(device->id);
    }
    for (const IotBroker *broker : catalog.brokers())
        ids.push_back(broker->id);
    const bool ok = authority->withAuthority(
        [&](const CertificateAuthority &ca, std::string *failure) {
            tls->caPem = ca.certificatePem();
            auto server = ca.issueServerCertificate(tls->hosts, failure);
            if (!server)
                return false;
            tls->server = std::move(*server);
            for (const std::string &id : ids) {
                for (const Certificate &certificate : *catalog.certificatesOf(id)) {
                    std::string ignored;
                    const auto info = parseCertificate(certificate.certificateData, &ignored);
                    if (info && hasCommonName(info->subject, id)
                        && ca.stillCertifies(certificate.certificateData, 0))
                        tls->certificateIdentities.insert(id + "/" + certificate.fingerprint);
                }
            }
            return true;
        },
        &why);
    if (!ok)
        *error = QStringLiteral("the workspace CA: %1").arg(QString::fromStdString(why));
    return ok;
}

bool writeFile(const QString &path, const std::string &text, bool secret, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(text.data(), qint64(text.size())) != qint64(text.size())) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    if (secret)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

int usageError(const QString &message)
{
    printError(QStringLiteral("%1 (see iotcore-studio export mosquitto --help)").arg(message));
    return ExitUsage;
}

bool takePort(const QCommandLineParser &parser, const QString &name, int *port)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    *port = parser.value(name).toInt(&ok);
    return ok && *port > 0 && *port < 65536;
}

} // namespace

int runExport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Writes the workspace's registries and devices as a mosquitto 2 configuration into DIR: "
        "mosquitto.conf, passwords (the stored hashes as they are), acl, the workspace CA with a "
        "server certificate, and README.md listing what cannot carry over. Disabled registries "
        "and their devices are left out. DIR is created if missing; a non-empty DIR that is not "
        "an earlier export is refused."));
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    parser.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
    parser.addOption({{QStringLiteral("w"), QStringLiteral("workspace")},
                      QStringLiteral("Workspace file."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("port"),
                      QStringLiteral("Plain MQTT listener on 127.0.0.1 (default 1883)."),
                      QStringLiteral("PORT")});
    parser.addOption({QStringLiteral("tls-port"),
                      QStringLiteral("TLS listener for passwords (default 8883)."),
                      QStringLiteral("PORT")});
    parser.addOption({QStringLiteral("certificate-port"),
                      QStringLiteral("TLS listener for client certificates (default 8884)."),
                      QStringLiteral("PORT")});
    parser.addOption({QStringLiteral("host"),
                      QStringLiteral("A name or address of the mosquitto machine for the server "
                                     "certificate (repeatable; default: this machine's)."),
                      QStringLiteral("NAME")});
    parser.addPositionalArgument(QStringLiteral("mosquitto"), QStringLiteral("The target."));
    parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("Where to write."));
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        QString help = parser.helpText();
        help = QStringLiteral("Usage: iotcore-studio export mosquitto [options] DIR")
            + help.mid(help.indexOf(u'\n'));
        const QByteArray text = help.toUtf8();
        std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
        return ExitOk;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.value(0) != QLatin1String("mosquitto"))
        return usageError(QStringLiteral("name the target: export mosquitto DIR"));
    if (positional.size() != 2)
        return usageError(QStringLiteral("give one directory: export mosquitto DIR"));
    ExportOptions options;
    options.directory = QDir(positional[1]).absolutePath();
    if (!takePort(parser, QStringLiteral("port"), &options.port)
        || !takePort(parser, QStringLiteral("tls-port"), &options.tlsPort)
        || !takePort(parser, QStringLiteral("certificate-port"), &options.certificatePort))
        return usageError(QStringLiteral("a port is a number from 1 to 65535"));
    const QString workspacePath = parser.value(QStringLiteral("workspace"));
    if (workspacePath.isEmpty())
        return usageError(QStringLiteral("the workspace file is required: -w FILE"));

    const QDir directory(options.directory);
    const QFileInfo directoryInfo(options.directory);
    if (directoryInfo.exists()) {
        if (!directoryInfo.isDir()) {
            printError(QStringLiteral("%1 is not a directory").arg(options.directory));
            return ExitFailure;
        }
        const bool empty = directory.entryList(QDir::AllEntries | QDir::Hidden | QDir::System
                                               | QDir::NoDotAndDotDot)
                               .isEmpty();
        if (!empty && !directory.exists(MarkerFile)) {
            printError(QStringLiteral("%1 is not empty and is not an earlier export (no %2 in "
                                      "it): choose a new or empty directory")
                           .arg(options.directory, MarkerFile));
            return ExitFailure;
        }
    }

    QString error;
    auto workspace = CatalogWorkspace::open(workspacePath, false, &error);
    if (!workspace) {
        printError(error);
        return ExitFailure;
    }
    const Catalog &catalog = workspace->catalog();
    TlsFiles tls;
    for (const QString &host : parser.values(QStringLiteral("host")))
        tls.hosts.push_back(host.toStdString());
    for (const std::string &host : WorkspaceAuthority::serverHostNames(
             tls.hosts.empty() ? std::vector<std::string> {"0.0.0.0"} : tls.hosts))
        if (std::find(tls.hosts.begin(), tls.hosts.end(), host) == tls.hosts.end())
            tls.hosts.push_back(host);
    if (!prepareTls(workspacePath, catalog, &tls, &error)) {
        printError(error);
        return ExitFailure;
    }

    const MosquittoExport exported(catalog, options, tls);
    if (!QDir().mkpath(options.directory)) {
        printError(QStringLiteral("cannot create %1").arg(options.directory));
        return ExitFailure;
    }
    const QString dir = options.directory + u'/';
    const bool written
        = writeFile(dir + MarkerFile,
                    "iotcore-studio export mosquitto\nworkspace: "
                        + QFileInfo(workspacePath).absoluteFilePath().toStdString() + "\n",
                    false, &error)
        && writeFile(dir + QStringLiteral("passwords"), exported.passwordFile(), true, &error)
        && writeFile(dir + QStringLiteral("acl"), exported.aclFile(), false, &error)
        && writeFile(dir + QStringLiteral("ca.pem"), tls.caPem, false, &error)
        && writeFile(dir + QStringLiteral("server.pem"), tls.server.certificatePem, false, &error)
        && writeFile(dir + QStringLiteral("server.key"), tls.server.privateKeyPem, true, &error)
        && writeFile(dir + QStringLiteral("README.md"), exported.readme(), false, &error)
        && writeFile(dir + QStringLiteral("mosquitto.conf"),
                     exported.configuration(options.directory), false, &error);
    if (!written) {
        printError(error);
        return ExitFailure;
    }
    std::printf("exported %s to %s\n", exported.summary().c_str(),
                options.directory.toUtf8().constData());
    return ExitOk;
}

} // namespace iotcore::app
