#pragma once

#include <QStringList>

namespace iotcore::app {

// `iotcore-studio iot registry|device|broker …`: the catalog of a workspace, managed verb for
// verb like `yc iot registry|device|broker …` so that IoT Core users' scripts carry over.
// `arguments` starts with the program name as the subcommand's own parser sees it.
int runIot(const QStringList &arguments);

} // namespace iotcore::app
