#include "ScreenshotTour.h"

#include "MainWindow.h"

#include "messages/MessageLogView.h"
#include "messages/TopicTreeView.h"
#include "wizards/EntityWizard.h"
#include "workspace/Workspace.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QTableView>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace iotcore::ui {

using namespace iotcore::broker;

namespace {

constexpr int SettleMs = 8000; // the broker up, the demo's fleet sending for a while
constexpr int StepMs = 400;    // layouts and deferred deletes done between two views

void type(QWidget *root, const char *objectName, const QString &text)
{
    if (auto *line = root->findChild<QLineEdit *>(QLatin1String(objectName)))
        line->setText(text);
    else if (auto *plain = root->findChild<QPlainTextEdit *>(QLatin1String(objectName)))
        plain->setPlainText(text);
}

} // namespace

ScreenshotTour::ScreenshotTour(MainWindow &window, QString directory, QSize size)
    : m_window(window), m_directory(std::move(directory)), m_size(size)
{
}

void ScreenshotTour::start()
{
    if (!QDir().mkpath(m_directory)) {
        fail(QStringLiteral("cannot create %1").arg(m_directory));
        return;
    }
    m_window.resize(m_size);
    m_window.show();
    addViewSteps();
    addWizardSteps(int(EntityKind::Registry));
    addWizardSteps(int(EntityKind::Device));
    m_steps.push_back([this] {
        std::printf("wrote %d screenshots to %s\n", m_written,
                    QDir(m_directory).absolutePath().toLocal8Bit().constData());
        QApplication::exit(0);
    });
    QTimer::singleShot(SettleMs, this, &ScreenshotTour::runNext);
}

void ScreenshotTour::addViewSteps()
{
    m_steps.push_back([this] { capture(&m_window, QStringLiteral("main-window")); });
    m_steps.push_back([this] {
        const std::vector<const Registry *> registries = m_window.workspace()->catalog().registries();
        if (!registries.empty())
            m_window.openEntityPage(EntityRef{EntityKind::Registry, registries.front()->id});
    });
    m_steps.push_back([this] { capture(&m_window, QStringLiteral("registry-page")); });
    m_steps.push_back([this] {
        const Catalog &catalog = m_window.workspace()->catalog();
        for (const Registry *registry : catalog.registries()) {
            const std::vector<const Device *> devices = catalog.devices(registry->id);
            if (!devices.empty()) {
                m_window.openEntityPage(EntityRef{EntityKind::Device, devices.front()->id});
                return;
            }
        }
    });
    m_steps.push_back([this] { capture(&m_window, QStringLiteral("device-page")); });
    // The docks at the bottom, each in front in turn: the log with a message opened, the topic
    // tree on the thermostat's events, the charts of the thermostat.
    m_steps.push_back([this] {
        raiseDock(QStringLiteral("messageLogDock"));
        if (auto *table = m_window.messageLog()->findChild<QTableView *>())
            table->selectRow(table->model()->rowCount() - 1);
    });
    m_steps.push_back([this] { capture(&m_window, QStringLiteral("message-log")); });
    m_steps.push_back([this] {
        raiseDock(QStringLiteral("topicTreeDock"));
        if (const Device *thermostat = demoThermostat())
            m_window.topicTree()->selectTopic(QStringLiteral("$devices/%1/events").arg(QString::fromStdString(thermostat->id)));
    });
    m_steps.push_back([this] { capture(&m_window, QStringLiteral("topic-tree")); });
    m_steps.push_back([this] {
        if (const Device *thermostat = demoThermostat())
            m_window.chartDevice(thermostat->id);
    });
    m_steps.push_back([this] { capture(&m_window, QStringLiteral("charts")); });
    const struct {
        const char *dock;
        const char *name;
    } docks[] = {{"simulatorDock", "simulator"}, {"commandsDock", "commands"},
                 {"subscriptionsDock", "subscriptions"}, {"keptMessagesDock", "kept-messages"}};
    for (const auto &dock : docks) {
        m_steps.push_back([this, dock] { raiseDock(QLatin1String(dock.dock)); });
        m_steps.push_back([this, dock] { capture(&m_window, QLatin1String(dock.name)); });
    }
    m_steps.push_back([this] { raiseDock(QStringLiteral("messageLogDock")); });
}

