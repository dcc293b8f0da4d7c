#include "BrokerServer.h"

#include "EventLoop.h"
#include "InProcessListener.h"
#include "InProcessTransport.h"
#include "Listener.h"
#include "TransportFactory.h"
#include "core/Broker.h"
#include "core/ClientConnection.h"
#include "core/ClientRights.h"
#include "observe/Log.h"

#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>

namespace iotcore::broker {

namespace {

// The broker's thread sleeps in epoll_wait between bursts of input and is woken by the clients'
// writes. On loopback TCP the kernel wakes a reader "synchronously", on its writer's CPU when the
// other one is busy, so under the normal policy a wake-up preempts the client that just wrote:
// with its clients on the same machine (the simulator, the console's clients, a load generator)
// the broker took the CPU from the very client that feeds it (in the fan-in benchmark on a busy
// machine, the subscriber's thread was preempted 8,000-13,000 times a second, inside its writes).
// SCHED_BATCH keeps the thread's share of the CPU and gives up only preemption on wake-up: the
// broker runs at once on an idle CPU, otherwise when the running task's slice ends, and then
// handles more per turn. Measured with tests/bench (same-run A/B on a shared 2-core machine):
// fan-in QoS 0 +12-28 % while other work ran beside it, unchanged within noise when the machine
// was quiet; broker CPU per message 0.25-0.6x; p99 latency at 10,000 msg/s 0.74-1.45x, worse
// only while other processes kept both CPUs busy (the broker then waits for their slices). Linux
// applies the policy to the calling thread only and asks no privilege; where it is refused, the
// thread keeps the default one.
void preferThroughputToWakeUpLatency()
{
    const sched_param param{};
    pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
}

} // namespace

struct BrokerServer::ListenerEntry {
    std::unique_ptr<Listener> listener;
    std::unique_ptr<TransportFactory> factory;
    std::shared_ptr<const ListenerInfo> info;
};

struct BrokerServer::InProcessEntry {
    std::shared_ptr<InProcessListener> listener;
    std::shared_ptr<const ListenerInfo> info;
};

std::string BoundListener::url() const
{
    std::string scheme = spec.protocol == ListenerSpec::Protocol::WebSocket ? "ws" : "mqtt";
    if (spec.tls)
        scheme += 's';
    const std::string host = spec.host.find(':') != std::string::npos ? "[" + spec.host + "]"
                                                                      : spec.host;
    return scheme + "://" + host + ":" + std::to_string(port);
}

namespace {

// Ten thousand connections need more descriptors than a shell's default soft limit of 1024.
// Large buffers (a burst's write buffer, a big packet) come from mmap and go back to the system
// when freed. glibc otherwise raises this threshold after the first such free, and later bursts
// then leave the heap fragmented and large for good.
void keepLargeBuffersOutOfTheHeap()
{
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
}

void raiseDescriptorLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// What the engine learns of a listener; null with `error` set when IoT Core mode cannot work.
std::shared_ptr<ListenerInfo> listenerInfo(const std::string &name, ListenerInfo::Mode mode,
                                           const std::shared_ptr<Authenticator> &authenticator,
                                           std::string *error)
{
    auto info = std::make_shared<ListenerInfo>();
    info->name = name;
    info->mode = mode;
    if (mode == ListenerInfo::Mode::IotCore) {
        if (!authenticator) {
            *error = "listener " + name + ": IoT Core mode needs the workspace's catalog";
            return nullptr;
        }
        info->authenticator = authenticator;
    }
    return info;
}

} // namespace

BrokerServer::BrokerServer(BrokerConfig config, Log &log, BrokerPersistence *persistence,
                           QObject *parent)
    : QObject(parent)
    , m_log(log)
    , m_persistence(persistence)
    , m_loop(std::make_unique<EventLoop>())
    , m_broker(std::make_unique<Broker>(config, log, m_tap, persistence))
{
    raiseDescriptorLimit();
    keepLargeBuffersOutOfTheHeap();
}

BrokerServer::~BrokerServer()
{
    stop();
    // Clients still waiting in an in-process backlog (the server never started) learn it now;
    // after stop() this changes nothing.
    for (const InProcessEntry &entry : m_inProcess)
        entry.listener->stop();
}

void BrokerServer::restore(const StoredBrokerState &state)
{
    m_broker->restore(state);
}

bool BrokerServer::addListener(const ListenerSpec &spec, std::string *error)
{
    auto entry = std::make_unique<ListenerEntry>();
    entry->factory = TransportFactory::forListener(spec, error);
    if (!entry->factory)
        return false;
    entry->listener = Listener::open(spec.host, spec.port, error);
    if (!entry->listener)
        return false;
    auto info = listenerInfo(spec.name, spec.mode, m_authenticator, error);
    if (!info)
        return false;
    BoundListener bound{spec, entry->listener->port()};
    info->scheme = bound.url().substr(0, bound.url().find(':'));
    entry->info = std::move(info);
    m_bound.push_back(bound);
    m_listeners.push_back(std::move(entry));
    return true;
}

bool BrokerServer::addInProcessListener(const std::string &name, ListenerInfo::Mode mode,
                                        std::string *error)
{
    return addInProcess(name, mode, false, error);
}

bool BrokerServer::addInProcessAssertedListener(const std::string &name, std::string *error)
{
    return addInProcess(name, ListenerInfo::Mode::IotCore, true, error);
}

bool BrokerServer::addInProcess(const std::string &name, ListenerInfo::Mode mode,
                                bool identityAsserted, std::string *error)
{
    if (inProcessListener(name)) {
        *error = "listener " + name + ": an in-process listener of that name exists";
        return false;
    }
    auto info = listenerInfo(name, mode, m_authenticator, error);
    if (!info)
        return false;
    info->scheme = "inproc";
    info->identityAsserted = identityAsserted;
    m_inProcess.push_back({std::make_shared<InProcessListener>(name), std::move(info)});
    return true;
}

std::shared_ptr<InProcessListener> BrokerServer::inProcessListener(const std::string &name) const
{
    for (const InProcessEntry &entry : m_inProcess) {
        if (entry.listener->name() == name)
            return entry.listener;
    }
    return nullptr;
}

bool BrokerServer::start()
{
    if (isRunning())
        return true;
    if (!m_loop->isValid())
        return false;
    for (auto &entry : m_listeners) {
        ListenerEntry *raw = entry.get();
        raw->listener->start(*m_loop, [this, raw](int fd, std::string peer) {
            auto transport = raw->factory->create(*m_loop, fd, std::move(peer));
            SocketTransport *socket = transport.get();
            if (!socket->start())
                return; // the transport closes the descriptor
            m_broker->attach(std::move(transport), raw->info);
        });
    }
    for (const InProcessEntry &entry : m_inProcess) {
        entry.listener->start(*m_loop, [this, info = entry.info](
                                           std::unique_ptr<InProcessTransport> transport) {
            m_broker->attach(std::move(transport), info);
        });
    }
    m_loop->setTick(std::chrono::milliseconds(250),
                    [this, lastTrim = Broker::Clock::now()]() mutable {
                        const auto now = Broker::Clock::now();
                        m_broker->tick(now);
                        for (auto &entry : m_listeners)
                            entry->listener->resume();
                        // Bursts leave freed buffers in glibc's arenas, which it keeps; give
                        // them back so that a broker that was busy is small again when idle.
                        if (now - lastTrim >= std::chrono::seconds(5)) {
                            lastTrim = now;
                            malloc_trim(0);
                        }
                    });
    m_loop->setEndOfTurn([this] { m_broker->endOfTurn(); });
    m_thread = std::thread([this] {
        preferThroughputToWakeUpLatency();
        m_loop->run();
    });
    return true;
}

bool BrokerServer::stop()
{
    if (!isRunning())
        return m_stopResult;
    m_loop->post([this] {
        for (auto &entry : m_listeners)
            entry->listener->stop();
        for (const InProcessEntry &entry : m_inProcess)
            entry.listener->stop();
        m_stopResult = m_broker->shutdown();
        m_loop->quit();
    });
    m_thread.join();
    if (!m_stopResult && m_persistence) {
        m_log.write(LogLevel::Error, "store",
                    {{"error", m_persistence->lastError()}, {"action", "could not save state"}});
    }
    return m_stopResult;
}

void BrokerServer::post(std::function<void(Broker &)> task)
{
    m_loop->post([this, task = std::move(task)] { task(*m_broker); });
}

} // namespace iotcore::broker
