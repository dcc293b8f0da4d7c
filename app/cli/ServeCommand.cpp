#include "ServeCommand.h"

#include "Cli.h"
#include "http/IotDataApi.h"
#include "observe/Log.h"
#include "sim/EmbeddedTarget.h"
#include "workspace/CatalogWorkspace.h"
#include "workspace/EmbeddedBroker.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
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
    ListenerInfo::Mode mode;
    const char *help;
};

constexpr auto Open = ListenerInfo::Mode::Open;
constexpr auto IotCore = ListenerInfo::Mode::IotCore;

const ListenerOption listenerOptions[] = {
    {"mqtt", "mqtt", ListenerSpec::Protocol::Mqtt, false, IotCore,
     "IoT Core MQTT over TCP on ADDR:PORT: devices, registries and brokers of the workspace "
     "log in with a password (default 127.0.0.1:1883 when a workspace is given)."},
    {"mqtts", "mqtts", ListenerSpec::Protocol::Mqtt, true, IotCore,
     "IoT Core MQTT over TLS on ADDR:PORT: password or client certificate (server certificate: "
     "--tls-cert and --tls-key, or one the workspace CA issues)."},
    {"ws", "ws", ListenerSpec::Protocol::WebSocket, false, IotCore,
     "IoT Core MQTT over WebSocket on ADDR:PORT (an extension: the service had none)."},
    {"open-mqtt", "open-mqtt", ListenerSpec::Protocol::Mqtt, false, Open,
     "Open-mode MQTT over TCP (anonymous, any topic, all of MQTT 3.1.1) on ADDR:PORT."},
    {"open-mqtts", "open-mqtts", ListenerSpec::Protocol::Mqtt, true, Open,
     "Open-mode MQTT over TLS on ADDR:PORT (--tls-cert and --tls-key, or -w: the workspace CA "
     "issues the server certificate)."},
    {"open-ws", "open-ws", ListenerSpec::Protocol::WebSocket, false, Open,
     "Open-mode MQTT over WebSocket (subprotocol \"mqtt\", any path) on ADDR:PORT."},
    {"open-wss", "open-wss", ListenerSpec::Protocol::WebSocket, true, Open,
     "Open-mode MQTT over secure WebSocket on ADDR:PORT (--tls-cert and --tls-key, or -w: the "
     "workspace CA issues the server certificate)."},
};

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
    parser.addOption({QStringLiteral("message-rate-limit"), messageRateLimitHelp(),
                      QStringLiteral("MODE"), QStringLiteral("warn")});
    parser.addOption({QStringLiteral("simulate"),
                      QStringLiteral("Also run the workspace's scenario (its fleets of simulated "
                                     "devices, see sim --help) in this process, against this "
                                     "broker. Needs -w.")});
    parser.addOption({QStringLiteral("strict-takeover"),
                      QStringLiteral("IoT Core listeners: a second connection with a client id in "
                                     "use takes the first over, as MQTT 3.1.1 says. By default "
                                     "both stay connected, as in Yandex IoT Core.")});
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
    parser.addOption({QStringLiteral("http"),
                      QStringLiteral("The IoT Core data API on ADDR:PORT (plain HTTP): POST "
                                     "/iot-devices/v1/devices/ID/publish and "
                                     "/iot-devices/v1/registries/ID/publish with HTTP Basic "
                                     "credentials of that device or registry (needs -w)."),
                      QStringLiteral("ADDR:PORT")});
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
    config.iotClientIdTakeover = parser.isSet(QStringLiteral("strict-takeover"));
    if (!parseCount(parser, QStringLiteral("max-inflight"), &config.maxInflightMessages)
        || !parseCount(parser, QStringLiteral("max-queued"), &config.maxQueuedMessages)
        || !parseCount(parser, QStringLiteral("max-packet-size"), &config.maxPacketSize))
        return ExitUsage;
    IotAuthenticator::RateLimit rateLimit;
    if (QString error; !parseMessageRateLimit(parser.value(QStringLiteral("message-rate-limit")), &rateLimit, &error)) {
        printError(error);
        return ExitUsage;
    }

    const bool haveWorkspace = parser.isSet(QStringLiteral("workspace"));
    const bool haveCertificate = parser.isSet(QStringLiteral("tls-cert"));
    if (haveCertificate != parser.isSet(QStringLiteral("tls-key"))) {
        printError(QStringLiteral("--tls-cert FILE and --tls-key FILE go together"));
        return ExitUsage;
    }
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
            spec.mode = option.mode;
            if (spec.tls && !haveCertificate && !haveWorkspace) {
                printError(QStringLiteral("--%1 needs a server certificate: --tls-cert FILE and "
                                          "--tls-key FILE, or -w FILE (the workspace CA issues "
                                          "one)")
                               .arg(QString::fromLatin1(option.option)));
                return ExitUsage;
            }
            if (spec.tls && haveCertificate) {
                spec.certificateFile = parser.value(QStringLiteral("tls-cert")).toStdString();
                spec.privateKeyFile = parser.value(QStringLiteral("tls-key")).toStdString();
            }
            specs.push_back(spec);
        }
    }
    if (specs.empty()) {
        ListenerSpec spec;
        spec.name = haveWorkspace ? "mqtt" : "open-mqtt";
        spec.mode = haveWorkspace ? IotCore : Open;
        spec.port = 1883;
        specs.push_back(spec);
    }
    std::optional<QHostAddress> httpAddress;
    HostPort httpHostPort;
    if (parser.isSet(QStringLiteral("http"))) {
        QString error;
        if (!parseHostPort(parser.value(QStringLiteral("http")), &httpHostPort, &error)) {
            printError(QStringLiteral("--http: %1").arg(error));
            return ExitUsage;
        }
        const QString host = QString::fromStdString(httpHostPort.host);
        httpAddress = host == QStringLiteral("localhost") ? QHostAddress(QHostAddress::LocalHost)
                                                          : QHostAddress(host);
        if (httpAddress->isNull()) {
            printError(QStringLiteral("--http: \"%1\" is not an IP address").arg(host));
            return ExitUsage;
        }
    }
    bool needCatalog = httpAddress.has_value();
    for (const ListenerSpec &spec : specs)
        needCatalog = needCatalog || spec.mode == IotCore;
    const bool simulate = parser.isSet(QStringLiteral("simulate"));
    if (simulate && !haveWorkspace) {
        printError(QStringLiteral("--simulate runs the workspace's scenario: add -w FILE"));
        return ExitUsage;
    }
    needCatalog = needCatalog || simulate;
    if (needCatalog && !haveWorkspace) {
        printError(QStringLiteral("IoT Core listeners (--mqtt, --mqtts, --ws, --http) need a "
                                  "workspace with registries and devices: add -w FILE"));
        return ExitUsage;
    }
    const int signalFd = blockStopSignals();

    EmbeddedBroker::Options options;
    options.workspacePath = parser.value(QStringLiteral("workspace"));
    options.iotCore = needCatalog;
    options.config = config;
    options.rateLimit = rateLimit;
    EmbeddedBroker broker(options, log);
    QString error;
    if (!broker.open(&error) || !broker.addListeners(specs, &error)) {
        printError(error);
        return ExitFailure;
    }
    // The data API answers from the Qt event loop; the broker thread does the publishing.
    std::unique_ptr<IotDataApi> dataApi;
    if (httpAddress) {
        dataApi = std::make_unique<IotDataApi>(broker.server(), broker.authenticator());
        if (!dataApi->listen(*httpAddress, httpHostPort.port, &error)) {
            printError(QStringLiteral("--http: cannot listen on %1:%2: %3")
                           .arg(httpAddress->toString())
                           .arg(httpHostPort.port)
                           .arg(error));
            return ExitFailure;
        }
    }
    // The scenario is checked before the broker starts: a fleet that cannot run stops serve
    // before it says ready.
    std::unique_ptr<sim::Simulation> simulation;
    if (simulate) {
        std::string reason;
        std::unique_ptr<CatalogWorkspace> workspace;
        if (!sim::EmbeddedTarget::addListeners(broker.server(), &reason))
            error = QString::fromStdString(reason);
        else
            workspace = CatalogWorkspace::open(options.workspacePath, false, &error);
        if (workspace) {
            simulation = sim::workspaceSimulation(
                options.workspacePath, workspace->catalog(),
                sim::EmbeddedTarget::target(broker.server(), QStringLiteral("this broker")), {}, &error);
        }
        if (!simulation) {
            printError(error);
            return ExitFailure;
        }
    }
    if (!broker.start(&error)) {
        printError(error);
        return ExitFailure;
    }
    for (const BoundListener &bound : broker.listeners()) {
        std::printf("ready %s %s\n", bound.spec.name.c_str(), bound.url().c_str());
        log.write(LogLevel::Info, "listen", {{"listener", bound.spec.name}, {"url", bound.url()}});
    }
    if (dataApi) {
        const std::string url = dataApi->url().toStdString();
        std::printf("ready http %s\n", url.c_str());
        log.write(LogLevel::Info, "listen", {{"listener", "http"}, {"url", url}});
    }
    std::fflush(stdout);
    if (simulation) {
        simulation->start();
        log.write(LogLevel::Info, "simulate",
                  {{"devices", std::to_string(simulation->deviceCount())},
                   {"fleets", std::to_string(simulation->scenario().fleets.size())}});
    }

    int exitCode = ExitOk;
    QSocketNotifier stopNotifier(signalFd, QSocketNotifier::Read);
    QObject::connect(&stopNotifier, &QSocketNotifier::activated, [&] {
        signalfd_siginfo info{};
        [[maybe_unused]] const ssize_t got = ::read(signalFd, &info, sizeof info);
        stopNotifier.setEnabled(false);
        log.write(LogLevel::Info, "stop", {{"signal", info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM"}});
        if (dataApi)
            dataApi->close();
        if (simulation)
            simulation->stop();
        if (!broker.stop())
            exitCode = ExitFailure;
        QCoreApplication::exit(exitCode);
    });
    QCoreApplication::exec();
    ::close(signalFd);
    return exitCode;
}

} // namespace iotcore::app
