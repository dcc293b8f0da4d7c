// `iotcore-studio simulate -w FILE [--broker URL] [--fleet-slice K/N] [--duration S]`: runs the
// workspace's scenario headless, against the embedded broker (in this process, through the
// in-process transport) or any broker a URL names, with a progress line and a summary.

#include "SimulateCommand.h"

#include "Cli.h"
#include "observe/Log.h"
#include "sim/Duration.h"
#include "pki/WorkspaceAuthority.h"
#include "sim/EmbeddedTarget.h"
#include "workspace/CatalogWorkspace.h"
#include "workspace/EmbeddedBroker.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <sys/signalfd.h>
#include <unistd.h>

namespace iotcore::app {

using namespace iotcore::sim;

namespace {

void printLine(FILE *stream, const QString &line)
{
    const QByteArray bytes = (line + u'\n').toUtf8();
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stream);
    std::fflush(stream);
}

bool parseSlice(const QString &text, SimulationOptions *options, QString *error)
{
    const QStringList parts = text.split(u'/');
    bool okIndex = false;
    bool okCount = false;
    const int index = parts.value(0).toInt(&okIndex);
    const int count = parts.value(1).toInt(&okCount);
    if (parts.size() != 2 || !okIndex || !okCount || count < 1 || index < 1 || index > count) {
        *error = QStringLiteral("--fleet-slice \"%1\" must be K/N with 1 ≤ K ≤ N, e.g. 3/8").arg(text);
        return false;
    }
    options->sliceIndex = index - 1;
    options->sliceCount = count;
    return true;
}

std::optional<qint64> parseSeconds(const QString &option, const QString &text, QString *error)
{
    QString reason;
    std::optional<std::int64_t> ms = parseDurationMs(durationArgument(text), &reason);
    if (!ms)
        *error = QStringLiteral("--%1: %2").arg(option, reason);
    return ms;
}

QString rate(quint64 count, qint64 ms)
{
    return ms > 0 ? QString::number(double(count) * 1000.0 / double(ms), 'f', 0) : QStringLiteral("0");
}

QString progressLine(const SimulationStats &stats, qint64 elapsedMs, quint64 publishedBefore, qint64 intervalMs)
{
    return QStringLiteral("simulate: %1  connected %2/%3  sent %4 (%5/s)  acked %6  commands %7  "
                          "disconnects %8  refused %9  lost %10  late %11 ms")
        .arg(formatDurationMs(elapsedMs / 1000 * 1000))
        .arg(stats.connected)
        .arg(stats.devices)
        .arg(stats.published)
        .arg(rate(stats.published - publishedBefore, intervalMs))
        .arg(stats.acknowledged)
        .arg(stats.commands)
        .arg(stats.disconnects)
        .arg(stats.refused)
        .arg(stats.lost)
        .arg(stats.maxLatenessMs);
}

} // namespace