void ScreenshotTour::raiseDock(const QString &objectName)
{
    if (auto *dock = m_window.findChild<QDockWidget *>(objectName)) {
        dock->show();
        dock->raise();
    }
}

// The device the demo's charts show: its thermostat sends every few seconds.
const Device *ScreenshotTour::demoThermostat() const
{
    const Catalog &catalog = m_window.workspace()->catalog();
    for (const Registry *registry : catalog.registries()) {
        if (const Device *device = catalog.deviceByName(registry->id, "thermostat"))
            return device;
    }
    return nullptr;
}

// Every page of a wizard, filled in; the entity is created on the way to the last page (the
// tour runs on a copy of the demo workspace).
void ScreenshotTour::addWizardSteps(int kindValue)
{
    const EntityKind kind = EntityKind(kindValue);
    const QString prefix = kind == EntityKind::Registry ? QStringLiteral("registry-wizard")
                                                        : QStringLiteral("device-wizard");
    auto wizard = std::make_shared<EntityWizard *>(nullptr);
    m_steps.push_back([this, wizard, kind] {
        *wizard = m_window.createWizard(kind);
        (*wizard)->show();
        if (kind == EntityKind::Registry) {
            type(*wizard, "name", QStringLiteral("greenhouse"));
            type(*wizard, "description", QStringLiteral("Sensors and valves of the greenhouse"));
            type(*wizard, "labels", QStringLiteral("site=north, team=agro"));
        } else {
            type(*wizard, "name", QStringLiteral("soil-probe-7"));
            type(*wizard, "description", QStringLiteral("Soil moisture probe, bed 7"));
            type(*wizard, "labels", QStringLiteral("bed=7"));
        }
    });
    m_steps.push_back([this, wizard, prefix] { capture(*wizard, prefix + QStringLiteral("-1-details")); });
    m_steps.push_back([wizard] { (*wizard)->next(); });
    m_steps.push_back([this, wizard, prefix] { capture(*wizard, prefix + QStringLiteral("-2-credentials")); });
    if (kind == EntityKind::Device) {
        m_steps.push_back([wizard] {
            (*wizard)->next();
            type(*wizard, "alias", QStringLiteral("greenhouse/bed-7/moisture"));
            type(*wizard, "target", QStringLiteral("$devices/{id}/events/moisture"));
            (*wizard)->findChild<QPushButton *>(QStringLiteral("add"))->click();
            type(*wizard, "alias", QStringLiteral("greenhouse/bed-7"));
        });
        m_steps.push_back([this, wizard, prefix] { capture(*wizard, prefix + QStringLiteral("-3-topic-aliases")); });
        m_steps.push_back([wizard] { type(*wizard, "alias", {}); });
    }
    m_steps.push_back([wizard] { (*wizard)->next(); });
    m_steps.push_back([this, wizard, prefix, kind] {
        capture(*wizard, prefix + (kind == EntityKind::Device ? QStringLiteral("-4-done") : QStringLiteral("-3-done")));
    });
    m_steps.push_back([wizard] { (*wizard)->close(); (*wizard)->deleteLater(); });
}

void ScreenshotTour::runNext()
{
    if (m_failed || m_next >= m_steps.size())
        return;
    m_steps[m_next++]();
    if (!m_failed && m_next < m_steps.size())
        QTimer::singleShot(StepMs, this, &ScreenshotTour::runNext);
}

void ScreenshotTour::capture(QWidget *widget, const QString &name)
{
    const QString path = QDir(m_directory).filePath(
        QStringLiteral("%1-%2x%3.png").arg(name).arg(m_size.width()).arg(m_size.height()));
    if (!widget->grab().save(path)) {
        fail(QStringLiteral("cannot write %1").arg(path));
        return;
    }
    ++m_written;
}

void ScreenshotTour::fail(const QString &error)
{
    std::fprintf(stderr, "iotcore-studio: --screenshot: %s\n", error.toLocal8Bit().constData());
    m_failed = true;
    QTimer::singleShot(0, [] { QApplication::exit(1); });
}

} // namespace iotcore::ui
