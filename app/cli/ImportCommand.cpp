// `iotcore-studio import yc …`: what the cloud's CLI printed, into a workspace (IOT_CORE.md,
// "Migration paths users will expect", every Decision there).
//
// Three steps, so that nothing is written unless everything is right: every file is read into
// one ImportSet (each resource told apart by its fields, checked, fingerprints recomputed);
// the set is applied to the workspace's Catalog in memory (which checks every rule again,
// against what the workspace already holds); passwords are given to whoever has none; then
// the workspace is saved once, and only if something changed.

#include "ImportCommand.h"

#include "workspace/CatalogWorkspace.h"
#include "workspace/Credentials.h"
#include "Cli.h"
#include "OutputFormat.h"
#include "YamlReader.h"

#include "iot/Catalog.h"
#include "iot/CatalogRules.h"
#include "iot/CertificateInfo.h"
#include "iot/PasswordHasher.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

// What an import changes of an entity already in the workspace: the fields that differ.
template<typename Update, typename Entity>
Update changedFields(const Entity &existing, const Entity &wanted)
{
    Update update;
    if (existing.name != wanted.name)
        update.name = wanted.name;
    if (existing.description != wanted.description)
        update.description = wanted.description;
    if (existing.labels != wanted.labels)
        update.labels = wanted.labels;
    return update;
}

QString quote(const std::string &text)
{
    return u'"' + QString::fromStdString(text) + u'"';
}

// --- what the files hold ------------------------------------------------------------------------

struct ImportedRegistry {
    Registry registry;
    QString file;
};

struct ImportedDevice {
    Device device;
    QString file;
};

struct ImportedCertificate {
    std::string ownerId;
    EntityKind ownerKind = EntityKind::Device;
    Certificate certificate;
    QString file;
};

struct ImportedAlias {
    std::string target; // $devices/<id>/…
    QString file;
};

struct ImportSet {
    std::map<std::string, ImportedRegistry> registries; // by id
    std::map<std::string, ImportedDevice> devices;      // by id
    std::vector<ImportedCertificate> certificates;
    // device id → alias → target: from devices' topic_aliases and from alias lists, one alias
    // however often it is given (IOT_CORE.md Decision)
    std::map<std::string, std::map<std::string, ImportedAlias>> aliases;
    int passwordResources = 0; // password lists: the cloud never shows the text
};

// RFC 3339 as protobuf's JSON mapping prints a Timestamp (0, 3, 6 or 9 fraction digits; yc
// prints "Z"), offsets accepted too.
std::optional<Timestamp> parseRfc3339(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral(
        "^(\\d{4})-(\\d\\d)-(\\d\\d)[Tt ](\\d\\d):(\\d\\d):(\\d\\d)(?:\\.(\\d{1,9}))?"
        "(?:[Zz]|([+-])(\\d\\d):(\\d\\d))$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    using namespace std::chrono;
    const year_month_day date {year(match.captured(1).toInt()),
                               month(unsigned(match.captured(2).toInt())),
                               day(unsigned(match.captured(3).toInt()))};
    const int hour = match.captured(4).toInt();
    const int minute = match.captured(5).toInt();
    const int second = match.captured(6).toInt();
    if (!date.ok() || hour > 23 || minute > 59 || second > 59)
        return std::nullopt;
    const QString fraction = match.captured(7).leftJustified(9, u'0');
    nanoseconds since = sys_days(date).time_since_epoch() + hours(hour) + minutes(minute)
        + seconds(second) + nanoseconds(fraction.toLongLong());
    if (!match.captured(8).isEmpty()) {
        const minutes offset(match.captured(9).toInt() * 60 + match.captured(10).toInt());
        since += match.captured(8) == QLatin1String("+") ? -offset : offset;
    }
    return Timestamp(duration_cast<Timestamp::duration>(since));
}

// One resource object of a file, its field names in snake_case (yc's JSON and YAML use the
// protobuf names, json-rest and this program's JSON the camelCase ones). Every accessor leaves
// the first problem in `error`.
class ResourceReader
{
public:
    ResourceReader(const QJsonObject &object, QString *error) : m_error(error)
    {
        for (auto it = object.begin(); it != object.end(); ++it)
            m_fields.insert(QString::fromStdString(snakeCase(it.key().toStdString())), it.value());
    }

    bool has(const char *name) const
    {
        const QJsonValue value = m_fields.value(QLatin1String(name));
        return !value.isUndefined() && !value.isNull();
    }

    QStringList names() const { return m_fields.keys(); }

    std::string text(const char *name)
    {
        const QJsonValue value = m_fields.value(QLatin1String(name));
        if (value.isUndefined() || value.isNull())
            return {};
        if (!value.isString()) {
            fail(QStringLiteral("field %1 is not a string").arg(QLatin1String(name)));
            return {};
        }
        return value.toString().toStdString();
    }

    std::map<std::string, std::string> stringMap(const char *name)
    {
        std::map<std::string, std::string> out;
        const QJsonValue value = m_fields.value(QLatin1String(name));
        if (value.isUndefined() || value.isNull())
            return out;
        if (!value.isObject()) {
            fail(QStringLiteral("field %1 is not a map").arg(QLatin1String(name)));
            return out;
        }
        const QJsonObject map = value.toObject();
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (it.value().isNull()) {
                out[it.key().toStdString()] = {}; // "key:" with nothing after it in YAML
            } else if (!it.value().isString()) {
                fail(QStringLiteral("%1 \"%2\" is not a string").arg(QLatin1String(name), it.key()));
                return out;
            } else {
                out[it.key().toStdString()] = it.value().toString().toStdString();
            }
        }
        return out;
    }

    Timestamp time(const char *name)
    {
        const std::string value = text(name);
        if (value.empty())
            return {};
        const std::optional<Timestamp> parsed = parseRfc3339(QString::fromStdString(value));
        if (!parsed) {
            fail(QStringLiteral("field %1 is not an RFC 3339 time: %2")
                     .arg(QLatin1String(name), quote(value)));
            return {};
        }
        return *parsed;
    }

    void fail(const QString &message)
    {
        if (m_error->isEmpty())
            *m_error = message;
    }
    bool failed() const { return !m_error->isEmpty(); }

private:
    QJsonObject m_fields;
    QString *m_error;
};

