#include "DemoWorkspace.h"

#include "CatalogWorkspace.h"
#include "Credentials.h"
#include "sim/FleetProvisioner.h"
#include "sim/ScenarioStore.h"

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

// The demo's simulation: each demo device driven by the template of its kind, and a block of
// flats with thermostats, one in four of which loses its network for half a minute after two
// minutes (faults are part of what the console shows).
sim::Scenario demoScenario()
{
    sim::Scenario scenario;
    scenario.seed = 2026;
    const struct {
        const char *device;
        const char *period;
    } singles[] = {{"thermostat", "3s"}, {"energy-meter", "5s"}, {"door-sensor", "1s"}, {"gps-tracker", "2s"}};
    for (const auto &single : singles) {
        sim::Fleet fleet;
        fleet.name = QLatin1String(single.device);
        fleet.templateName = fleet.name;
        fleet.count = 1;
        fleet.deviceName = fleet.name;
        fleet.qos = 1;
        fleet.schedule = QJsonObject{{QStringLiteral("period"), QLatin1String(single.period)}};
        fleet.identity.kind = sim::Identity::Kind::Device;
        fleet.identity.registry = QLatin1String(DemoWorkspace::RegistryName);
        scenario.fleets.push_back(fleet);
    }
    sim::Fleet flats;
    flats.name = QStringLiteral("flats");
    flats.templateName = QStringLiteral("thermostat");
    flats.count = 12;
    flats.deviceName = QStringLiteral("flat-{i}");
    flats.qos = 1;
    flats.schedule = QJsonObject{{QStringLiteral("period"), QStringLiteral("10s")}};
    flats.identity.kind = sim::Identity::Kind::Device;
    flats.identity.registry = QLatin1String(DemoWorkspace::RegistryName);
    scenario.fleets.push_back(flats);
    sim::TimelineEvent outage;
    outage.atMs = 120'000;
    outage.fleet = flats.name;
    outage.share = 0.25;
    outage.fault = sim::TimelineEvent::Fault::Offline;
    outage.durationMs = 30'000;
    scenario.timeline.push_back(outage);
    return scenario;
}

// Adds the demo's simulation to a workspace whose scenario is empty, provisioning its devices.
bool ensureDemoScenario(const QString &path, QString *error)
{
    std::unique_ptr<sim::ScenarioStore> store = sim::ScenarioStore::open(path, false, error);
    std::optional<sim::Scenario> stored = store ? store->load(error) : std::nullopt;
    if (!stored)
        return false;
    if (!stored->fleets.empty())
        return true;
    std::unique_ptr<CatalogWorkspace> workspace = CatalogWorkspace::open(path, false, error);
    if (!workspace)
        return false;
    sim::Scenario scenario = demoScenario();
    sim::FleetProvisioner provisioner(workspace->catalog());
    for (sim::Fleet &fleet : scenario.fleets) {
        sim::FleetProvisioner::Report report;
        if (!provisioner.provision(fleet, &report, error))
            return false;
    }
    return workspace->save(error) && store->save(scenario, error);
}

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
    if (catalog.registryByName(RegistryName)) {
        workspace.reset();
        return ensureDemoScenario(path, error);
    }

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
    if (!workspace->save(error))
        return false;
    workspace.reset();
    return ensureDemoScenario(path, error);
}

} // namespace iotcore::app
