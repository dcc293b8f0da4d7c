#pragma once

// The embedded broker as the console runs it on a workspace, assembled by EmbeddedBroker like
// `serve` does: the IoT Core listener on 127.0.0.1:1883, IoT Core over TLS on 127.0.0.1:8883
// (server certificate from the workspace CA) and an open listener on 127.0.0.1:1884 for generic
// MQTT tools. A port in use does not stop the console: that listener takes a port the system
// picks, and `notes` says so for the status bar. Simulated devices connect in process
// (sim::EmbeddedTarget's listeners).

#include "workspace/EmbeddedBroker.h"

#include <QStringList>

#include <memory>

namespace iotcore::broker {
class Log;
}

namespace iotcore::ui {

struct ConsoleBroker {
    // The in-process listener on which the console acts as any registry, device or broker of
    // the catalog without its password (BrokerServer::addInProcessAssertedListener): only code
    // in this process reaches it, and the topic policy applies as to a real login.
    static constexpr const char *AssertedListener = "console-asserted";


    std::unique_ptr<app::EmbeddedBroker> broker;
    QStringList notes; // "port 1883 is in use: the IoT Core listener took 43211"

    // Null broker with one line in `error` when the workspace cannot be served at all.
    static ConsoleBroker start(const QString &workspacePath, broker::Log &log, QString *error);
};

} // namespace iotcore::ui
