#include "ConsoleBroker.h"

#include "observe/Log.h"
#include "sim/EmbeddedTarget.h"

#include <QCoreApplication>

#include <string>

namespace iotcore::ui {

using namespace iotcore::broker;

namespace {

struct Preferred {
    const char *name;
    std::uint16_t port;
    bool tls;
    ListenerInfo::Mode mode;
    const char *what;
};

const Preferred preferredListeners[] = {
    {"mqtt", 1883, false, ListenerInfo::Mode::IotCore, QT_TRANSLATE_NOOP("ConsoleBroker", "IoT Core listener")},
    {"mqtts", 8883, true, ListenerInfo::Mode::IotCore, QT_TRANSLATE_NOOP("ConsoleBroker", "IoT Core TLS listener")},
    {"open-mqtt", 1884, false, ListenerInfo::Mode::Open, QT_TRANSLATE_NOOP("ConsoleBroker", "open listener")},
};

} // namespace

ConsoleBroker ConsoleBroker::start(const QString &workspacePath, Log &log, QString *error)
{
    app::EmbeddedBroker::Options options;
    options.workspacePath = workspacePath;
    options.iotCore = true;
    ConsoleBroker result;
    auto broker = std::make_unique<app::EmbeddedBroker>(options, log);
    if (!broker->open(error))
        return result;
    for (const Preferred &preferred : preferredListeners) {
        ListenerSpec spec;
        spec.name = preferred.name;
        spec.port = preferred.port;
        spec.tls = preferred.tls;
        spec.mode = preferred.mode;
        QString busy;
        if (broker->addListeners({spec}, &busy))
            continue;
        spec.port = 0;
        QString failed;
        if (!broker->addListeners({spec}, &failed)) {
            *error = failed;
            return result;
        }
        const std::uint16_t taken = broker->listeners().back().port;
        log.write(LogLevel::Warning, "listen",
                  {{"listener", spec.name}, {"error", busy.toStdString()},
                   {"action", "took port " + std::to_string(taken)}});
        result.notes.append(QCoreApplication::translate("ConsoleBroker", "port %1 is in use: the %2 took %3")
                                .arg(preferred.port)
                                .arg(QCoreApplication::translate("ConsoleBroker", preferred.what))
                                .arg(taken));
    }
    // The simulator's devices (and the console itself) reach the broker without sockets.
    std::string reason;
    if (!sim::EmbeddedTarget::addListeners(broker->server(), &reason)
        || !broker->server().addInProcessAssertedListener(AssertedListener, &reason)) {
        *error = QString::fromStdString(reason);
        return result;
    }
    if (!broker->start(error))
        return result;
    result.broker = std::move(broker);
    return result;
}

} // namespace iotcore::ui
