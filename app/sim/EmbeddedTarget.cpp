#include "EmbeddedTarget.h"

#include "ScenarioStore.h"

#include "client/InProcessClientTransport.h"
#include "net/BrokerServer.h"

#include <QFileInfo>

namespace iotcore::sim {

bool EmbeddedTarget::addListeners(broker::BrokerServer &server, std::string *error)
{
    return server.addInProcessListener(IotCoreListener, broker::ListenerInfo::Mode::IotCore, error)
        && server.addInProcessListener(OpenListener, broker::ListenerInfo::Mode::Open, error);
}

BrokerTarget EmbeddedTarget::target(broker::BrokerServer &server, const QString &description)
{
    return BrokerTarget::inProcess(app::inProcessTransportFactory(server, QLatin1String(IotCoreListener)),
                                   app::inProcessTransportFactory(server, QLatin1String(OpenListener)),
                                   description);
}

std::unique_ptr<Simulation> workspaceSimulation(const QString &path, const broker::Catalog &catalog,
                                                BrokerTarget target, SimulationOptions options, QString *error)
{
    std::unique_ptr<ScenarioStore> store = ScenarioStore::open(path, false, error);
    std::optional<Scenario> scenario = store ? store->load(error) : std::nullopt;
    if (!scenario)
        return nullptr;
    if (scenario->fleets.empty()) {
        *error = QStringLiteral("workspace \"%1\" has no fleets to simulate (sim fleet create adds one)").arg(path);
        return nullptr;
    }
    if (options.sensorOptions.baseDirectory.isEmpty())
        options.sensorOptions.baseDirectory = QFileInfo(path).absolutePath();
    return Simulation::create(*scenario, catalog, std::move(target), std::move(options), error);
}

} // namespace iotcore::sim
