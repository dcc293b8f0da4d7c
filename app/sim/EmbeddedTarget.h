#pragma once

// Running a workspace's scenario against the embedded broker of this process, the same way in
// `simulate`, `serve --simulate` and the console: two in-process listeners on the BrokerServer
// (IoT Core mode for fleets with device or broker identities, open mode for anonymous fleets)
// and the scenario loaded from the workspace file.

#include "BrokerTarget.h"
#include "Simulation.h"

#include <QString>

#include <memory>
#include <string>

namespace iotcore::broker {
class BrokerServer;
class Catalog;
}

namespace iotcore::sim {

struct EmbeddedTarget {
    static constexpr const char *IotCoreListener = "simulator";
    static constexpr const char *OpenListener = "simulator-open";

    // Before the server starts; the server must have its authenticator. One line in `error`.
    static bool addListeners(broker::BrokerServer &server, std::string *error);
    // After addListeners(): where the simulated devices connect.
    static BrokerTarget target(broker::BrokerServer &server, const QString &description);
};

// The scenario stored in the workspace at `path`, ready to run: null with one line in `error`
// when it cannot be read, has no fleets, or a fleet cannot run. Replay files named relative to
// the workspace are found next to it.
std::unique_ptr<Simulation> workspaceSimulation(const QString &path, const broker::Catalog &catalog,
                                                BrokerTarget target, SimulationOptions options, QString *error);

} // namespace iotcore::sim
