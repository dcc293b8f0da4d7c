#pragma once

#include <QStringList>

namespace iotcore::app {

// `iotcore-studio import yc -w WS FILE… [--passwords FILE]`: registries, devices, certificates
// and topic aliases as `yc iot registry|device … list|get`, `… certificate list` and
// `yc iot registry list-device-topic-aliases` printed them (--format json, json-rest or yaml,
// or this program's own --format json), into a workspace (IOT_CORE.md, "Migration paths").
// Files are told apart by their fields; all or nothing; an id already in the workspace is
// updated in place; imported registries and devices without a password get one, printed once
// as "<id> <password>" lines on stdout. `arguments` starts with the program name as the
// subcommand's parser sees it ("iotcore-studio import").
int runImport(const QStringList &arguments);

} // namespace iotcore::app
