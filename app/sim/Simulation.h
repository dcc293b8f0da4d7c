#pragma once

// A run of a scenario: its fleets' devices spread over a few shard threads (each a Qt event loop
// with one Scheduler driving all its devices and their MqttClients), the timeline's faults
// injected on time, and counters for a progress line. The caller's thread only starts, stops and
// reads; it never waits for a device.
//
// Fleet slices: with `--fleet-slice K/N`, the run takes every N-th device of the scenario
// (numbered across its fleets), starting with the K-th, so N processes on N machines share one
// fleet without overlap. Faults pick devices by the scenario's seed, the same in every slice.

#include "BrokerTarget.h"
#include "FleetModel.h"
#include "Scenario.h"
#include "SensorValue.h"
#include "SimulationStats.h"

#include "iot/Catalog.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace iotcore::sim {

class SimulationShard;

struct SimulationOptions {
    int sliceIndex = 0; // K - 1
    int sliceCount = 1; // N
    int threads = 0;    // shard threads; 0: one per core, at most 4
    // New connections per second across the run, so ten thousand devices do not knock at
    // once (a real fleet powers up over minutes, not in a millisecond).
    int connectRate = 1000;
    SensorParseOptions sensorOptions;
};

// One device as the console shows it, taken on its shard's thread (Simulation::requestSnapshot).
struct DeviceSnapshot {
    QString name;
    QString id; // the IoT Core device id, or the name
    QString fleet;
    int index = 0; // in its fleet, from 0
    bool connected = false;
    quint64 sent = 0; // messages published since the run started
    std::vector<TimelineEvent::Fault> faults; // acting now
    std::shared_ptr<const SensorSetModel> sensors; // the names and units of `values`
    std::vector<SensorValue> values; // the last sample (zeros before the first)
};

class Simulation : public QObject
{
    Q_OBJECT

public:
    // Compiles every fleet and resolves IoT Core identities in `catalog` (device ids, which
    // `sim fleet create` provisioned). Null with one line in `error` when a fleet cannot run at
    // all; a device missing from the catalog is reported when the run starts and left out.
    static std::unique_ptr<Simulation> create(const Scenario &scenario, const broker::Catalog &catalog,
                                              BrokerTarget target, SimulationOptions options, QString *error);
    ~Simulation() override;

    const Scenario &scenario() const { return m_scenario; }
    const BrokerTarget &target() const { return m_target; }
    int deviceCount() const { return m_deviceCount; }

    // Starts the shards and the timeline. The run ends after the scenario's duration (or
    // `durationMs` when it is not negative; 0: until stop()).
    void start(qint64 durationMs = -1);
    // Disconnects every device cleanly and stops the threads. Returns when they are stopped.
    void stop();
    // stop() without waiting, for a thread that must not wait for devices (the console's): the
    // devices say goodbye on their own threads, and stopped() is emitted when the run is over.
    // Until then isRunning() and isStopping() are true, and the run takes no more requests.
    void requestStop();
    bool isRunning() const { return m_running; }
    bool isStopping() const { return m_stopping; }
    // Scenario time: since start(), without the time spent paused; frozen at stop().
    qint64 elapsedMs() const;

    // Devices stop publishing on their schedules but stay connected (they still answer
    // commands, and faults in progress run their course); the timeline and the end of the run
    // wait. Nothing unless running and not paused.
    void pause();
    // The schedules go on from now without catching up on the messages missed while paused.
    void resume();
    bool isPaused() const { return m_pausedSinceMs >= 0; }

    // Asks every shard for the state of its devices without waiting for them: answered by
    // snapshotReady() on this object's thread. A request while one is on its way is served by
    // that answer. False when the run is not running (there are no devices to ask).
    bool requestSnapshot();

    // While running: now. After stop(): at the end (devices and connections as they were
    // before the devices disconnected).
    SimulationStats stats() const;
    // Problems devices met since the last call, as "<device>: <reason>" lines (the first few
    // per reason: a broker refusing ten thousand devices is a few lines and a count).
    QStringList takeProblems(int *suppressed = nullptr);

    // Injects a fault now, into the devices of `fault.fleet` it picks (the console's "inject").
    void injectFault(const TimelineEvent &fault);

signals:
    // The run reached its duration and stopped (after stopped()).
    void finished();
    // A requestStop() is complete: the devices are gone, stats() is final.
    void stopped();
    void pausedChanged(bool paused);
    // Every device of this slice, in scenario order (fleet by fleet, by index).
    void snapshotReady(const std::vector<iotcore::sim::DeviceSnapshot> &devices);

private:
    Simulation(Scenario scenario, BrokerTarget target, SimulationOptions options);
    SimulationStats liveStats() const;
    void runTimeline();
    void reportProblem(const QString &device, const QString &problem);
    bool picks(const TimelineEvent &fault, int eventNumber, const QString &deviceName) const;
    void takeSnapshotPart(quint64 generation, std::vector<DeviceSnapshot> part);
    void beginStop();
    void endStop();
    void shardStopped();

    Scenario m_scenario;
    BrokerTarget m_target;
    SimulationOptions m_options;
    std::vector<std::shared_ptr<const FleetModel>> m_models;
    std::vector<std::unique_ptr<SimulationShard>> m_shards;
    int m_deviceCount = 0;
    QStringList m_missing; // devices left out, reported at start

    QElapsedTimer m_clock;
    QTimer m_timelineTimer;
    QTimer m_endTimer;
    std::size_t m_nextEvent = 0;
    int m_manualFaults = 0;
    bool m_running = false;
    bool m_stopping = false;
    bool m_endReached = false;
    int m_shardsStopping = 0; // requestStop(): shards whose threads have not ended yet
    SimulationStats m_atStop;
    qint64 m_elapsedAtStop = -1;
    qint64 m_pausedSinceMs = -1; // m_clock time the pause began; -1: not paused
    qint64 m_pausedTotalMs = 0;  // earlier pauses
    qint64 m_endRemainingMs = -1; // the end timer's time left when paused; -1: none
    SimulationStats m_final;

    // The answer being gathered: shards still to answer, and what those that did gave.
    quint64 m_snapshotGeneration = 0;
    int m_snapshotPartsDue = 0;
    std::vector<DeviceSnapshot> m_snapshot;

    mutable QMutex m_problemsMutex;
    QStringList m_problems;
    QHash<QString, int> m_problemCounts; // by reason
    int m_suppressed = 0;
};

} // namespace iotcore::sim
