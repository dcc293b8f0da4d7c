#pragma once

// Catalog entities as the cloud API shows them (yandex.cloud.iot.devices.v1 and .broker.v1):
// Registry, Device, Broker, their Certificate and Password resources and DeviceAlias, with the
// REST field names and the order of the API definitions. Password resources never carry the
// hash: the API's password resources show only id and creation time.
//
// And how a command names an entity: by id, by name, or a positional id-or-name, as yc does.

#include "OutputFormat.h"

#include "iot/Catalog.h"

#include <QString>

#include <optional>
#include <string>
#include <vector>

namespace iotcore::app {

OutputValue registryResource(const broker::Registry &registry);
OutputValue deviceResource(const broker::Device &device);
OutputValue brokerResource(const broker::IotBroker &broker);
// ownerField: "registryId", "deviceId" or "brokerId".
OutputValue certificateResource(const std::string &ownerField, const std::string &ownerId,
                                const broker::Certificate &certificate);
OutputValue passwordResource(const std::string &ownerField, const std::string &ownerId,
                             const broker::PasswordRecord &password);
OutputValue aliasResource(const std::string &deviceId, const std::string &alias,
                          const std::string &topicPrefix);

// The text tables of yc's list commands.
extern const std::vector<TableColumn> entityColumns; // ID, NAME
extern const std::vector<TableColumn> certificateColumns; // FINGERPRINT, CREATED AT
extern const std::vector<TableColumn> passwordColumns; // ID, CREATED AT
extern const std::vector<TableColumn> aliasColumns; // ALIAS, TOPIC PREFIX, DEVICE ID

// How the command line named an entity. At most one of id, name, idOrName is set.
struct EntityName {
    QString id;
    QString name;
    QString idOrName;
    bool isEmpty() const { return id.isEmpty() && name.isEmpty() && idOrName.isEmpty(); }
};

// The entity's id, or nothing with one line in `error` ("registry "x" not found").
std::optional<std::string> findRegistry(const broker::Catalog &catalog, const EntityName &name,
                                        QString *error);
std::optional<std::string> findBroker(const broker::Catalog &catalog, const EntityName &name,
                                      QString *error);
// A device name is unique only within its registry: `registry` narrows the search and is
// needed when two registries have a device of that name.
std::optional<std::string> findDevice(const broker::Catalog &catalog, const EntityName &name,
                                      const EntityName &registry, QString *error);

} // namespace iotcore::app
