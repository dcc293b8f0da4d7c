#include "SimulatorPanel.h"

#include "DeviceStateModel.h"
#include "FaultDialog.h"
#include "FleetTableModel.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace iotcore::ui {

namespace {

// Often enough for counters to feel live, rarely enough that a 10,000-device snapshot is cheap.
constexpr int RefreshMs = 1000;
// The problems pane keeps the latest lines only.
constexpr int ProblemLines = 500;

struct Counter {
    const char *key;
    const char *caption;
    const char *toolTip;
};

const Counter counters[] = {
    {"devices", QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "devices"),
     QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "Devices in this run")},
    {"connected", QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "connected"),
     QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "Devices connected right now")},
    {"rate", QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "sent/s"),
     QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "Messages published per second, over the last second")},
    {"acknowledged", QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "acknowledged"),
     QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "QoS 1 messages the broker acknowledged (PUBACK)")},
    {"disconnects", QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "disconnects"),
     QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "Connections lost that the device did not end itself")},
    {"refused", QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "refused"),
     QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "Connection attempts the broker refused")},
    {"lost", QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "lost"),
     QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "Packets a lossy-link fault swallowed")},
    {"faults", QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "faults"),
     QT_TRANSLATE_NOOP("iotcore::ui::SimulatorPanel", "Faults started on devices")},
};

QString clockText(qint64 ms)
{
    const qint64 seconds = ms / 1000;
    return seconds >= 3600 ? QStringLiteral("%1:%2:%3")
                                 .arg(seconds / 3600)
                                 .arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'))
                                 .arg(seconds % 60, 2, 10, QLatin1Char('0'))
                           : QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

QTableView *tableView(QAbstractItemModel *model, const QString &name, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setObjectName(name);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return view;
}

} // namespace