// The values of a file: JSON (one value or several one after the other, as `yc … get A B`
// prints them) or YAML documents.
std::optional<std::vector<QJsonValue>> readValues(const QByteArray &data, QString *error)
{
    const QByteArray trimmed = data.trimmed();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('['))
        return readYamlDocuments(data, error);
    std::vector<QJsonValue> values;
    qsizetype offset = 0;
    while (true) {
        while (offset < data.size() && QChar::isSpace(uchar(data.at(offset))))
            ++offset;
        if (offset >= data.size())
            break;
        const QByteArray rest = data.mid(offset);
        QJsonParseError parsed;
        QJsonDocument document = QJsonDocument::fromJson(rest, &parsed);
        qsizetype length = rest.size();
        if (parsed.error == QJsonParseError::GarbageAtEnd) {
            length = parsed.offset;
            document = QJsonDocument::fromJson(rest.left(length), &parsed);
        }
        if (parsed.error != QJsonParseError::NoError) {
            *error = QStringLiteral("not valid JSON at byte %1: %2")
                         .arg(offset + parsed.offset)
                         .arg(parsed.errorString());
            return std::nullopt;
        }
        values.push_back(document.isArray() ? QJsonValue(document.array())
                                            : QJsonValue(document.object()));
        offset += length;
    }
    return values;
}

// The resource objects of a file: a list is its items; `{"registries": […]}`, as the REST API
// answers a List call, is its list.
bool collectResources(const QJsonValue &value, std::vector<QJsonObject> *out, QString *error)
{
    if (value.isNull())
        return true;
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            if (!collectResources(item, out, error))
                return false;
        return true;
    }
    if (!value.isObject()) {
        *error = QStringLiteral("expected resources (maps), found a plain value");
        return false;
    }
    const QJsonObject object = value.toObject();
    static const QStringList listNames = {
        QStringLiteral("registries"), QStringLiteral("devices"), QStringLiteral("certificates"),
        QStringLiteral("aliases"), QStringLiteral("passwords")};
    if (object.size() <= 2 && object.size() >= 1) {
        for (const QString &name : listNames) {
            if (object.value(name).isArray()
                && (object.size() == 1 || object.contains(QLatin1String("nextPageToken"))
                    || object.contains(QLatin1String("next_page_token"))))
                return collectResources(object.value(name), out, error);
        }
    }
    out->push_back(object);
    return true;
}

