#include "IotResources.h"

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

OutputValue mapOf(const std::map<std::string, std::string> &entries)
{
    OutputValue map = OutputValue::map();
    for (const auto &[key, value] : entries)
        map.set(key, value, true);
    return map;
}

} // namespace

OutputValue registryResource(const Registry &registry)
{
    OutputValue resource = OutputValue::map();
    resource.set("id", registry.id)
        .set("createdAt", formatRfc3339(registry.createdAt))
        .set("name", registry.name)
        .set("description", registry.description)
        .set("labels", mapOf(registry.labels))
        .set("status", registryStatusName(registry.status));
    return resource;
}

OutputValue deviceResource(const Device &device)
{
    OutputValue resource = OutputValue::map();
    resource.set("id", device.id)
        .set("registryId", device.registryId)
        .set("createdAt", formatRfc3339(device.createdAt))
        .set("name", device.name)
        .set("description", device.description)
        .set("topicAliases", mapOf(device.topicAliases))
        .set("status", "ACTIVE")
        .set("labels", mapOf(device.labels));
    return resource;
}

OutputValue brokerResource(const IotBroker &broker)
{
    OutputValue resource = OutputValue::map();
    resource.set("id", broker.id)
        .set("createdAt", formatRfc3339(broker.createdAt))
        .set("name", broker.name)
        .set("description", broker.description)
        .set("labels", mapOf(broker.labels))
        .set("status", "ACTIVE");
    return resource;
}

OutputValue certificateResource(const std::string &ownerField, const std::string &ownerId,
                                const Certificate &certificate)
{
    OutputValue resource = OutputValue::map();
    resource.set(ownerField, ownerId)
        .set("fingerprint", certificate.fingerprint)
        .set("certificateData", certificate.certificateData)
        .set("createdAt", formatRfc3339(certificate.createdAt));
    return resource;
}

OutputValue passwordResource(const std::string &ownerField, const std::string &ownerId,
                             const PasswordRecord &password)
{
    OutputValue resource = OutputValue::map();
    resource.set(ownerField, ownerId)
        .set("id", password.id)
        .set("createdAt", formatRfc3339(password.createdAt));
    return resource;
}

OutputValue aliasResource(const std::string &deviceId, const std::string &alias,
                          const std::string &topicPrefix)
{
    OutputValue resource = OutputValue::map();
    resource.set("alias", alias).set("deviceId", deviceId).set("topicPrefix", topicPrefix);
    return resource;
}

const std::vector<TableColumn> entityColumns = {{"ID", "id"}, {"NAME", "name"}};
const std::vector<TableColumn> certificateColumns
    = {{"FINGERPRINT", "fingerprint"}, {"CREATED AT", "createdAt"}};
const std::vector<TableColumn> passwordColumns = {{"ID", "id"}, {"CREATED AT", "createdAt"}};
const std::vector<TableColumn> aliasColumns
    = {{"ALIAS", "alias"}, {"TOPIC PREFIX", "topicPrefix"}, {"DEVICE ID", "deviceId"}};

// --- naming ----------------------------------------------------------------------------------

namespace {

QString quoted(const QString &text)
{
    return u'"' + text + u'"';
}

template <typename Entity>
std::optional<std::string> find(const EntityName &name, const char *kind,
                                const Entity *(Catalog::*byId)(std::string_view) const,
                                const Entity *(Catalog::*byName)(std::string_view) const,
                                const Catalog &catalog, QString *error)
{
    const Entity *found = nullptr;
    QString shown;
    if (!name.id.isEmpty()) {
        found = (catalog.*byId)(name.id.toStdString());
        shown = QStringLiteral("with id ") + quoted(name.id);
    } else if (!name.name.isEmpty()) {
        found = (catalog.*byName)(name.name.toStdString());
        shown = quoted(name.name);
    } else {
        found = (catalog.*byId)(name.idOrName.toStdString());
        if (!found)
            found = (catalog.*byName)(name.idOrName.toStdString());
        shown = quoted(name.idOrName);
    }
    if (!found) {
        *error = QStringLiteral("%1 %2 not found").arg(QLatin1String(kind), shown);
        return std::nullopt;
    }
    return found->id;
}

} // namespace

std::optional<std::string> findRegistry(const Catalog &catalog, const EntityName &name,
                                        QString *error)
{
    return find<Registry>(name, "registry", &Catalog::registry, &Catalog::registryByName, catalog,
                          error);
}

std::optional<std::string> findBroker(const Catalog &catalog, const EntityName &name,
                                      QString *error)
{
    return find<IotBroker>(name, "broker", &Catalog::broker, &Catalog::brokerByName, catalog,
                           error);
}

std::optional<std::string> findDevice(const Catalog &catalog, const EntityName &name,
                                      const EntityName &registry, QString *error)
{
    std::optional<std::string> registryId;
    if (!registry.isEmpty()) {
        registryId = findRegistry(catalog, registry, error);
        if (!registryId)
            return std::nullopt;
    }
    auto inRegistry = [&](const Device *device) {
        return device && (!registryId || device->registryId == *registryId);
    };
    if (!name.id.isEmpty() || !name.idOrName.isEmpty()) {
        const QString id = name.id.isEmpty() ? name.idOrName : name.id;
        if (const Device *device = catalog.device(id.toStdString()); inRegistry(device))
            return device->id;
        if (!name.id.isEmpty()) {
            *error = QStringLiteral("device with id %1 not found").arg(quoted(id));
            return std::nullopt;
        }
    }
    const QString wanted = name.name.isEmpty() ? name.idOrName : name.name;
    std::vector<const Device *> matches;
    for (const Registry *owner : catalog.registries()) {
        if (registryId && owner->id != *registryId)
            continue;
        if (const Device *device = catalog.deviceByName(owner->id, wanted.toStdString()))
            matches.push_back(device);
    }
    if (matches.empty()) {
        *error = QStringLiteral("device %1 not found").arg(quoted(wanted));
        if (registryId) {
            *error += QStringLiteral(" in registry %1")
                          .arg(quoted(QString::fromStdString(catalog.registry(*registryId)->name)));
        }
        return std::nullopt;
    }
    if (matches.size() > 1) {
        *error = QStringLiteral("%1 registries have a device named %2: name the registry with "
                                "--registry-name or --registry-id")
                     .arg(matches.size())
                     .arg(quoted(wanted));
        return std::nullopt;
    }
    return matches.front()->id;
}

} // namespace iotcore::app
