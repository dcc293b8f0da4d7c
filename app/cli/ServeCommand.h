#pragma once

#include <QStringList>

namespace iotcore::app {

// `iotcore-studio serve`: the embedded broker without a display. Prints `ready <name> <url>` on
// stdout for each listener once it accepts connections; stops cleanly on SIGINT and SIGTERM.
int runServe(const QStringList &arguments);

} // namespace iotcore::app