QString describe(const char *kind, const std::string &name, const std::string &id)
{
    QString text = QLatin1String(kind);
    if (!name.empty())
        text += u' ' + quote(name);
    if (!id.empty())
        text += name.empty() ? u' ' + QString::fromStdString(id)
                             : QStringLiteral(" (%1)").arg(QString::fromStdString(id));
    return text;
}

// Adds one resource to the set; false with "entity: why" in `error`.
bool addResource(const QJsonObject &object, const QString &file, ImportSet *set, QString *error)
{
    ResourceReader fields(object, error);
    const std::string id = fields.text("id");
    const std::string name = fields.text("name");
    const bool hasCertificate = fields.has("certificate_data") || fields.has("fingerprint");
    const bool hasAlias = fields.has("alias") || fields.has("topic_prefix");

    if (hasAlias) {
        const std::string deviceId = fields.text("device_id");
        const std::string alias = fields.text("alias");
        const std::string target = fields.text("topic_prefix");
        const QString what = QStringLiteral("topic alias %1").arg(quote(alias));
        if (fields.failed() || deviceId.empty() || alias.empty() || target.empty()) {
            *error = what + QStringLiteral(": ")
                + (fields.failed() ? *error
                                   : QStringLiteral("needs device_id, alias and topic_prefix"));
            return false;
        }
        auto &aliases = set->aliases[deviceId];
        if (const auto known = aliases.find(alias);
            known != aliases.end() && known->second.target != target) {
            *error = QStringLiteral("%1 of device %2 points to %3 here and to %4 in %5")
                         .arg(what, QString::fromStdString(deviceId), quote(target),
                              quote(known->second.target), known->second.file);
            return false;
        }
        aliases[alias] = ImportedAlias {target, file};
        return true;
    }

    if (hasCertificate) {
        ImportedCertificate imported;
        imported.file = file;
        imported.ownerId = fields.text("device_id");
        imported.ownerKind = EntityKind::Device;
        if (imported.ownerId.empty()) {
            imported.ownerId = fields.text("registry_id");
            imported.ownerKind = EntityKind::Registry;
        }
        const std::string data = fields.text("certificate_data");
        const std::string given = fields.text("fingerprint");
        imported.certificate.createdAt = fields.time("created_at");
        const QString what = QStringLiteral("certificate %1 of %2")
                                 .arg(given.empty() ? QStringLiteral("(no fingerprint)")
                                                    : QString::fromStdString(given),
                                      imported.ownerId.empty()
                                          ? QStringLiteral("no one")
                                          : QString::fromStdString(imported.ownerId));
        if (fields.failed()) {
            *error = what + QStringLiteral(": ") + *error;
            return false;
        }
        if (imported.ownerId.empty()) {
            *error = what + QStringLiteral(": needs device_id or registry_id");
            return false;
        }
        if (data.empty()) {
            *error = what + QStringLiteral(": no certificate_data (the certificate itself is the "
                                           "credential, a fingerprint alone cannot be imported)");
            return false;
        }
        // The fingerprint field is not trusted (IOT_CORE.md): recomputed from the data.
        std::string why;
        const std::optional<CertificateInfo> info = parseCertificate(data, &why);
        if (!info) {
            *error = what + QStringLiteral(": ") + QString::fromStdString(why);
            return false;
        }
        imported.certificate.fingerprint = info->fingerprint;
        imported.certificate.certificateData = info->pem;
        set->certificates.push_back(std::move(imported));
        return true;
    }

    const bool hasRegistryId = fields.has("registry_id");
    if (!id.empty() && !name.empty() && hasRegistryId) {
        ImportedDevice imported;
        Device &device = imported.device;
        device.id = id;
        device.name = name;
        device.registryId = fields.text("registry_id");
        device.description = fields.text("description");
        device.labels = fields.stringMap("labels");
        device.topicAliases = fields.stringMap("topic_aliases");
        device.createdAt = fields.time("created_at");
        imported.file = file;
        if (fields.failed()) {
            *error = describe("device", name, id) + QStringLiteral(": ") + *error;
            return false;
        }
        auto &aliases = set->aliases[id];
        for (const auto &[alias, target] : device.topicAliases) {
            if (const auto known = aliases.find(alias);
                known != aliases.end() && known->second.target != target) {
                *error = describe("device", name, id)
                    + QStringLiteral(": topic alias %1 points to %2 here and to %3 in %4")
                          .arg(quote(alias), quote(target), quote(known->second.target),
                               known->second.file);
                return false;
            }
            aliases[alias] = ImportedAlias {target, file};
        }
        if (const auto earlier = set->devices.find(id); earlier != set->devices.end()) {
            // The same device from a list and a get: one device, the later file's fields.
            for (const auto &[alias, target] : earlier->second.device.topicAliases)
                device.topicAliases.emplace(alias, target);
        }
        set->devices[id] = std::move(imported);
        return true;
    }

    if (!id.empty() && !name.empty()) {
        ImportedRegistry imported;
        Registry &registry = imported.registry;
        registry.id = id;
        registry.name = name;
        registry.description = fields.text("description");
        registry.labels = fields.stringMap("labels");
        registry.createdAt = fields.time("created_at");
        imported.file = file;
        const std::string status = fields.text("status");
        if (status == "DISABLED") {
            registry.status = RegistryStatus::Disabled;
        } else if (!status.empty() && status != "ACTIVE" && status != "CREATING") {
            fields.fail(QStringLiteral("status %1 cannot be imported (ACTIVE or DISABLED)")
                            .arg(quote(status)));
        }
        if (fields.failed()) {
            *error = describe("registry", name, id) + QStringLiteral(": ") + *error;
            return false;
        }
        set->registries[id] = std::move(imported);
        return true;
    }

    if (!id.empty() && (hasRegistryId || fields.has("device_id"))) {
        ++set->passwordResources; // `… password list`: ids and times only
        return true;
    }

    *error = QStringLiteral("a resource with fields %1 is not a registry, device, certificate "
                            "or topic alias as yc prints them")
                 .arg(fields.names().join(QLatin1String(", ")));
    return false;
}

