#include "InProcessListener.h"

#include "EventLoop.h"
#include "InProcessTransport.h"

namespace iotcore::broker {

InProcessListener::InProcessListener(std::string name)
    : m_name(std::move(name))
{
}

std::shared_ptr<InProcessChannel>
InProcessListener::connect(std::shared_ptr<InProcessChannel::Waker> client)
{
    std::unique_lock lock(m_mutex);
    auto channel = std::make_shared<InProcessChannel>(m_nextNumber++, shared_from_this(),
                                                      std::move(client));
    if (m_stopped) {
        lock.unlock();
        channel->endFromBroker(InProcessChannel::BrokerEnd::Stopped);
        return channel;
    }
    m_incoming.push_back(channel);
    postDrainLocked();
    return channel;
}

void InProcessListener::start(EventLoop &loop, AcceptHandler onAccept)
{
    m_onAccept = std::move(onAccept);
    std::lock_guard lock(m_mutex);
    if (m_stopped)
        return;
    m_loop = &loop;
    if (!m_incoming.empty() || !m_ready.empty())
        postDrainLocked();
}

void InProcessListener::stop()
{
    std::vector<std::shared_ptr<InProcessChannel>> refused;
    std::vector<std::shared_ptr<InProcessChannel>> unread; // their transports are closed next
    {
        std::lock_guard lock(m_mutex);
        m_stopped = true;
        m_loop = nullptr;
        refused.swap(m_incoming);
        unread.swap(m_ready);
    }
    m_onAccept = nullptr;
    for (const auto &channel : refused)
        channel->endFromBroker(InProcessChannel::BrokerEnd::Stopped);
}

bool InProcessListener::isStopped() const
{
    std::lock_guard lock(m_mutex);
    return m_stopped;
}

void InProcessListener::wake(std::shared_ptr<InProcessChannel> channel)
{
    std::lock_guard lock(m_mutex);
    if (m_stopped)
        return; // its transport was closed with the broker; nobody reads any more
    m_ready.push_back(std::move(channel));
    postDrainLocked();
}

void InProcessListener::postDrainLocked()
{
    // One task on the loop for everything that arrives until it runs.
    if (m_drainPosted || !m_loop)
        return;
    m_drainPosted = true;
    m_loop->post([self = shared_from_this()] { self->drain(); });
}

void InProcessListener::drain()
{
    std::vector<std::shared_ptr<InProcessChannel>> incoming;
    std::vector<std::shared_ptr<InProcessChannel>> ready;
    {
        std::lock_guard lock(m_mutex);
        m_drainPosted = false;
        if (m_stopped)
            return; // posted before stop(), run after it in the same turn
        incoming.swap(m_incoming);
        ready.swap(m_ready);
    }
    // Accepted first: a client may have sent its CONNECT before the broker saw it connect.
    for (auto &channel : incoming) {
        auto transport = std::make_unique<InProcessTransport>(*m_loop, channel, shared_from_this());
        m_transports.emplace(channel.get(), transport.get());
        channel->accept();
        m_onAccept(std::move(transport));
    }
    for (const auto &channel : ready) {
        // Not found: the engine closed the connection (and freed it) before the client ended.
        if (auto found = m_transports.find(channel.get()); found != m_transports.end())
            found->second->receive();
    }
}

void InProcessListener::forget(const InProcessChannel *channel)
{
    m_transports.erase(channel);
}

} // namespace iotcore::broker
