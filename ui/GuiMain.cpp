#include "GuiMain.h"

#include "window/MainWindow.h"
#include "window/RecentWorkspaces.h"
#include "window/ScreenshotTour.h"
#include "workspace/DemoWorkspace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <cstdio>
#include <cstring>

namespace iotcore::ui {

using namespace iotcore::app;

namespace {

void printError(const QString &message)
{
    std::fprintf(stderr, "iotcore-studio: %s\n", message.toLocal8Bit().constData());
}

bool parseSize(const QString &text, QSize *size)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d{3,5})x(\\d{3,5})$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return false;
    *size = QSize(match.captured(1).toInt(), match.captured(2).toInt());
    return true;
}

} // namespace

bool isGuiArgument(const char *argument)
{
    static const char *const options[] = {"-w", "--workspace", "--demo", "--screenshot", "--size"};
    if (!argument)
        return true;
    for (const char *option : options) {
        const std::size_t length = std::strlen(option);
        if (std::strncmp(argument, option, length) == 0
            && (argument[length] == '\0' || argument[length] == '='))
            return true;
    }
    return false;
}

int runGui(int &argc, char **argv, const char *version)
{
    // Screenshots are taken without a display; the platform is chosen before Qt starts.
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--screenshot", 12) == 0)
            qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("iotcore-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("IoT Core Studio"));
    QApplication::setOrganizationName(QStringLiteral("iotcore-studio"));
    QApplication::setApplicationVersion(QString::fromLatin1(version));

    QCommandLineParser parser;
    parser.addOption({{QStringLiteral("w"), QStringLiteral("workspace")},
                      QStringLiteral("Workspace file to open (default: the last one used)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("demo"),
                      QStringLiteral("Open the demo workspace (with -w: add the demo registry to "
                                     "FILE).")});
    parser.addOption({QStringLiteral("screenshot"),
                      QStringLiteral("Write a PNG of each main view into DIR and exit."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("size"),
                      QStringLiteral("Window size for --screenshot (default 1366x768)."),
                      QStringLiteral("WxH")});
    if (!parser.parse(QApplication::arguments())) {
        printError(parser.errorText() + QStringLiteral(" (iotcore-studio --help lists the options)"));
        return 2;
    }
    QSize size(1366, 768);
    if (parser.isSet(QStringLiteral("size"))
        && !parseSize(parser.value(QStringLiteral("size")), &size)) {
        printError(QStringLiteral("--size \"%1\": expected WIDTHxHEIGHT, such as 1920x1080")
                       .arg(parser.value(QStringLiteral("size"))));
        return 2;
    }
    const bool screenshots = parser.isSet(QStringLiteral("screenshot"));
    const bool demo = parser.isSet(QStringLiteral("demo")) || screenshots;

    // Screenshots are taken on a demo workspace of their own: the wizards create entities.
    QTemporaryDir screenshotWorkspace;
    QString path = parser.value(QStringLiteral("workspace"));
    if (screenshots)
        path = screenshotWorkspace.filePath(QStringLiteral("demo.sqlite"));
    if (path.isEmpty() && !demo)
        path = RecentWorkspaces().mostRecent();
    if (path.isEmpty())
        path = DemoWorkspace::defaultPath();
    QString error;
    if ((demo || path == DemoWorkspace::defaultPath()) && !DemoWorkspace::ensure(path, &error)) {
        printError(error);
        return 1;
    }

    MainWindow window(screenshots ? MainWindow::Session::FreshLayout : MainWindow::Session::Remembered);
    if (!window.openWorkspace(path, &error)) {
        printError(error);
        return 1;
    }
    // The demo sends at once: its simulated devices are what a newcomer watches first, received
    // by the console as the demo registry, so the log shows every delivery and acknowledgement.
    if (demo) {
        if (!window.startSimulation(&error))
            printError(QStringLiteral("the demo's simulation did not start: %1").arg(error));
        window.watchRegistry(QLatin1String(DemoWorkspace::RegistryName));
    }
    if (screenshots) {
        ScreenshotTour tour(window, parser.value(QStringLiteral("screenshot")), size);
        tour.start();
        return QApplication::exec();
    }
    window.show();
    return QApplication::exec();
}

} // namespace iotcore::ui