bool readFile(const QString &path, ImportSet *set, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot read: %2").arg(path, file.errorString());
        return false;
    }
    QString why;
    const std::optional<std::vector<QJsonValue>> values = readValues(file.readAll(), &why);
    if (!values) {
        *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    }
    std::vector<QJsonObject> resources;
    for (const QJsonValue &value : *values) {
        if (!collectResources(value, &resources, &why)) {
            *error = QStringLiteral("%1: %2").arg(path, why);
            return false;
        }
    }
    if (resources.empty()) {
        *error = QStringLiteral("%1: no resources in the file").arg(path);
        return false;
    }
    for (const QJsonObject &resource : resources) {
        if (!addResource(resource, path, set, &why)) {
            *error = QStringLiteral("%1: %2").arg(path, why);
            return false;
        }
    }
    return true;
}

// --- into the catalog -----------------------------------------------------------------------------

class Importer
{
public:
    explicit Importer(Catalog &catalog) : m_catalog(catalog) { }

    bool changed() const { return m_changed; }
    QString summary() const { return m_counts.join(QLatin1String(", ")); }

    bool apply(const ImportSet &set, QString *error)
    {
        int created = 0;
        for (const auto &[id, imported] : set.registries) {
            if (!applyRegistry(imported, &created, error))
                return false;
        }
        count(set.registries.size(), created, "registry", "registries");
        created = 0;
        for (const auto &[id, imported] : set.devices) {
            if (!applyDevice(imported, set, &created, error))
                return false;
        }
        count(set.devices.size(), created, "device", "devices");
        // Aliases of devices that are only in the workspace (an alias list on its own).
        for (const auto &[deviceId, aliases] : set.aliases) {
            if (set.devices.count(deviceId))
                continue;
            const Device *device = m_catalog.device(deviceId);
            if (!device) {
                *error = QStringLiteral("%1: topic alias %2: device %3 is neither in the import "
                                        "nor in the workspace")
                             .arg(aliases.begin()->second.file, quote(aliases.begin()->first),
                                  QString::fromStdString(deviceId));
                return false;
            }
            if (!applyAliases(*device, aliases, error))
                return false;
        }
        std::size_t aliasCount = 0;
        for (const auto &[deviceId, aliases] : set.aliases)
            aliasCount += aliases.size();
        count(aliasCount, -1, "topic alias", "topic aliases");
        created = 0;
        for (const ImportedCertificate &imported : set.certificates) {
            if (!applyCertificate(imported, &created, error))
                return false;
        }
        count(set.certificates.size(), created, "certificate", "certificates");
        return true;
    }

