#include "ServeCommand.h"

#include "Cli.h"
#include "core/Broker.h"
#include "http/IotDataApi.h"
#include "pki/WorkspaceAuthority.h"
#include "net/BrokerServer.h"
#include "observe/Log.h"
#include "iot/IotAuthenticator.h"
#include "store/CatalogStore.h"
#include "store/SqliteBrokerStore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QTimer>

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

// A kept message of a device or registry that is no longer in the catalog: it goes with its
// owner (IOT_CORE.md, "Permanent topics").
bool ownerDeleted(const Catalog &catalog, std::string_view topic)
{
    for (const std::string_view prefix : {std::string_view("$devices/"), std::string_view("$registries/")}) {
        if (!topic.starts_with(prefix))
            continue;
        std::string_view id = topic.substr(prefix.size());
        id = id.substr(0, id.find('/'));
        return prefix == "$devices/" ? !catalog.device(id) : !catalog.registry(id);
    }
    return false;
}

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

// TLS listeners given no --tls-cert get one server certificate from the workspace CA, for all
// their hosts; it is kept in the workspace and reused (WorkspaceAuthority).
bool useWorkspaceCertificate(const QString &workspace, std::vector<ListenerSpec> *specs)
{
    std::vector<std::string> hosts;
    for (const ListenerSpec &spec : *specs) {
        if (spec.tls && spec.certificateFile.empty())
            hosts.push_back(spec.host);
    }
    if (hosts.empty())
        return true;
    std::string error;
    std::optional<CertificateAndKey> certificate;
    if (auto authority = WorkspaceAuthority::open(workspace, &error)) {
        certificate = authority->serverCertificate(WorkspaceAuthority::serverHostNames(hosts),
                                                   &error);
    }
    if (!certificate) {
        printError(QString::fromStdString(error));
        return false;
    }
    for (ListenerSpec &spec : *specs) {
        if (spec.tls && spec.certificateFile.empty()) {
            spec.certificatePem = certificate->certificatePem;
            spec.privateKeyPem = certificate->privateKeyPem;
        }
    }
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
    parser.addOption({QStringLiteral("message-rate-limit"),
                      QStringLiteral("IoT Core listeners: past 1 message/s per device or 50 per "
                                     "broker, warn (default: counted and logged), drop (logged, "
                                     "acknowledged, not routed) or off."),
                      QStringLiteral("MODE"), QStringLiteral("warn")});
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
    const QString rateMode = parser.value(QStringLiteral("message-rate-limit"));
    const IotAuthenticator::RateLimit rateLimit = rateMode == QLatin1String("off")
        ? IotAuthenticator::RateLimit::Off
        : rateMode == QLatin1String("drop") ? IotAuthenticator::RateLimit::Drop
                                            : IotAuthenticator::RateLimit::Warn;
    if (rateMode != QLatin1String("off") && rateMode != QLatin1String("warn")
        && rateMode != QLatin1String("drop")) {
        printError(QStringLiteral("--message-rate-limit takes off, warn or drop, not \"%1\"")
                       .arg(rateMode));
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
    if (needCatalog && !haveWorkspace) {
        printError(QStringLiteral("IoT Core listeners (--mqtt, --mqtts, --ws, --http) need a "
                                  "workspace with registries and devices: add -w FILE"));
        return ExitUsage;
    }
    if (!useWorkspaceCertificate(parser.value(QStringLiteral("workspace")), &specs))
        return ExitFailure;

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
    std::unique_ptr<CatalogStore> catalogStore;
    std::shared_ptr<const Catalog> catalog;
    if (needCatalog) {
        std::string error;
        catalogStore = CatalogStore::open(parser.value(QStringLiteral("workspace")).toStdString(),
                                          true, &error);
        std::optional<Catalog> loaded = catalogStore ? catalogStore->load(&error) : std::nullopt;
        if (!loaded) {
            printError(QString::fromStdString(error));
            return ExitFailure;
        }
        catalog = std::make_shared<const Catalog>(std::move(*loaded));
    }

    BrokerServer server(config, log, store.get());
    std::shared_ptr<IotAuthenticator> authenticator;
    if (catalog) {
        authenticator = std::make_shared<IotAuthenticator>(
            [&server](std::function<void()> task) {
                server.post([task = std::move(task)](Broker &) { task(); });
            },
            catalog);
        authenticator->setRateLimit(rateLimit);
        server.setAuthenticator(authenticator);
    }
    if (catalog && store) {
        // Devices and registries deleted while serve was not running.
        std::erase_if(state.permanent, [&](const MessagePtr &message) {
            if (!ownerDeleted(*catalog, message->topic))
                return false;
            store->removePermanent(message->topic);
            return true;
        });
    }
    server.restore(state);
    state = {};
    for (const ListenerSpec &spec : specs) {
        std::string error;
        if (!server.addListener(spec, &error)) {
            printError(QString::fromStdString(error));
            return ExitFailure;
        }
    }
    // The data API answers from the Qt event loop; the broker thread does the publishing.
    std::unique_ptr<IotDataApi> dataApi;
    if (httpAddress) {
        dataApi = std::make_unique<IotDataApi>(server, authenticator);
        QString error;
        if (!dataApi->listen(*httpAddress, httpHostPort.port, &error)) {
            printError(QStringLiteral("--http: cannot listen on %1:%2: %3")
                           .arg(httpAddress->toString())
                           .arg(httpHostPort.port)
                           .arg(error));
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
    if (dataApi) {
        const std::string url = dataApi->url().toStdString();
        std::printf("ready http %s\n", url.c_str());
        log.write(LogLevel::Info, "listen", {{"listener", "http"}, {"url", url}});
    }
    std::fflush(stdout);

    // The workspace may be changed while serving (iotcore-studio iot … from another shell): the
    // catalog is reloaded when the file changed, and clients whose rights went away are dropped.
    QTimer catalogWatch;
    std::int64_t catalogVersion = catalogStore ? catalogStore->changeCounter() : 0;
    if (catalogStore) {
        QObject::connect(&catalogWatch, &QTimer::timeout, [&] {
            const std::int64_t version = catalogStore->changeCounter();
            if (version == catalogVersion)
                return;
            catalogVersion = version;
            std::string error;
            std::optional<Catalog> loaded = catalogStore->load(&error);
            if (!loaded) {
                log.write(LogLevel::Error, "catalog", {{"error", error}, {"action", "kept the previous catalog"}});
                return;
            }
            auto snapshot = std::make_shared<const Catalog>(std::move(*loaded));
            server.post([authenticator, snapshot](Broker &broker) {
                authenticator->setCatalog(snapshot);
                broker.dropRevokedClients();
                broker.clearPermanentTopics(
                    [&](const std::string &topic) { return ownerDeleted(*snapshot, topic); });
            });
            log.write(LogLevel::Info, "catalog", {{"action", "reloaded"}});
        });
        catalogWatch.start(1000);
    }

    int exitCode = ExitOk;
    QSocketNotifier stopNotifier(signalFd, QSocketNotifier::Read);
    QObject::connect(&stopNotifier, &QSocketNotifier::activated, [&] {
        signalfd_siginfo info{};
        [[maybe_unused]] const ssize_t got = ::read(signalFd, &info, sizeof info);
        stopNotifier.setEnabled(false);
        log.write(LogLevel::Info, "stop", {{"signal", info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM"}});
        catalogWatch.stop();
        if (dataApi)
            dataApi->close();
        if (!server.stop())
            exitCode = ExitFailure;
        QCoreApplication::exit(exitCode);
    });
    QCoreApplication::exec();
    ::close(signalFd);
    return exitCode;
}

} // namespace iotcore::app
