#include "BrokerServer.h"

#include "EventLoop.h"
#include "Listener.h"
#include "TransportFactory.h"
#include "core/Broker.h"
#include "core/ClientConnection.h"
#include "core/ClientRights.h"
#include "observe/Log.h"

#include <malloc.h>
#include <sys/resource.h>

namespace iotcore::broker {

struct BrokerServer::ListenerEntry {
    std::unique_ptr<Listener> listener;
    std::unique_ptr<TransportFactory> factory;
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
    auto info = std::make_shared<ListenerInfo>();
    info->name = spec.name;
    info->mode = spec.mode;
    if (spec.mode == ListenerInfo::Mode::IotCore) {
        if (!m_authenticator) {
            *error = "listener " + spec.name + ": IoT Core mode needs the workspace's catalog";
            return false;
        }
        info->authenticator = m_authenticator;
    }
    BoundListener bound{spec, entry->listener->port()};
    info->scheme = bound.url().substr(0, bound.url().find(':'));
    entry->info = std::move(info);
    m_bound.push_back(bound);
    m_listeners.push_back(std::move(entry));
    return true;
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
    m_thread = std::thread([this] { m_loop->run(); });
    return true;
}

bool BrokerServer::stop()
{
    if (!isRunning())
        return m_stopResult;
    m_loop->post([this] {
        for (auto &entry : m_listeners)
            entry->listener->stop();
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