    // Imported entities without a password get one: from --passwords, or generated.
    bool givePasswords(const std::vector<std::string> &ids,
                       const std::map<std::string, std::string> &fromFile, int iterations,
                       std::string *printed, QString *error)
    {
        const PasswordHasher hasher(iterations);
        for (const std::string &id : ids) {
            const std::vector<PasswordRecord> &stored = *m_catalog.passwordsOf(id);
            std::string password;
            if (const auto given = fromFile.find(id); given != fromFile.end()) {
                bool known = false;
                for (const PasswordRecord &record : stored)
                    known = known
                        || PasswordHasher::verify(given->second, record.hash)
                            == PasswordHasher::Verdict::Match;
                if (known)
                    continue; // importing twice changes nothing
                password = given->second;
            } else if (stored.empty()) {
                password = generatePassword();
                *printed += id + ' ' + password + '\n';
            } else {
                continue;
            }
            const std::string hash = hasher.hash(password);
            if (hash.empty()) {
                *error = QStringLiteral("cannot hash a password: no random bytes from OpenSSL");
                return false;
            }
            auto added = m_catalog.addPassword(id, hash);
            if (!added) {
                *error = QStringLiteral("--passwords: %1").arg(QString::fromStdString(added.error));
                return false;
            }
            m_changed = true;
        }
        return true;
    }


private:
    void count(std::size_t total, int created, const char *one, const char *many)
    {
        if (total == 0)
            return;
        QString text = QStringLiteral("%1 %2").arg(total).arg(
            QLatin1String(total == 1 ? one : many));
        if (created >= 0)
            text += QStringLiteral(" (%1 new)").arg(created);
        m_counts.append(text);
    }

    static QString fail(const QString &file, const QString &entity, const std::string &why)
    {
        return QStringLiteral("%1: %2: %3").arg(file, entity, QString::fromStdString(why));
    }

    bool applyRegistry(const ImportedRegistry &imported, int *created, QString *error)
    {
        const Registry &wanted = imported.registry;
        const QString what = describe("registry", wanted.name, wanted.id);
        const Registry *existing = m_catalog.registry(wanted.id);
        if (!existing) {
            if (m_catalog.entity(wanted.id)) {
                *error = fail(imported.file, what, "the id is a device's or broker's here");
                return false;
            }
            auto result = m_catalog.createRegistry(wanted);
            if (!result) {
                *error = fail(imported.file, what, result.error);
                return false;
            }
            ++*created;
            m_changed = true;
            return true;
        }
        const auto update = changedFields<RegistryUpdate>(*existing, wanted);
        if (update.name || update.description || update.labels) {
            auto result = m_catalog.updateRegistry(wanted.id, update);
            if (!result) {
                *error = fail(imported.file, what, result.error);
                return false;
            }
            m_changed = true;
        }
        if (existing->status != wanted.status) {
            m_catalog.setRegistryStatus(wanted.id, wanted.status);
            m_changed = true;
        }
        return true;
    }

    bool applyDevice(const ImportedDevice &imported, const ImportSet &set, int *created,
                     QString *error)
    {
        const Device &wanted = imported.device;
        const QString what = describe("device", wanted.name, wanted.id);
        // Devices need their registry in the import or the workspace.
        if (!m_catalog.registry(wanted.registryId)) {
            *error = fail(imported.file, what,
                          "its registry " + wanted.registryId
                              + " is neither in the import nor in the workspace");
            return false;
        }
        std::map<std::string, ImportedAlias> aliases;
        if (const auto found = set.aliases.find(wanted.id); found != set.aliases.end())
            aliases = found->second;
        const Device *existing = m_catalog.device(wanted.id);
        if (!existing) {
            if (m_catalog.entity(wanted.id)) {
                *error = fail(imported.file, what, "the id is a registry's or broker's here");
                return false;
            }
            Device draft = wanted;
            draft.topicAliases.clear();
            for (const auto &[alias, target] : aliases)
                draft.topicAliases[alias] = target.target;
            auto result = m_catalog.createDevice(std::move(draft));
            if (!result) {
                *error = fail(imported.file, what, result.error);
                return false;
            }
            ++*created;
            m_changed = true;
            return true;
        }
        if (existing->registryId != wanted.registryId) {
            *error = fail(imported.file, what,
                          "it belongs to registry " + existing->registryId
                              + " in the workspace, not " + wanted.registryId
                              + ": devices cannot move between registries");
            return false;
        }
        const auto update = changedFields<DeviceUpdate>(*existing, wanted);
        if (update.name || update.description || update.labels) {
            auto result = m_catalog.updateDevice(wanted.id, update);
            if (!result) {
                *error = fail(imported.file, what, result.error);
                return false;
            }
            m_changed = true;
        }
        return applyAliases(*m_catalog.device(wanted.id), aliases, error);
    }

