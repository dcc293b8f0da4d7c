#pragma once

// `iotcore-studio --screenshot DIR [--size WxH]`: shows the main window at the given size (on
// the offscreen platform), lets it settle for a few seconds, then writes a PNG of each main
// view: the main window, a registry page, a device page and every page of the registry and
// device wizards (filled in as a user would). Ends the application: exit status 0, or 1 with one
// line on stderr when a file cannot be written.

#include <QObject>
#include <QSize>
#include <QString>

#include <functional>
#include <vector>

class QWidget;

namespace iotcore::broker {
struct Device;
}

namespace iotcore::ui {

class MainWindow;

class ScreenshotTour : public QObject
{
    Q_OBJECT

public:
    ScreenshotTour(MainWindow &window, QString directory, QSize size);

    void start();

private:
    void addViewSteps();
    void addWizardSteps(int kind);
    void runNext();
    void capture(QWidget *widget, const QString &name);
    void fail(const QString &error);
    void raiseDock(const QString &objectName);
    const broker::Device *demoThermostat() const;

    MainWindow &m_window;
    QString m_directory;
    QSize m_size;
    std::vector<std::function<void()>> m_steps;
    std::size_t m_next = 0;
    int m_written = 0;
    bool m_failed = false;
};

} // namespace iotcore::ui