int runSimulate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Run the workspace's scenario (sim fleet …, sim scenario import) headless: against "
                       "the embedded broker in this process, or against any MQTT broker with --broker. "
                       "Prints a progress line every few seconds and a summary at the end."));
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    parser.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
    parser.addOption({{QStringLiteral("w"), QStringLiteral("workspace")},
                      QStringLiteral("Workspace file holding the scenario and the catalog (required)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("broker"),
                      QStringLiteral("Broker to connect to: mqtt://HOST:PORT, mqtts://, ws://, wss:// "
                                     "(default: the embedded broker, in this process)."),
                      QStringLiteral("URL")});
    parser.addOption({QStringLiteral("ca-file"),
                      QStringLiteral("With mqtts:// or wss://: the CA to trust (default: the system's and the "
                                     "workspace's own, which signs serve's TLS certificates)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("cert-file"), QStringLiteral("With mqtts:// or wss://: a client certificate (PEM)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("key-file"), QStringLiteral("With --cert-file: its private key (PEM)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("fleet-slice"),
                      QStringLiteral("Run only slice K of N of the devices, so N processes share a fleet."),
                      QStringLiteral("K/N")});
    parser.addOption({QStringLiteral("duration"),
                      QStringLiteral("How long to run (10m, 1h, seconds); default: the scenario's, else until "
                                     "interrupted."),
                      QStringLiteral("S")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Simulator threads (default: one per core, at most 4)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("connect-rate"),
                      QStringLiteral("New connections per second while the fleet comes up (default 1000)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("progress"),
                      QStringLiteral("Seconds between progress lines (default 5; 0: none)."), QStringLiteral("S")});
    parser.addOption({QStringLiteral("message-rate-limit"),
                      QStringLiteral("The embedded broker's ") + messageRateLimitHelp(),
                      QStringLiteral("MODE"), QStringLiteral("warn")});
    parser.addOption({QStringLiteral("log-level"),
                      QStringLiteral("The embedded broker's log on stderr: debug, info, warning (default), error."),
                      QStringLiteral("LEVEL"), QStringLiteral("warning")});
    const auto usageError = [](const QString &message) {
        printError(QStringLiteral("%1 (see iotcore-studio simulate --help)").arg(message));
        return int(ExitUsage);
    };
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        QString help = parser.helpText();
        help = QStringLiteral("Usage: iotcore-studio simulate -w FILE [options]") + help.mid(help.indexOf(u'\n'));
        printLine(stdout, help.trimmed());
        return ExitOk;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first()));
    const QString path = parser.value(QStringLiteral("workspace"));
    if (path.isEmpty())
        return usageError(QStringLiteral("the workspace file is required: -w FILE"));

    SimulationOptions options;
    QString error;
    if (parser.isSet(QStringLiteral("fleet-slice")) && !parseSlice(parser.value(QStringLiteral("fleet-slice")), &options, &error))
        return usageError(error);
    for (const auto &[option, target, minimum] : {std::tuple{"threads", &options.threads, 1},
                                                  std::tuple{"connect-rate", &options.connectRate, 1}}) {
        const QString name = QLatin1String(option);
        if (!parser.isSet(name))
            continue;
        bool ok = false;
        *target = parser.value(name).toInt(&ok);
        if (!ok || *target < minimum)
            return usageError(QStringLiteral("--%1 needs a positive whole number").arg(name));
    }
    qint64 durationMs = -1;
    if (parser.isSet(QStringLiteral("duration"))) {
        const std::optional<qint64> ms = parseSeconds(QStringLiteral("duration"), parser.value(QStringLiteral("duration")), &error);
        if (!ms)
            return usageError(error);
        durationMs = *ms;
    }
    qint64 progressMs = 5000;
    if (parser.isSet(QStringLiteral("progress"))) {
        const std::optional<qint64> ms = parseSeconds(QStringLiteral("progress"), parser.value(QStringLiteral("progress")), &error);
        if (!ms)
            return usageError(error);
        progressMs = *ms;
    }
    broker::IotAuthenticator::RateLimit rateLimit;
    if (!parseMessageRateLimit(parser.value(QStringLiteral("message-rate-limit")), &rateLimit, &error))
        return usageError(error);
    broker::LogLevel level;
    if (!broker::parseLogLevel(parser.value(QStringLiteral("log-level")).toStdString(), &level))
        return usageError(QStringLiteral("--log-level must be debug, info, warning or error"));

    // The identities the scenario needs.
    std::unique_ptr<CatalogWorkspace> workspace = CatalogWorkspace::open(path, false, &error);
    if (!workspace) {
        printError(error);
        return ExitFailure;
    }

    const int stopFd = blockStopSignals();
    broker::Log log(level);
    std::unique_ptr<EmbeddedBroker> embedded;
    std::optional<BrokerTarget> target;
    if (parser.isSet(QStringLiteral("broker"))) {
        TlsFiles tls{parser.value(QStringLiteral("ca-file")), parser.value(QStringLiteral("cert-file")),
                     parser.value(QStringLiteral("key-file")), {}};
        // Without --ca-file, the workspace's own CA is trusted too: `serve --mqtts` on this
        // workspace presents a certificate it signed.
        if (tls.caFile.isEmpty()) {
            std::string reason;
            std::unique_ptr<WorkspaceAuthority> authority = WorkspaceAuthority::open(path, &reason);
            const std::optional<std::string> pem = authority ? authority->existingCertificatePem(&reason) : std::nullopt;
            if (!pem) {
                printError(QString::fromStdString(reason));
                return ExitFailure;
            }
            tls.extraCaPem = QByteArray::fromStdString(*pem);
        }
        target = BrokerTarget::fromUrl(parser.value(QStringLiteral("broker")), tls, &error);
        if (!target) {
            printError(error);
            return ExitFailure;
        }
    } else {
        EmbeddedBroker::Options brokerOptions;
        brokerOptions.workspacePath = path;
        brokerOptions.iotCore = true;
        brokerOptions.rateLimit = rateLimit;
        embedded = std::make_unique<EmbeddedBroker>(brokerOptions, log);
        std::string reason;
        // Devices with IoT Core identities log in as on the service; anonymous fleets get an
        // open-mode listener of their own.
        if (!embedded->open(&error) || !EmbeddedTarget::addListeners(embedded->server(), &reason)
            || !embedded->start(&error)) {
            printError(error.isEmpty() ? QString::fromStdString(reason) : error);
            return ExitFailure;
        }
        target = EmbeddedTarget::target(embedded->server(), QStringLiteral("the embedded broker"));
    }

    std::unique_ptr<Simulation> simulation
        = workspaceSimulation(path, workspace->catalog(), *target, options, &error);
    if (!simulation) {
        printError(error);
        return ExitFailure;
    }
    workspace.reset();
    const Scenario *scenario = &simulation->scenario();
    printLine(stderr, QStringLiteral("simulate: %1 devices of %2 fleets%3 against %4%5")
                          .arg(simulation->deviceCount())
                          .arg(scenario->fleets.size())
                          .arg(options.sliceCount > 1 ? QStringLiteral(" (slice %1/%2)").arg(options.sliceIndex + 1).arg(options.sliceCount)
                                                      : QString())
                          .arg(target->description())
                          .arg(durationMs > 0 || (durationMs < 0 && scenario->durationMs > 0)
                                   ? QStringLiteral(" for ") + formatDurationMs(durationMs >= 0 ? durationMs : scenario->durationMs)
                                   : QStringLiteral(" until interrupted")));

    const auto printProblems = [&] {
        int suppressed = 0;
        for (const QString &problem : simulation->takeProblems(&suppressed))
            printLine(stderr, QStringLiteral("simulate: ") + problem);
        if (suppressed > 0)
            printLine(stderr, QStringLiteral("simulate: … and %1 more problems like those above").arg(suppressed));
    };
    quint64 publishedBefore = 0;
    QTimer progress;
    QObject::connect(&progress, &QTimer::timeout, [&] {
        printProblems();
        const SimulationStats stats = simulation->stats();
        printLine(stderr, progressLine(stats, simulation->elapsedMs(), publishedBefore, progressMs));
        publishedBefore = stats.published;
    });
    if (progressMs > 0)
        progress.start(std::chrono::milliseconds(progressMs));
    QTimer problems;
    QObject::connect(&problems, &QTimer::timeout, printProblems);
    problems.start(1000);

    QSocketNotifier stopNotifier(stopFd, QSocketNotifier::Read);
    QObject::connect(&stopNotifier, &QSocketNotifier::activated, [&] {
        signalfd_siginfo info;
        while (::read(stopFd, &info, sizeof info) == sizeof info) { }
        QCoreApplication::quit();
    });
    QObject::connect(simulation.get(), &Simulation::finished, QCoreApplication::instance(), &QCoreApplication::quit);
    simulation->start(durationMs);
    QCoreApplication::exec();

    progress.stop();
    simulation->stop();
    const SimulationStats final = simulation->stats();
    printProblems();
    const qint64 elapsed = simulation->elapsedMs();
    printLine(stdout, QStringLiteral("devices %1, connected at the end %2, connections %3\n"
                                     "messages sent %4 (%5/s), acknowledged %6, commands received %7\n"
                                     "disconnects %8, refused %9, lost by faults %10, faults injected %11\n"
                                     "ran %12")
                          .arg(final.devices)
                          .arg(final.connected)
                          .arg(final.connects)
                          .arg(final.published)
                          .arg(rate(final.published, elapsed))
                          .arg(final.acknowledged)
                          .arg(final.commands)
                          .arg(final.disconnects)
                          .arg(final.refused)
                          .arg(final.lost)
                          .arg(final.faults)
                          .arg(formatDurationMs(elapsed)));
    if (embedded)
        embedded->stop();
    ::close(stopFd);
    // A run where no device ever got in did nothing the user asked for.
    return final.connects > 0 ? ExitOk : ExitFailure;
}

} // namespace iotcore::app
