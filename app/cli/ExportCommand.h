#pragma once

#include <QStringList>

namespace iotcore::app {

// `iotcore-studio export mosquitto -w WS DIR`: the workspace's catalog as a configuration for
// Debian's mosquitto 2 (DESIGN.md, "Scale beyond one machine"): mosquitto.conf, a password file
// with the stored `$7$` hashes as they are, an ACL granting what IOT_CORE.md grants, the
// workspace CA with a server certificate, a README of what cannot carry over, and a marker file
// so that a later export may overwrite DIR and nothing else is ever overwritten.
// `arguments` starts with the program name as the subcommand's parser sees it.
int runExport(const QStringList &arguments);

} // namespace iotcore::app