    // Imported aliases are added or re-pointed; the device's other aliases stay.
    bool applyAliases(const Device &device, const std::map<std::string, ImportedAlias> &aliases,
                      QString *error)
    {
        std::vector<std::string> repointed;
        TopicAliases added;
        QString file;
        for (const auto &[alias, target] : aliases) {
            const auto current = device.topicAliases.find(alias);
            if (current != device.topicAliases.end() && current->second == target.target)
                continue;
            if (current != device.topicAliases.end())
                repointed.push_back(alias);
            added[alias] = target.target;
            file = target.file;
        }
        if (added.empty())
            return true;
        const QString what = describe("device", device.name, device.id);
        const std::string id = device.id; // `device` may move when the catalog changes
        if (!repointed.empty()) {
            auto result = m_catalog.removeTopicAliases(id, repointed);
            if (!result) {
                *error = fail(file, what, result.error);
                return false;
            }
        }
        auto result = m_catalog.addTopicAliases(id, added);
        if (!result) {
            *error = fail(file, what, result.error);
            return false;
        }
        m_changed = true;
        return true;
    }

    bool applyCertificate(const ImportedCertificate &imported, int *created, QString *error)
    {
        const Certificate &certificate = imported.certificate;
        const std::optional<EntityRef> owner = m_catalog.entity(imported.ownerId);
        const QString what = QStringLiteral("certificate %1 of %2 %3")
                                 .arg(QString::fromStdString(certificate.fingerprint),
                                      QLatin1String(entityKindName(imported.ownerKind)),
                                      QString::fromStdString(imported.ownerId));
        if (!owner || owner->kind != imported.ownerKind) {
            *error = fail(imported.file, what,
                          std::string("the ") + entityKindName(imported.ownerKind)
                              + " is neither in the import nor in the workspace");
            return false;
        }
        for (const Certificate &present : *m_catalog.certificatesOf(imported.ownerId))
            if (present.fingerprint == certificate.fingerprint)
                return true; // given twice (a device list and a certificate list), or imported before
        auto result = m_catalog.addCertificate(imported.ownerId, certificate);
        if (!result) {
            *error = fail(imported.file, what, result.error);
            return false;
        }
        ++*created;
        m_changed = true;
        return true;
    }

    Catalog &m_catalog;
    bool m_changed = false;
    QStringList m_counts;
};

// `<id> <password>` lines; '#' comments and empty lines ignored.
bool readPasswordFile(const QString &path, std::map<std::string, std::string> *passwords,
                      QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QStringLiteral("%1: cannot read: %2").arg(path, file.errorString());
        return false;
    }
    int number = 0;
    while (!file.atEnd()) {
        ++number;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const qsizetype space = line.indexOf(QRegularExpression(QStringLiteral("\\s")));
        const QString where = QStringLiteral("%1:%2").arg(path).arg(number);
        if (space < 0) {
            *error = where + QStringLiteral(": expected \"<id> <password>\"");
            return false;
        }
        const std::string id = line.left(space).toStdString();
        const std::string password = line.mid(space + 1).trimmed().toStdString();
        if (const std::string weak = rules::checkPasswordStrength(password); !weak.empty()) {
            *error = QStringLiteral("%1: %2: %3").arg(where, QString::fromStdString(id),
                                                       QString::fromStdString(weak));
            return false;
        }
        if (passwords->count(id)) {
            *error = QStringLiteral("%1: %2 is given twice").arg(where, QString::fromStdString(id));
            return false;
        }
        (*passwords)[id] = password;
    }
    return true;
}

int usageError(const QString &message)
{
    printError(QStringLiteral("%1 (see iotcore-studio import yc --help)").arg(message));
    return ExitUsage;
}

} // namespace

