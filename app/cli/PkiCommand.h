#pragma once

#include <QStringList>

namespace iotcore::app {

// `iotcore-studio pki export-ca|issue …`: the workspace's certificate authority on the command
// line. export-ca writes the CA certificate devices trust (made on first use); issue writes a
// client key pair and certificate, signed by that CA or self-signed (IoT Core's usual form),
// and prints its SHA-1 fingerprint. `arguments` starts with the program name as the
// subcommand's own parser sees it.
int runPki(const QStringList &arguments);

} // namespace iotcore::app
