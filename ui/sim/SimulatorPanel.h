#pragma once

// The simulator in the console: the fleets of the workspace's scenario, start / pause / stop of
// a run against the broker the console chooses, live counters (connected, messages per second,
// acknowledged, disconnects, refused, lost, faults), "inject fault", per-device state and the
// problems devices report. Nothing here waits for a device: the run is stopped with
// Simulation::requestStop() and the device table is filled by Simulation::requestSnapshot().
//
// The panel does not know where devices connect: the factory it is given makes the Simulation
// (the console's embedded broker, or a connection profile) from the scenario shown.

#include "sim/Scenario.h"
#include "sim/Simulation.h"

#include <QElapsedTimer>
#include <QHash>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <memory>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace iotcore::ui {

class DeviceStateModel;
class FleetTableModel;

class SimulatorPanel : public QWidget
{
    Q_OBJECT

public:
    // Makes a run of `scenario`, not started; null with one line in `error`.
    using SimulationFactory = std::function<std::unique_ptr<sim::Simulation>(const sim::Scenario &scenario,
                                                                             QString *error)>;

    explicit SimulatorPanel(SimulationFactory factory, QWidget *parent = nullptr);
    // A run still going is stopped (waiting for its devices' goodbyes: the console is closing).
    ~SimulatorPanel() override;

    // The scenario to show and to run at the next start (a run in progress keeps its own).
    void setScenario(sim::Scenario scenario);
    const sim::Scenario &scenario() const { return m_scenario; }
    // The current or last run; null before the first start.
    sim::Simulation *simulation() const { return m_simulation.get(); }
    bool isRunning() const { return m_simulation && m_simulation->isRunning(); }

public slots:
    // False, with the reason shown in the panel, when the run cannot be made.
    bool start();
    void togglePause();
    void stop();
    // Stops the run and returns once its devices have said goodbye: before their broker goes.
    void stopNow();
    // Opens the fault dialog for the running scenario; the fault goes in when it is accepted.
    void openFaultDialog();

signals:
    void runningChanged(bool running);

private:
    QWidget *buildCounters();
    void refresh();
    void showStats(const sim::SimulationStats &stats);
    void showProblems();
    void updateControls();
    void setStatus(const QString &text, bool isError = false);
    void onStopped();

    SimulationFactory m_factory;
    sim::Scenario m_scenario;
    std::unique_ptr<sim::Simulation> m_simulation;

    FleetTableModel *m_fleets = nullptr;
    DeviceStateModel *m_devices = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_inject = nullptr;
    QLabel *m_status = nullptr;
    QHash<QString, QLabel *> m_counters; // by objectName suffix: "connected", "rate", …
    QPlainTextEdit *m_problems = nullptr;

    QTimer m_refresh;
    QElapsedTimer m_rateClock;
    quint64 m_publishedBefore = 0;
};

} // namespace iotcore::ui
