#include "Simulation.h"

#include "Clock.h"
#include "Duration.h"
#include "Scheduler.h"
#include "SimulatedDevice.h"

#include <QDateTime>
#include <QThread>

#include <algorithm>
#include <thread>

namespace iotcore::sim {

namespace {

// How many lines one reason may take in takeProblems() before it is only counted.
constexpr int ProblemLinesPerReason = 3;
// How long the devices of a shard may take to have their last QoS 1 messages acknowledged and
// say goodbye (DISCONNECT).
constexpr int GoodbyeMs = 3000;

} // namespace

// One thread of devices: an event loop, a Scheduler and the devices it drives. Built on the
// caller's thread, then everything happens on its own thread.
class SimulationShard : public QObject
{
public:
    struct DeviceSpec {
        std::shared_ptr<const FleetModel> model;
        SimulatedDevice::Identity identity;
        qint64 startOffsetMs = 0;
    };

    SimulationShard(const Clock &clock, const BrokerTarget &target,
                    std::function<void(const QString &, const QString &)> reportProblem)
        : m_clock(clock)
    {
        m_environment.iotCoreTransport = target.transportFactory(true);
        m_environment.openTransport = target.transportFactory(false);
        m_environment.stats = &m_stats;
        m_environment.reportProblem = std::move(reportProblem);
        m_thread.setObjectName(QStringLiteral("simulator"));
        moveToThread(&m_thread);
    }

    ~SimulationShard() override { stop(); }

    void add(DeviceSpec spec) { m_specs.push_back(std::move(spec)); }
    int size() const { return int(m_specs.size()); }
    const ShardStats &stats() const { return m_stats; }

    void start(qint64 runStartMs, qint64 runStartEpochMs)
    {
        m_thread.start();
        QMetaObject::invokeMethod(this, [this, runStartMs, runStartEpochMs] {
            m_scheduler = std::make_unique<Scheduler>(m_clock);
            m_environment.scheduler = m_scheduler.get();
            m_environment.runStartMs = runStartMs;
            m_environment.runStartEpochMs = runStartEpochMs;
            m_devices.reserve(m_specs.size());
            for (DeviceSpec &spec : m_specs) {
                auto device = std::make_unique<SimulatedDevice>(spec.model, spec.identity, m_environment);
                device->start(runStartMs + spec.startOffsetMs);
                m_devices.push_back(std::move(device));
            }
            m_specs.clear();
            m_specs.shrink_to_fit();
        });
    }

    void injectFault(const TimelineEvent &fault, std::function<bool(const QString &)> picks)
    {
        QMetaObject::invokeMethod(this, [this, fault, picks = std::move(picks)] {
            for (const auto &device : m_devices) {
                if (device->model().fleet().name == fault.fleet && picks(device->identity().name))
                    device->injectFault(fault);
            }
        });
    }

    void setPaused(bool paused)
    {
        QMetaObject::invokeMethod(this, [this, paused] {
            for (const auto &device : m_devices) {
                if (paused)
                    device->pause();
                else
                    device->resume();
            }
        });
    }

    // Takes every device's snapshot on this thread and hands them to `answer` on `receiver`'s.
    void snapshot(QObject *receiver, std::function<void(std::vector<DeviceSnapshot>)> answer)
    {
        QMetaObject::invokeMethod(this, [this, receiver, answer = std::move(answer)] {
            std::vector<DeviceSnapshot> part;
            part.reserve(m_devices.size());
            for (const auto &device : m_devices) {
                const SimulatedDevice::Identity &identity = device->identity();
                DeviceSnapshot snapshot;
                snapshot.name = identity.name;
                snapshot.id = identity.id;
                snapshot.fleet = device->model().fleet().name;
                snapshot.index = identity.index;
                snapshot.connected = device->isConnected();
                snapshot.sent = device->sent();
                snapshot.faults = device->activeFaults();
                snapshot.sensors = device->model().sensorsShared();
                snapshot.values = device->sensors().values();
                part.push_back(std::move(snapshot));
            }
            // Queued to the receiver: dropped with it if it is gone by then.
            QMetaObject::invokeMethod(receiver, [answer, part = std::move(part)]() mutable { answer(std::move(part)); },
                                      Qt::QueuedConnection);
        });
    }

