#pragma once

#include <QStringList>

namespace iotcore::app {

// `iotcore-studio sim fleet|scenario …`: the workspace's simulation, managed from scripts.
int runSim(const QStringList &arguments);

} // namespace iotcore::app