int runImport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Imports registries, devices, certificates and topic aliases as `yc iot registry|device "
        "list|get`, `yc iot registry|device certificate list` and `yc iot registry "
        "list-device-topic-aliases` printed them with --format json, json-rest or yaml. Files "
        "are told apart by their fields. Nothing is written unless every file imports. Ids, "
        "names, descriptions, labels, status and creation times are kept; an id already in the "
        "workspace is updated in place. Passwords cannot be exported from the cloud: imported "
        "registries and devices without one get a generated password, printed once as "
        "\"<id> <password>\" lines on standard output, unless --passwords gives it."));
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    parser.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
    parser.addOption({{QStringLiteral("w"), QStringLiteral("workspace")},
                      QStringLiteral("Workspace file (created if missing)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("passwords"),
                      QStringLiteral("\"<id> <password>\" lines: passwords for registries and "
                                     "devices, instead of generated ones."),
                      QStringLiteral("FILE")});
    parser.addPositionalArgument(QStringLiteral("yc"), QStringLiteral("The source: yc."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("yc output files."),
                                 QStringLiteral("FILE…"));
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        QString help = parser.helpText();
        help = QStringLiteral("Usage: iotcore-studio import yc [options] FILE…")
            + help.mid(help.indexOf(u'\n'));
        const QByteArray text = help.toUtf8();
        std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
        return ExitOk;
    }
    QStringList files = parser.positionalArguments();
    if (files.isEmpty() || files.first() != QLatin1String("yc"))
        return usageError(QStringLiteral("name the source: import yc FILE…"));
    files.removeFirst();
    if (files.isEmpty())
        return usageError(QStringLiteral("give the files yc printed"));
    const QString workspacePath = parser.value(QStringLiteral("workspace"));
    if (workspacePath.isEmpty())
        return usageError(QStringLiteral("the workspace file is required: -w FILE"));

    QString error;
    ImportSet set;
    for (const QString &file : files) {
        if (!readFile(file, &set, &error)) {
            printError(error);
            return ExitFailure;
        }
    }
    std::map<std::string, std::string> passwords;
    if (parser.isSet(QStringLiteral("passwords"))
        && !readPasswordFile(parser.value(QStringLiteral("passwords")), &passwords, &error)) {
        printError(error);
        return ExitFailure;
    }

    auto workspace = CatalogWorkspace::open(workspacePath, true, &error);
    if (!workspace) {
        printError(error);
        return ExitFailure;
    }
    Catalog &catalog = workspace->catalog();
    Importer importer(catalog);
    if (!importer.apply(set, &error)) {
        printError(error);
        return ExitFailure;
    }
    std::vector<std::string> ids;
    for (const auto &[id, imported] : set.registries)
        ids.push_back(id);
    for (const auto &[id, imported] : set.devices)
        ids.push_back(id);
    for (const auto &[id, password] : passwords) {
        const std::optional<EntityRef> entity = catalog.entity(id);
        if (!entity || entity->kind == EntityKind::Broker) {
            printError(QStringLiteral("--passwords: %1 is neither a registry nor a device of the "
                                      "import or the workspace")
                           .arg(QString::fromStdString(id)));
            return ExitFailure;
        }
        if (!set.registries.count(id) && !set.devices.count(id))
            ids.push_back(id);
    }
    std::string printed;
    if (!importer.givePasswords(ids, passwords, workspace->passwordIterations(), &printed, &error)) {
        printError(error);
        return ExitFailure;
    }
    if (importer.changed() && !workspace->save(&error)) {
        printError(error);
        return ExitFailure;
    }
    if (importer.changed()) {
        for (const QString &warning : workspace->cloudQuotaWarnings())
            printError(QStringLiteral("warning: ") + warning);
    }
    std::fwrite(printed.data(), 1, printed.size(), stdout);
    std::fflush(stdout);
    QString note = QStringLiteral("imported %1 from %2 %3")
                       .arg(importer.summary().isEmpty() ? QStringLiteral("nothing")
                                                         : importer.summary())
                       .arg(files.size())
                       .arg(QLatin1String(files.size() == 1 ? "file" : "files"));
    if (!importer.changed())
        note += QStringLiteral("; the workspace already held all of it");
    if (set.passwordResources > 0)
        note += QStringLiteral("; %1 password resources skipped (the cloud never shows a "
                               "password: use --passwords)")
                    .arg(set.passwordResources);
    const QByteArray noteText = (note + u'\n').toUtf8();
    std::fwrite(noteText.constData(), 1, std::size_t(noteText.size()), stderr);
    return ExitOk;
}

} // namespace iotcore::app
