#pragma once

// A device's connection bundle: what a firmware developer needs to connect that device to this
// workspace's broker, in one folder: the CA to trust, the device's certificate and key (when the
// console just issued them: the workspace keeps only public parts), host and ports, and
// ready-to-run mosquitto_pub/mosquitto_sub commands and a paho-mqtt script.

#include "pki/CertificateAuthority.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <string>

namespace iotcore::app {

struct ConnectionBundle {
    std::string deviceId;
    std::string deviceName;
    std::string registryId;
    std::string host = "127.0.0.1";
    std::uint16_t mqttPort = 0;  // IoT Core listener over TCP (password login); 0: none
    std::uint16_t mqttsPort = 0; // IoT Core listener over TLS (password or certificate); 0: none
    std::string caPem;           // the workspace CA, for mqtts
    std::optional<CertificateAndKey> certificate; // issued with the bundle, written as device.pem/.key

    // Writes the files into `directory` (created if missing) and returns their names; nothing,
    // with one line in `error`, when a file cannot be written.
    std::optional<QStringList> write(const QString &directory, QString *error) const;

    // The files' contents, for a preview and for tests.
    std::string readme() const;
    std::string subscribeScript() const;
    std::string publishScript() const;
    std::string pahoScript() const;
};

} // namespace iotcore::app
