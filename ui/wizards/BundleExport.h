#pragma once

// Saving a device's connection bundle from the console: asks for a folder, fills the bundle with
// the running broker's ports and the workspace CA, writes it and says what was written (or why
// not).

#include "pki/CertificateAuthority.h"

#include <QString>

#include <optional>
#include <string>

class QWidget;

namespace iotcore::app {
class EmbeddedBroker;
class Workspace;
}

namespace iotcore::ui {

// `certificate`: the device's just-issued certificate and key, written with the bundle.
void exportConnectionBundle(QWidget *parent, const app::Workspace &workspace,
                            const app::EmbeddedBroker *broker, const std::string &deviceId,
                            const std::optional<app::CertificateAndKey> &certificate = std::nullopt);

} // namespace iotcore::ui
