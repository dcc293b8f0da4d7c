#include "ServeCommand.h"

#include "Cli.h"
#include "net/BrokerServer.h"
#include "observe/Log.h"
#include "store/SqliteBrokerStore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <memory>
#include <sys/signalfd.h>
#include <unistd.h>

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

struct ListenerOption {
    const char *option;
    const char *name;
    ListenerSpec::Protocol protocol;
    bool tls;
    const char *help;
};

const ListenerOption listenerOptions[] = {
    {"open-mqtt", "open-mqtt", ListenerSpec::Protocol::Mqtt, false,
     "Open-mode MQTT over TCP (anonymous, any topic, all of MQTT 3.1.1) on ADDR:PORT."},
    {"open-mqtts", "open-mqtts", ListenerSpec::Protocol::Mqtt, true,
     "Open-mode MQTT over TLS on ADDR:PORT (needs --tls-cert and --tls-key)."},
    {"open-ws", "open-ws", ListenerSpec::Protocol::WebSocket, false,
     "Open-mode MQTT over WebSocket (subprotocol \"mqtt\", any path) on ADDR:PORT."},
    {"open-wss", "open-wss", ListenerSpec::Protocol::WebSocket, true,
     "Open-mode MQTT over secure WebSocket on ADDR:PORT (needs --tls-cert and --tls-key)."},
    {"ws", "ws", ListenerSpec::Protocol::WebSocket, false,
     "MQTT over WebSocket on ADDR:PORT (open mode until the IoT Core model is enabled)."},
};

// SIGINT and SIGTERM arrive through a signalfd watched by the Qt event loop, so the broker is
// stopped from ordinary code, not from a signal handler. They are blocked before any thread
// starts, so every thread inherits the mask.
int blockStopSignals()
{
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    return signalfd(-1, &stopSignals, SFD_NONBLOCK | SFD_CLOEXEC);
}

bool parseCount(const QCommandLineParser &parser, const QString &option, std::size_t *value)
{
    if (!parser.isSet(option))
        return true;
    bool ok = false;
    const qulonglong parsed = parser.value(option).toULongLong(&ok);
    if (!ok || parsed == 0) {
        printError(QStringLiteral("--%1 needs a positive whole number, not \"%2\"")
                       .arg(option, parser.value(option)));
        return false;
    }
    *value = std::size_t(parsed);
    return true;
}

} // namespace

