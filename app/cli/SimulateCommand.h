#pragma once

#include <QStringList>

namespace iotcore::app {

// `iotcore-studio simulate -w FILE [--broker URL] [--fleet-slice K/N] [--duration S]`: the
// workspace's scenario, headless.
int runSimulate(const QStringList &arguments);

} // namespace iotcore::app
