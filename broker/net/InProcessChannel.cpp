#include "InProcessChannel.h"

#include <utility>

namespace iotcore::broker {

InProcessChannel::InProcessChannel(std::uint64_t number, std::shared_ptr<Waker> broker,
                                   std::shared_ptr<Waker> client)
    : m_number(number)
    , m_brokerWaker(std::move(broker))
    , m_clientWaker(std::move(client))
{
}

void InProcessChannel::sendToBroker(std::string_view bytes)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_clientEnded || m_brokerEnded != BrokerEnd::None || bytes.empty())
            return;
        m_toBroker.append(bytes);
        if (std::exchange(m_brokerWoken, true))
            return;
    }
    m_brokerWaker->wake(shared_from_this());
}

void InProcessChannel::endFromClient(bool discardUnsent)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_clientEnded)
            return;
        m_clientEnded = true;
        if (discardUnsent)
            m_toBroker.clear();
        // Nobody will take what the broker sent: it no longer holds the broker back.
        m_toClient.clear();
        m_unconsumed.store(0, std::memory_order_relaxed);
        if (std::exchange(m_brokerWoken, true))
            return;
    }
    m_brokerWaker->wake(shared_from_this());
}

InProcessChannel::ForClient InProcessChannel::takeForClient()
{
    ForClient taken;
    std::lock_guard lock(m_mutex);
    m_clientWoken = false;
    taken.accepted = m_accepted;
    taken.bytes.swap(m_toClient);
    taken.ended = m_brokerEnded;
    m_unconsumed.store(0, std::memory_order_relaxed);
    return taken;
}

void InProcessChannel::accept()
{
    {
        std::lock_guard lock(m_mutex);
        m_accepted = true;
        if (std::exchange(m_clientWoken, true))
            return;
    }
    m_clientWaker->wake(shared_from_this());
}

void InProcessChannel::sendToClient(std::string &bytes)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_clientEnded || m_brokerEnded != BrokerEnd::None || bytes.empty()) {
            bytes.clear();
            return;
        }
        if (m_toClient.empty())
            m_toClient.swap(bytes); // the common case: no copy, and the outbox gets a buffer back
        else
            m_toClient.append(bytes);
        bytes.clear();
        m_unconsumed.store(m_toClient.size(), std::memory_order_relaxed);
        if (std::exchange(m_clientWoken, true))
            return;
    }
    m_clientWaker->wake(shared_from_this());
}

void InProcessChannel::endFromBroker(BrokerEnd why)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_brokerEnded != BrokerEnd::None || why == BrokerEnd::None)
            return;
        m_brokerEnded = why;
        m_toBroker.clear();
        // A client that closed gracefully waits for this end to let its transport go.
        if (std::exchange(m_clientWoken, true))
            return;
    }
    m_clientWaker->wake(shared_from_this());
}

InProcessChannel::ForBroker InProcessChannel::takeForBroker()
{
    ForBroker taken;
    std::lock_guard lock(m_mutex);
    m_brokerWoken = false;
    taken.bytes.swap(m_toBroker);
    taken.ended = m_clientEnded;
    return taken;
}

} // namespace iotcore::broker