    void recordLateness()
    {
        QMetaObject::invokeMethod(this, [this] {
            if (m_scheduler)
                m_stats.maxLatenessMs.store(m_scheduler->takeLateness().maxMs, std::memory_order_relaxed);
        });
    }

    // Says goodbye from every device, lets the DISCONNECTs leave, then ends the thread (which
    // emits its finished()). Returns at once.
    void beginStop()
    {
        if (!m_thread.isRunning() || m_stopRequested)
            return;
        m_stopRequested = true;
        QMetaObject::invokeMethod(this, [this] {
            for (const auto &device : m_devices)
                device->stop();
            m_goodbye.start();
            finishWhenQuiet();
        });
    }

    // beginStop(), and returns when the thread has ended.
    void stop()
    {
        beginStop();
        m_thread.wait();
    }

    const QThread &thread() const { return m_thread; }

private:
    // Every device disconnected (its QoS 1 messages acknowledged first), or the patience is up.
    void finishWhenQuiet()
    {
        const bool quiet = std::all_of(m_devices.begin(), m_devices.end(),
                                       [](const auto &device) { return device->isStopped(); });
        if (!quiet && !m_goodbye.hasExpired(GoodbyeMs)) {
            QTimer::singleShot(20, this, [this] { finishWhenQuiet(); });
            return;
        }
        // The last DISCONNECTs get a moment to leave before their transports go.
        QTimer::singleShot(50, this, [this] {
            m_devices.clear();
            m_scheduler.reset();
            m_thread.quit();
        });
    }

public:

private:
    const Clock &m_clock;
    QThread m_thread;
    bool m_stopRequested = false;
    QElapsedTimer m_goodbye;
    ShardStats m_stats;
    DeviceEnvironment m_environment;
    std::unique_ptr<Scheduler> m_scheduler;
    std::vector<DeviceSpec> m_specs;
    std::vector<std::unique_ptr<SimulatedDevice>> m_devices;
};

namespace {

const SteadyClock &runClock()
{
    static const SteadyClock clock;
    return clock;
}

} // namespace

Simulation::Simulation(Scenario scenario, BrokerTarget target, SimulationOptions options)
    : m_scenario(std::move(scenario)), m_target(std::move(target)), m_options(std::move(options))
{
    m_timelineTimer.setSingleShot(true);
    connect(&m_timelineTimer, &QTimer::timeout, this, &Simulation::runTimeline);
    m_endTimer.setSingleShot(true);
    connect(&m_endTimer, &QTimer::timeout, this, [this] {
        m_endReached = true;
        requestStop();
    });
}

Simulation::~Simulation()
{
    // Nobody is told: whoever listens may be going too.
    blockSignals(true);
    stop();
}

std::unique_ptr<Simulation> Simulation::create(const Scenario &scenario, const broker::Catalog &catalog,
                                               BrokerTarget target, SimulationOptions options, QString *error)
{
    if (options.sliceCount < 1 || options.sliceIndex < 0 || options.sliceIndex >= options.sliceCount) {
        *error = QStringLiteral("fleet slice %1/%2 does not exist").arg(options.sliceIndex + 1).arg(options.sliceCount);
        return nullptr;
    }
    auto simulation = std::unique_ptr<Simulation>(new Simulation(scenario, std::move(target), options));
    for (const Fleet &fleet : scenario.fleets) {
        std::shared_ptr<const FleetModel> model = FleetModel::compile(fleet, options.sensorOptions, error);
        if (!model)
            return nullptr;
        simulation->m_models.push_back(std::move(model));
    }

    int threads = options.threads;
    if (threads <= 0)
        threads = int(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
    Simulation *self = simulation.get();
    auto report = [self](const QString &device, const QString &problem) { self->reportProblem(device, problem); };
    for (int t = 0; t < threads; ++t) {
        auto shard = std::make_unique<SimulationShard>(runClock(), simulation->m_target, report);
        // Emitted on the shard's thread as it ends: queued to this one.
        connect(&shard->thread(), &QThread::finished, self, &Simulation::shardStopped);
        simulation->m_shards.push_back(std::move(shard));
    }

    // Every device of the scenario has a number across fleets; this slice takes its share.
    const int connectRate = std::max(options.connectRate, 1);
    int number = -1;
    int planned = 0;
    for (std::size_t f = 0; f < scenario.fleets.size(); ++f) {
        const Fleet &fleet = scenario.fleets[f];
        const broker::Registry *registry = fleet.identity.kind == Identity::Kind::Device
            ? catalog.registryByName(fleet.identity.registry.toStdString())
            : nullptr;
        const broker::IotBroker *iotBroker = fleet.identity.kind == Identity::Kind::Broker
            ? catalog.brokerByName(fleet.identity.broker.toStdString())
            : nullptr;
        if (fleet.identity.kind == Identity::Kind::Device && !registry) {
            *error = QStringLiteral("fleet \"%1\": registry \"%2\" is not in the workspace (sim fleet create or sim "
                                    "scenario import provisions it)")
                         .arg(fleet.name, fleet.identity.registry);
            return nullptr;
        }
        if (fleet.identity.kind == Identity::Kind::Broker && !iotBroker) {
            *error = QStringLiteral("fleet \"%1\": broker \"%2\" is not in the workspace (sim fleet create or sim "
                                    "scenario import provisions it)")
                         .arg(fleet.name, fleet.identity.broker);
            return nullptr;
        }
        for (int i = 0; i < fleet.count; ++i) {
            ++number;
            if (number % options.sliceCount != options.sliceIndex)
                continue;
            SimulationShard::DeviceSpec spec;
            spec.model = simulation->m_models[f];
            SimulatedDevice::Identity &identity = spec.identity;
            identity.name = fleet.deviceNameAt(i);
            identity.index = i;
            identity.id = identity.name;
            identity.seed = sensorSeed(scenario.seed, identity.name, fleet.name);
            switch (fleet.identity.kind) {
            case Identity::Kind::Device: {
                const broker::Device *device = catalog.deviceByName(registry->id, identity.name.toStdString());
                if (!device) {
                    simulation->m_missing << identity.name;
                    continue;
                }
                identity.id = QString::fromStdString(device->id);
                identity.username = identity.id;
                identity.password = devicePassword(fleet.identity.secret, identity.name);
                break;
            }
            case Identity::Kind::Broker:
                identity.username = QString::fromStdString(iotBroker->id);
                identity.password = devicePassword(fleet.identity.secret, fleet.identity.broker);
                break;
            case Identity::Kind::Anonymous:
                identity.username = fleet.identity.username;
                identity.password = fleet.identity.password;
                break;
            }
            spec.startOffsetMs = qint64(planned) * 1000 / connectRate;
            simulation->m_shards[std::size_t(planned) % simulation->m_shards.size()]->add(std::move(spec));
            ++planned;
        }
    }
    simulation->m_deviceCount = planned;
    return simulation;
}

void Simulation::start(qint64 durationMs)
{
    if (m_running)
        return;
    m_running = true;
    for (const QString &device : std::as_const(m_missing))
        reportProblem(device, QStringLiteral("not in the workspace's catalog (sim fleet create provisions it); left out"));
    m_clock.start();
    const qint64 runStartMs = runClock().nowMs();
    const qint64 runStartEpochMs = QDateTime::currentMSecsSinceEpoch();
    for (const auto &shard : m_shards)
        shard->start(runStartMs, runStartEpochMs);
    std::stable_sort(m_scenario.timeline.begin(), m_scenario.timeline.end(),
                     [](const TimelineEvent &a, const TimelineEvent &b) { return a.atMs < b.atMs; });
    m_nextEvent = 0;
    runTimeline();
    const qint64 duration = durationMs >= 0 ? durationMs : m_scenario.durationMs;
    if (duration > 0)
        m_endTimer.start(std::chrono::milliseconds(duration));
}

void Simulation::stop()
{
    if (!m_running)
        return;
    if (!m_stopping)
        beginStop();
    for (const auto &shard : m_shards)
        shard->stop();
    endStop();
    // Also when a requestStop() was on its way: its shardStopped() calls now find nothing to do.
    emit stopped();
    if (std::exchange(m_endReached, false))
        emit finished();
}

void Simulation::requestStop()
{
    if (!m_running || m_stopping)
        return;
    beginStop();
    m_shardsStopping = int(m_shards.size());
    for (const auto &shard : m_shards)
        shard->beginStop();
}

void Simulation::beginStop()
{
    m_elapsedAtStop = elapsedMs(); // before m_stopping, which freezes elapsedMs() at this value
    m_stopping = true;
    m_pausedSinceMs = -1;
    m_pausedTotalMs = 0;
    m_endRemainingMs = -1;
    // An answer still on its way describes devices that are going: it is not delivered.
    ++m_snapshotGeneration;
    m_snapshotPartsDue = 0;
    m_snapshot.clear();
    m_timelineTimer.stop();
    m_endTimer.stop();
    // How the run stood at its end: the devices and connections before they say goodbye, the
    // counters after (acknowledgements still arrive while the devices disconnect).
    m_atStop = liveStats();
}

void Simulation::endStop()
{
    m_running = false;
    m_stopping = false;
    m_shardsStopping = 0;
    m_final = liveStats();
    m_final.devices = m_atStop.devices;
    m_final.connected = m_atStop.connected;
}

void Simulation::shardStopped()
{
    // Only a requestStop() counts its shards; stop() has waited for them itself.
    if (!m_stopping || m_shardsStopping == 0 || --m_shardsStopping > 0)
        return;
    for (const auto &shard : m_shards)
        shard->stop(); // each has emitted finished(): this only joins the thread
    endStop();
    emit stopped();
    if (std::exchange(m_endReached, false))
        emit finished();
}

qint64 Simulation::elapsedMs() const
{
    if (!m_running || m_stopping)
        return std::max<qint64>(m_elapsedAtStop, 0);
    const qint64 now = isPaused() ? m_pausedSinceMs : m_clock.elapsed();
    return now - m_pausedTotalMs;
}

void Simulation::pause()
{
    if (!m_running || m_stopping || isPaused())
        return;
    m_pausedSinceMs = m_clock.elapsed();
    m_timelineTimer.stop();
    m_endRemainingMs = m_endTimer.isActive() ? m_endTimer.remainingTime() : -1;
    m_endTimer.stop();
    for (const auto &shard : m_shards)
        shard->setPaused(true);
    emit pausedChanged(true);
}

void Simulation::resume()
{
    if (!m_running || m_stopping || !isPaused())
        return;
    m_pausedTotalMs += m_clock.elapsed() - m_pausedSinceMs;
    m_pausedSinceMs = -1;
    for (const auto &shard : m_shards)
        shard->setPaused(false);
    runTimeline();
    if (m_endRemainingMs >= 0)
        m_endTimer.start(std::chrono::milliseconds(m_endRemainingMs));
    m_endRemainingMs = -1;
    emit pausedChanged(false);
}

bool Simulation::requestSnapshot()
{
    if (!m_running || m_stopping)
        return false;
    if (m_snapshotPartsDue > 0)
        return true;
    m_snapshotPartsDue = int(m_shards.size());
    const quint64 generation = ++m_snapshotGeneration;
    for (const auto &shard : m_shards)
        shard->snapshot(this, [this, generation](std::vector<DeviceSnapshot> part) {
            takeSnapshotPart(generation, std::move(part));
        });
    return true;
}

void Simulation::takeSnapshotPart(quint64 generation, std::vector<DeviceSnapshot> part)
{
    if (generation != m_snapshotGeneration || m_snapshotPartsDue == 0)
        return;
    std::move(part.begin(), part.end(), std::back_inserter(m_snapshot));
    if (--m_snapshotPartsDue > 0)
        return;
    QHash<QString, int> fleetOrder;
    for (std::size_t f = 0; f < m_scenario.fleets.size(); ++f)
        fleetOrder.insert(m_scenario.fleets[f].name, int(f));
    std::sort(m_snapshot.begin(), m_snapshot.end(), [&fleetOrder](const DeviceSnapshot &a, const DeviceSnapshot &b) {
        const int fleetA = fleetOrder.value(a.fleet);
        const int fleetB = fleetOrder.value(b.fleet);
        return fleetA != fleetB ? fleetA < fleetB : a.index < b.index;
    });
    emit snapshotReady(std::exchange(m_snapshot, {}));
}

void Simulation::runTimeline()
{
    const qint64 now = elapsedMs();
    while (m_nextEvent < m_scenario.timeline.size() && m_scenario.timeline[m_nextEvent].atMs <= now) {
        const TimelineEvent &event = m_scenario.timeline[m_nextEvent];
        const int eventNumber = int(m_nextEvent);
        ++m_nextEvent;
        for (const auto &shard : m_shards)
            shard->injectFault(event, [this, event, eventNumber](const QString &name) {
                return picks(event, eventNumber, name);
            });
    }
    if (!isPaused() && m_nextEvent < m_scenario.timeline.size())
        m_timelineTimer.start(std::chrono::milliseconds(m_scenario.timeline[m_nextEvent].atMs - now));
}

void Simulation::injectFault(const TimelineEvent &fault)
{
    // Numbered after the timeline's own, so a fault injected by hand picks its own devices.
    const int eventNumber = int(m_scenario.timeline.size()) + ++m_manualFaults;
    for (const auto &shard : m_shards)
        shard->injectFault(fault, [this, fault, eventNumber](const QString &name) {
            return picks(fault, eventNumber, name);
        });
}

bool Simulation::picks(const TimelineEvent &fault, int eventNumber, const QString &deviceName) const
{
    if (!fault.devices.isEmpty())
        return fault.devices.contains(deviceName);
    if (fault.share >= 1.0)
        return true;
    Random random(sensorSeed(m_scenario.seed + quint64(eventNumber), deviceName, u"fault"));
    return random.uniform() < fault.share;
}

SimulationStats Simulation::stats() const
{
    return !m_running && m_elapsedAtStop >= 0 ? m_final : liveStats();
}

SimulationStats Simulation::liveStats() const
{
    SimulationStats sum;
    for (const auto &shard : m_shards) {
        shard->stats().addTo(sum);
        if (shard->thread().isRunning()) // a stopped shard would keep the request queued forever
            shard->recordLateness();
    }
    return sum;
}

void Simulation::reportProblem(const QString &device, const QString &problem)
{
    QMutexLocker lock(&m_problemsMutex);
    int &count = m_problemCounts[problem];
    if (++count > ProblemLinesPerReason) {
        ++m_suppressed;
        return;
    }
    m_problems << QStringLiteral("%1: %2").arg(device, problem);
}

QStringList Simulation::takeProblems(int *suppressed)
{
    QMutexLocker lock(&m_problemsMutex);
    if (suppressed)
        *suppressed = std::exchange(m_suppressed, 0);
    return std::exchange(m_problems, {});
}

} // namespace iotcore::sim
