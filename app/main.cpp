// iotcore-studio: the registry console by default; subcommands run headless.

#include "cli/Cli.h"
#include "cli/ExportCommand.h"
#include "cli/ImportCommand.h"
#include "cli/IotCommand.h"
#include "cli/PkiCommand.h"
#include "cli/ServeCommand.h"
#include "cli/SimCommand.h"
#include "cli/SimulateCommand.h"

#ifdef IOTCORE_WITH_GUI
#include "GuiMain.h"
#endif

#include <QCoreApplication>

#include <cstdio>

using namespace iotcore::app;

namespace {

const char *const usage =
    "Usage: iotcore-studio [-w FILE] [--demo] [--screenshot DIR [--size WxH]]\n"
    "       iotcore-studio COMMAND [OPTIONS]\n"
    "\n"
    "A local Yandex Cloud IoT Core: an MQTT 3.1.1 broker that behaves like the service, and its\n"
    "registry console.\n"
    "\n"
    "Without a command it opens the console:\n"
    "  -w, --workspace FILE  Workspace file to open (default: the last one used, or the demo)\n"
    "  --demo                Open the demo workspace: a registry \"demo\" with a few devices\n"
    "  --screenshot DIR      Write a PNG of each main view into DIR, without a display, and exit\n"
    "  --size WxH            Window size for --screenshot (default 1366x768)\n"
    "\n"
    "Commands:\n"
    "  serve      Run the embedded broker without a display (serve --help for its options)\n"
    "  iot        Manage the workspace's registries, devices and brokers like `yc iot`\n"
    "             (iot registry|device|broker --help)\n"
    "  pki        The workspace's certificate authority: export-ca, issue (pki --help)\n"
    "  import     Import what `yc iot … --format json|yaml` printed (import yc --help)\n"
    "  export     Write the catalog as a mosquitto configuration (export mosquitto --help)\n"
    "  sim        Fleets of simulated devices and the scenario they run in (sim --help)\n"
    "  simulate   Run the workspace's scenario headless (simulate --help)\n"
    "\n"
    "Options:\n"
    "  -h, --help     Show this help\n"
    "  -v, --version  Show the version\n";

} // namespace

int main(int argc, char *argv[])
{
#ifdef IOTCORE_WITH_GUI
    // The console needs a QApplication (and a display); subcommands run headless.
    if (iotcore::ui::isGuiArgument(argc > 1 ? argv[1] : nullptr))
        return iotcore::ui::runGui(argc, argv, IOTCORE_VERSION);
#endif

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("iotcore-studio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(IOTCORE_VERSION));

    const QStringList arguments = QCoreApplication::arguments();
    const QString command = arguments.value(1);
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        std::printf("iotcore-studio %s\n", IOTCORE_VERSION);
        return ExitOk;
    }
    if (command == QLatin1String("--help") || command == QLatin1String("-h")
        || command == QLatin1String("help")) {
        std::fputs(usage, stdout);
        return ExitOk;
    }
    if (command.isEmpty() || command.startsWith(u'-')) {
        // Only a build without the console (IOTCORE_BUILD_GUI=OFF) gets here without a command.
        std::fputs(usage, stderr);
        printError(QStringLiteral("this build has no console: name a command"));
        return ExitUsage;
    }
    // Subcommands parse "iotcore-studio COMMAND ..." with the command as the program name.
    QStringList commandArguments = arguments.mid(1);
    commandArguments[0] = arguments.first() + u' ' + command;
    if (command == QLatin1String("serve"))
        return runServe(commandArguments);
    if (command == QLatin1String("iot"))
        return runIot(commandArguments);
    if (command == QLatin1String("pki"))
        return runPki(commandArguments);
    if (command == QLatin1String("import"))
        return runImport(commandArguments);
    if (command == QLatin1String("export"))
        return runExport(commandArguments);
    if (command == QLatin1String("sim"))
        return runSim(commandArguments);
    if (command == QLatin1String("simulate"))
        return runSimulate(commandArguments);

    printError(QStringLiteral("unknown command \"%1\" (iotcore-studio --help lists them)").arg(command));
    return ExitUsage;
}
