#include "FleetProvisioner.h"

#include "iot/PasswordHasher.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace iotcore::sim {

using namespace iotcore::broker;

namespace {

// Runs job(i) for i in [0, count) on every core: PBKDF2 is the whole cost of provisioning.
void forEachInParallel(std::size_t count, const std::function<void(std::size_t)> &job)
{
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < count; i = next++)
            job(i);
    };
    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 16u);
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads && t < count; ++t)
        pool.emplace_back(worker);
    worker();
    for (std::thread &thread : pool)
        thread.join();
}

bool hasPassword(const std::vector<PasswordRecord> &records, const std::string &password)
{
    return std::any_of(records.begin(), records.end(), [&](const PasswordRecord &record) {
        return PasswordHasher::verify(password, record.hash) == PasswordHasher::Verdict::Match;
    });
}

// What one device of the fleet needs: found in the catalog or not, and the work to do for it.
struct DevicePlan {
    std::string name;
    std::string password;
    const Device *existing = nullptr;
    bool hasPassword = false; // existing and already logs in with `password`
    std::string hash;         // to store, when it does not
};

} // namespace

bool FleetProvisioner::provision(Fleet &fleet, Report *report, QString *error)
{
    switch (fleet.identity.kind) {
    case Identity::Kind::Anonymous:
        return true;
    case Identity::Kind::Device:
        return provisionDevices(fleet, report, error);
    case Identity::Kind::Broker:
        return provisionBroker(fleet, report, error);
    }
    return true;
}

bool FleetProvisioner::provisionDevices(Fleet &fleet, Report *report, QString *error)
{
    if (fleet.identity.secret.isEmpty())
        fleet.identity.secret = newFleetSecret();
    const std::string registryName = fleet.identity.registry.toStdString();
    const Registry *registry = m_catalog.registryByName(registryName);
    if (!registry) {
        Registry draft;
        draft.name = registryName;
        draft.description = "Simulated fleets";
        CatalogResult<Registry> created = m_catalog.createRegistry(std::move(draft));
        if (!created) {
            *error = QStringLiteral("fleet \"%1\": %2").arg(fleet.name, QString::fromStdString(created.error));
            return false;
        }
        report->notes << QStringLiteral("created registry \"%1\" (%2)")
                             .arg(fleet.identity.registry, QString::fromStdString(created->id));
        registry = m_catalog.registryByName(registryName);
    }
    const std::string registryId = registry->id;

    std::vector<DevicePlan> plans(std::size_t(fleet.count));
    for (int i = 0; i < fleet.count; ++i) {
        DevicePlan &plan = plans[std::size_t(i)];
        const QString name = fleet.deviceNameAt(i);
        plan.name = name.toStdString();
        plan.password = devicePassword(fleet.identity.secret, name).toStdString();
        plan.existing = m_catalog.deviceByName(registryId, plan.name);
    }
    const PasswordHasher hasher(PasswordIterations);
    forEachInParallel(plans.size(), [&](std::size_t i) {
        DevicePlan &plan = plans[i];
        plan.hasPassword = plan.existing && hasPassword(plan.existing->passwords, plan.password);
        if (!plan.hasPassword)
            plan.hash = hasher.hash(plan.password);
    });

    for (DevicePlan &plan : plans) {
        if (plan.hasPassword) {
            ++report->unchanged;
            continue;
        }
        if (plan.hash.empty()) {
            *error = QStringLiteral("cannot hash passwords: no random bytes from OpenSSL");
            return false;
        }
        std::string problem;
        if (plan.existing) {
            CatalogResult<PasswordRecord> added = m_catalog.addPassword(plan.existing->id, std::move(plan.hash));
            problem = added.error;
            ++report->credentialed;
        } else {
            Device draft;
            draft.registryId = registryId;
            draft.name = plan.name;
            draft.description = "Simulated device of fleet " + fleet.name.toStdString();
            draft.passwords.push_back(PasswordRecord{{}, std::move(plan.hash), {}});
            CatalogResult<Device> created = m_catalog.createDevice(std::move(draft));
            problem = created.error;
            ++report->created;
        }
        if (!problem.empty()) {
            *error = QStringLiteral("fleet \"%1\", device \"%2\": %3")
                         .arg(fleet.name, QString::fromStdString(plan.name), QString::fromStdString(problem));
            return false;
        }
    }
    return true;
}

bool FleetProvisioner::provisionBroker(Fleet &fleet, Report *report, QString *error)
{
    if (fleet.identity.secret.isEmpty())
        fleet.identity.secret = newFleetSecret();
    const std::string brokerName = fleet.identity.broker.toStdString();
    // Every client of a broker logs in as the broker: one password for the whole fleet.
    const std::string password = devicePassword(fleet.identity.secret, fleet.identity.broker).toStdString();
    const IotBroker *broker = m_catalog.brokerByName(brokerName);
    if (broker && hasPassword(broker->passwords, password)) {
        ++report->unchanged;
        return true;
    }
    std::string hash = PasswordHasher(PasswordIterations).hash(password);
    if (hash.empty()) {
        *error = QStringLiteral("cannot hash passwords: no random bytes from OpenSSL");
        return false;
    }
    std::string problem;
    if (broker) {
        problem = m_catalog.addPassword(broker->id, std::move(hash)).error;
        ++report->credentialed;
    } else {
        IotBroker draft;
        draft.name = brokerName;
        draft.description = "Simulated fleets";
        draft.passwords.push_back(PasswordRecord{{}, std::move(hash), {}});
        CatalogResult<IotBroker> created = m_catalog.createBroker(std::move(draft));
        problem = created.error;
        if (created) {
            report->notes << QStringLiteral("created broker \"%1\" (%2)")
                                 .arg(fleet.identity.broker, QString::fromStdString(created->id));
        }
        ++report->created;
    }
    if (!problem.empty()) {
        *error = QStringLiteral("fleet \"%1\": %2").arg(fleet.name, QString::fromStdString(problem));
        return false;
    }
    return true;
}

int FleetProvisioner::deprovision(const Fleet &fleet)
{
    if (fleet.identity.kind != Identity::Kind::Device)
        return 0;
    const Registry *registry = m_catalog.registryByName(fleet.identity.registry.toStdString());
    if (!registry)
        return 0;
    const std::string registryId = registry->id;
    int removed = 0;
    for (int i = 0; i < fleet.count; ++i) {
        const Device *device = m_catalog.deviceByName(registryId, fleet.deviceNameAt(i).toStdString());
        if (device && m_catalog.deleteDevice(std::string(device->id)).ok())
            ++removed;
    }
    return removed;
}

} // namespace iotcore::sim
