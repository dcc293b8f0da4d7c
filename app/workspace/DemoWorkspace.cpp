#include "DemoWorkspace.h"

#include "CatalogWorkspace.h"
#include "Credentials.h"

#include <QDir>
#include <QStandardPaths>

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

struct DemoDevice {
    const char *name;
    const char *description;
    Labels labels;
    TopicAliases aliases;
};

const DemoDevice demoDevices[] = {
    {"thermostat", "Living room thermostat: temperature and humidity every few seconds",
     {{"room", "living-room"}, {"kind", "thermostat"}},
     {{"home/living-room/climate", "$devices/{id}/events/climate"}}},
    {"energy-meter", "Main energy meter: power and energy counters",
     {{"room", "hall"}, {"kind", "energy-meter"}}, {}},
    {"door-sensor", "Front door contact sensor: open and closed events",
     {{"room", "hall"}, {"kind", "door-sensor"}}, {}},
    {"gps-tracker", "Delivery van tracker: position and speed",
     {{"kind", "gps-tracker"}}, {}},
};

} // namespace

QStringList DemoWorkspace::deviceNames()
{
    QStringList names;
    for (const DemoDevice &device : demoDevices)
        names.append(QString::fromLatin1(device.name));
    return names;
}

QString DemoWorkspace::defaultPath()
{
    const QString directory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(directory);
    return QDir(directory).filePath(QStringLiteral("demo.sqlite"));
}

bool DemoWorkspace::ensure(const QString &path, QString *error)
{
    std::unique_ptr<CatalogWorkspace> workspace = CatalogWorkspace::open(path, true, error);
    if (!workspace)
        return false;
    Catalog &catalog = workspace->catalog();
    if (catalog.registryByName(RegistryName))
        return true;

    const int iterations = workspace->passwordIterations();
    const std::optional<std::string> registryHash = hashPassword(RegistryPassword, iterations, error);
    const std::optional<std::string> deviceHash = hashPassword(DevicePassword, iterations, error);
    if (!registryHash || !deviceHash)
        return false;

    Registry registry;
    registry.name = RegistryName;
    registry.description = "Demo home: a thermostat, an energy meter, a door sensor and a tracker";
    registry.labels = {{"environment", "demo"}};
    registry.passwords.push_back(PasswordRecord{{}, *registryHash, {}});
    CatalogResult<Registry> created = catalog.createRegistry(std::move(registry));
    if (!created) {
        *error = QString::fromStdString(created.error);
        return false;
    }
    for (const DemoDevice &demo : demoDevices) {
        Device device;
        device.registryId = created->id;
        device.name = demo.name;
        device.description = demo.description;
        device.labels = demo.labels;
        device.topicAliases = demo.aliases;
        device.passwords.push_back(PasswordRecord{{}, *deviceHash, {}});
        if (CatalogResult<Device> added = catalog.createDevice(std::move(device)); !added) {
            *error = QString::fromStdString(added.error);
            return false;
        }
    }
    return workspace->save(error);
}

} // namespace iotcore::app