SimulatorPanel::SimulatorPanel(SimulationFactory factory, QWidget *parent)
    : QWidget(parent), m_factory(std::move(factory))
{
    m_fleets = new FleetTableModel(this);
    m_devices = new DeviceStateModel(this);

    m_start = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"), this);
    m_start->setObjectName(QStringLiteral("start"));
    m_pause = new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this);
    m_pause->setObjectName(QStringLiteral("pause"));
    m_stop = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("stop"));
    m_inject = new QPushButton(style()->standardIcon(QStyle::SP_MessageBoxWarning), tr("Inject fault…"), this);
    m_inject->setObjectName(QStringLiteral("injectFault"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(m_start, &QPushButton::clicked, this, &SimulatorPanel::start);
    connect(m_pause, &QPushButton::clicked, this, &SimulatorPanel::togglePause);
    connect(m_stop, &QPushButton::clicked, this, &SimulatorPanel::stop);
    connect(m_inject, &QPushButton::clicked, this, &SimulatorPanel::openFaultDialog);

    auto *controls = new QHBoxLayout;
    for (QPushButton *button : {m_start, m_pause, m_stop, m_inject})
        controls->addWidget(button);
    controls->addSpacing(12);
    controls->addWidget(m_status, 1);

    m_problems = new QPlainTextEdit(this);
    m_problems->setObjectName(QStringLiteral("problems"));
    m_problems->setReadOnly(true);
    m_problems->setMaximumBlockCount(ProblemLines);
    m_problems->setPlaceholderText(tr("Problems devices meet (refusals, lost connections) are listed here."));

    auto *fleetsView = tableView(m_fleets, QStringLiteral("fleets"), this);
    fleetsView->horizontalHeader()->setStretchLastSection(false); // QoS is a narrow column
    auto *devicesView = tableView(m_devices, QStringLiteral("devices"), this);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(fleetsView);
    splitter->addWidget(devicesView);
    splitter->addWidget(m_problems);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 4);
    splitter->setStretchFactor(2, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(buildCounters());
    layout->addWidget(splitter, 1);

    m_refresh.setInterval(RefreshMs);
    connect(&m_refresh, &QTimer::timeout, this, &SimulatorPanel::refresh);
    connect(m_devices, &QAbstractItemModel::modelReset, devicesView, &QTableView::resizeColumnsToContents);
    setStatus(tr("Stopped"));
    updateControls();
}

SimulatorPanel::~SimulatorPanel() = default;

QWidget *SimulatorPanel::buildCounters()
{
    auto *box = new QWidget(this);
    auto *grid = new QGridLayout(box);
    grid->setContentsMargins(0, 6, 0, 6);
    grid->setHorizontalSpacing(24);
    QFont valueFont = font();
    valueFont.setPointSizeF(valueFont.pointSizeF() * 1.6);
    valueFont.setBold(true);
    int column = 0;
    for (const Counter &counter : counters) {
        auto *value = new QLabel(QStringLiteral("0"), box);
        value->setObjectName(QStringLiteral("counter-") + QLatin1String(counter.key));
        value->setFont(valueFont);
        value->setAlignment(Qt::AlignCenter);
        auto *caption = new QLabel(tr(counter.caption), box);
        caption->setAlignment(Qt::AlignCenter);
        caption->setForegroundRole(QPalette::PlaceholderText);
        for (QLabel *label : {value, caption})
            label->setToolTip(tr(counter.toolTip));
        grid->addWidget(value, 0, column);
        grid->addWidget(caption, 1, column);
        m_counters.insert(QLatin1String(counter.key), value);
        ++column;
    }
    grid->setColumnStretch(column, 1);
    return box;
}

void SimulatorPanel::setScenario(sim::Scenario scenario)
{
    m_scenario = std::move(scenario);
    m_fleets->setFleets(m_scenario.fleets);
    updateControls();
}

bool SimulatorPanel::start()
{
    if (isRunning())
        return false;
    if (m_scenario.fleets.empty()) {
        setStatus(tr("The scenario has no fleets: create one first."), true);
        return false;
    }
    QString error;
    std::unique_ptr<sim::Simulation> simulation = m_factory(m_scenario, &error);
    if (!simulation) {
        setStatus(tr("Cannot start: %1").arg(error), true);
        return false;
    }
    m_simulation = std::move(simulation);
    connect(m_simulation.get(), &sim::Simulation::stopped, this, &SimulatorPanel::onStopped);
    connect(m_simulation.get(), &sim::Simulation::pausedChanged, this, &SimulatorPanel::updateControls);
    connect(m_simulation.get(), &sim::Simulation::snapshotReady, m_devices, &DeviceStateModel::setDevices);
    m_problems->clear();
    m_devices->clear();
    m_publishedBefore = 0;
    m_rateClock.start();
    m_simulation->start();
    m_refresh.start();
    refresh();
    updateControls();
    emit runningChanged(true);
    return true;
}

void SimulatorPanel::togglePause()
{
    if (!isRunning())
        return;
    if (m_simulation->isPaused())
        m_simulation->resume();
    else
        m_simulation->pause();
    refresh();
}

void SimulatorPanel::stop()
{
    if (!isRunning())
        return;
    m_simulation->requestStop();
    updateControls();
}

void SimulatorPanel::stopNow()
{
    if (m_simulation)
        m_simulation->stop(); // emits stopped(): onStopped() updates the panel
}

void SimulatorPanel::onStopped()
{
    m_refresh.stop();
    showStats(m_simulation->stats());
    showProblems();
    m_counters.value(QStringLiteral("rate"))->setText(QStringLiteral("0"));
    setStatus(tr("Stopped after %1").arg(clockText(m_simulation->elapsedMs())));
    updateControls();
    emit runningChanged(false);
}

void SimulatorPanel::openFaultDialog()
{
    if (!isRunning())
        return;
    auto *dialog = new FaultDialog(m_simulation->scenario(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (isRunning() && dialog->fault())
            m_simulation->injectFault(*dialog->fault());
    });
    dialog->open();
}

void SimulatorPanel::refresh()
{
    if (!isRunning() || m_simulation->isStopping())
        return;
    const sim::SimulationStats stats = m_simulation->stats();
    showStats(stats);
    const qint64 intervalMs = std::max<qint64>(m_rateClock.restart(), 1);
    const quint64 sent = stats.published - std::min(stats.published, m_publishedBefore);
    m_publishedBefore = stats.published;
    m_counters.value(QStringLiteral("rate"))->setText(QLocale().toString(qRound64(double(sent) * 1000.0 / double(intervalMs))));
    showProblems();
    m_simulation->requestSnapshot();
    setStatus(m_simulation->isPaused() ? tr("Paused at %1").arg(clockText(m_simulation->elapsedMs()))
                                       : tr("Running · %1 · %2").arg(clockText(m_simulation->elapsedMs()),
                                                                     m_simulation->target().description()));
}

void SimulatorPanel::showStats(const sim::SimulationStats &stats)
{
    const QLocale locale;
    const std::pair<const char *, quint64> values[] = {
        {"devices", stats.devices},         {"connected", stats.connected},     {"acknowledged", stats.acknowledged},
        {"disconnects", stats.disconnects}, {"refused", stats.refused},         {"lost", stats.lost},
        {"faults", stats.faults},
    };
    for (const auto &[key, value] : values)
        m_counters.value(QLatin1String(key))->setText(locale.toString(value));
}

void SimulatorPanel::showProblems()
{
    int suppressed = 0;
    const QStringList problems = m_simulation->takeProblems(&suppressed);
    for (const QString &problem : problems)
        m_problems->appendPlainText(problem);
    if (suppressed > 0)
        m_problems->appendPlainText(tr("… and %n more of the same kinds", nullptr, suppressed));
}

void SimulatorPanel::updateControls()
{
    const bool running = isRunning();
    const bool stopping = running && m_simulation->isStopping();
    const bool paused = running && m_simulation->isPaused();
    m_start->setEnabled(!running && !m_scenario.fleets.empty());
    m_pause->setEnabled(running && !stopping);
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    m_pause->setIcon(style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    m_stop->setEnabled(running && !stopping);
    m_inject->setEnabled(running && !stopping);
    if (stopping)
        setStatus(tr("Stopping: devices are saying goodbye…"));
    else if (paused)
        setStatus(tr("Paused at %1").arg(clockText(m_simulation->elapsedMs())));
}

void SimulatorPanel::setStatus(const QString &text, bool isError)
{
    m_status->setText(text);
    m_status->setStyleSheet(isError ? QStringLiteral("color: #c62828;") : QString());
}

} // namespace iotcore::ui