int runServe(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Runs the embedded MQTT broker without a display.\n"
                       "Each listener prints \"ready <name> <url>\" on stdout when it accepts "
                       "connections. SIGINT or SIGTERM stop it cleanly."));
    parser.addHelpOption();
    parser.addOption({{QStringLiteral("w"), QStringLiteral("workspace")},
                      QStringLiteral("Workspace file (SQLite). Retained messages and persistent "
                                     "sessions are kept there across restarts; without it they "
                                     "live in memory."),
                      QStringLiteral("FILE")});
    for (const ListenerOption &option : listenerOptions) {
        parser.addOption({QString::fromLatin1(option.option), QString::fromLatin1(option.help),
                          QStringLiteral("ADDR:PORT")});
    }
    parser.addOption({QStringLiteral("tls-cert"),
                      QStringLiteral("Server certificate (PEM, chain allowed) for TLS listeners."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("tls-key"),
                      QStringLiteral("Private key (PEM) of --tls-cert."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("log-level"),
                      QStringLiteral("debug, info (default), warning or error."),
                      QStringLiteral("LEVEL"), QStringLiteral("info")});
    parser.addOption({QStringLiteral("max-inflight"),
                      QStringLiteral("Unacknowledged QoS 1/2 messages per client (default 1000)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("max-queued"),
                      QStringLiteral("Queued QoS 1/2 messages per client before new ones are "
                                     "dropped (default 100000)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("max-packet-size"),
                      QStringLiteral("Largest packet a client may send, in bytes (default "
                                     "67108864)."),
                      QStringLiteral("BYTES")});
    parser.process(arguments);

    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("serve takes no arguments, got \"%1\" (see serve --help)")
                       .arg(parser.positionalArguments().join(u' ')));
        return ExitUsage;
    }

    LogLevel level;
    if (!parseLogLevel(parser.value(QStringLiteral("log-level")).toStdString(), &level)) {
        printError(QStringLiteral("unknown log level \"%1\": use debug, info, warning or error")
                       .arg(parser.value(QStringLiteral("log-level"))));
        return ExitUsage;
    }
    Log log(level);

    BrokerConfig config;
    if (!parseCount(parser, QStringLiteral("max-inflight"), &config.maxInflightMessages)
        || !parseCount(parser, QStringLiteral("max-queued"), &config.maxQueuedMessages)
        || !parseCount(parser, QStringLiteral("max-packet-size"), &config.maxPacketSize))
        return ExitUsage;

    std::vector<ListenerSpec> specs;
    for (const ListenerOption &option : listenerOptions) {
        for (const QString &value : parser.values(QString::fromLatin1(option.option))) {
            HostPort address;
            QString error;
            if (!parseHostPort(value, &address, &error)) {
                printError(QStringLiteral("--%1: %2").arg(QString::fromLatin1(option.option), error));
                return ExitUsage;
            }
            ListenerSpec spec;
            spec.name = option.name;
            spec.host = address.host;
            spec.port = address.port;
            spec.protocol = option.protocol;
            spec.tls = option.tls;
            spec.mode = ListenerInfo::Mode::Open;
            if (spec.tls) {
                if (!parser.isSet(QStringLiteral("tls-cert")) || !parser.isSet(QStringLiteral("tls-key"))) {
                    printError(QStringLiteral("--%1 needs --tls-cert FILE and --tls-key FILE")
                                   .arg(QString::fromLatin1(option.option)));
                    return ExitUsage;
                }
                spec.certificateFile = parser.value(QStringLiteral("tls-cert")).toStdString();
                spec.privateKeyFile = parser.value(QStringLiteral("tls-key")).toStdString();
            }
            specs.push_back(spec);
        }
    }
    if (specs.empty()) {
        ListenerSpec spec;
        spec.name = "open-mqtt";
        spec.port = 1883;
        specs.push_back(spec);
    }

    const int signalFd = blockStopSignals();

    StoredBrokerState state;
    std::unique_ptr<SqliteBrokerStore> store;
    if (parser.isSet(QStringLiteral("workspace"))) {
        std::string error;
        store = SqliteBrokerStore::open(parser.value(QStringLiteral("workspace")).toStdString(),
                                        &error);
        if (!store) {
            printError(QString::fromStdString(error));
            return ExitFailure;
        }
        state = store->load(&error);
        if (!error.empty()) {
            printError(QString::fromStdString(error));
            return ExitFailure;
        }
    }
    BrokerServer server(config, log, store.get());
    server.restore(state);
    state = {};
    for (const ListenerSpec &spec : specs) {
        std::string error;
        if (!server.addListener(spec, &error)) {
            printError(QString::fromStdString(error));
            return ExitFailure;
        }
    }
    if (!server.start()) {
        printError(QStringLiteral("cannot start the broker's event loop"));
        return ExitFailure;
    }
    for (const BoundListener &bound : server.listeners()) {
        std::printf("ready %s %s\n", bound.spec.name.c_str(), bound.url().c_str());
        log.write(LogLevel::Info, "listen", {{"listener", bound.spec.name}, {"url", bound.url()}});
    }
    std::fflush(stdout);

    int exitCode = ExitOk;
    QSocketNotifier stopNotifier(signalFd, QSocketNotifier::Read);
    QObject::connect(&stopNotifier, &QSocketNotifier::activated, [&] {
        signalfd_siginfo info{};
        [[maybe_unused]] const ssize_t got = ::read(signalFd, &info, sizeof info);
        stopNotifier.setEnabled(false);
        log.write(LogLevel::Info, "stop", {{"signal", info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM"}});
        if (!server.stop())
            exitCode = ExitFailure;
        QCoreApplication::exit(exitCode);
    });
    QCoreApplication::exec();
    ::close(signalFd);
    return exitCode;
}

} // namespace iotcore::app
