#pragma once

// The workspace `iotcore-studio --demo` opens: a registry "demo" with a few devices, so that a
// newcomer has something to click through and connect to at once. The passwords are fixed and
// printed in the README on purpose: the demo exists to be tried from a shell
// (`mosquitto_pub -u <device id> -P Demo-Device-2026 …`); the broker listens on loopback only.

#include <QString>
#include <QStringList>

namespace iotcore::app {

struct DemoWorkspace {
    static constexpr const char *RegistryName = "demo";
    static constexpr const char *RegistryPassword = "Demo-Registry-2026";
    static constexpr const char *DevicePassword = "Demo-Device-2026";

    // The devices of the demo registry, by name; each logs in with DevicePassword. A simulated
    // fleet started on the demo drives these devices.
    static QStringList deviceNames();

    // demo.sqlite in the user's data directory (created when missing).
    static QString defaultPath();

    // Adds the demo registry and its devices to the workspace at `path` unless it already has a
    // registry named "demo" (then it is left as it is, with whatever the user changed), and the
    // demo's simulation (each demo device and a block of flats with thermostats, provisioned in
    // the demo registry) when the workspace has no fleets yet. One line in `error`.
    static bool ensure(const QString &path, QString *error);
};

} // namespace iotcore::app
