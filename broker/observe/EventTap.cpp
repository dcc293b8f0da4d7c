#include "EventTap.h"

namespace iotcore::broker {

const char *brokerEventKindName(BrokerEvent::Kind kind)
{
    switch (kind) {
    case BrokerEvent::Kind::Connect: return "connect";
    case BrokerEvent::Kind::Disconnect: return "disconnect";
    case BrokerEvent::Kind::Subscribe: return "subscribe";
    case BrokerEvent::Kind::Unsubscribe: return "unsubscribe";
    case BrokerEvent::Kind::Publish: return "publish";
    case BrokerEvent::Kind::Deliver: return "deliver";
    case BrokerEvent::Kind::Ack: return "ack";
    case BrokerEvent::Kind::Retry: return "retry";
    case BrokerEvent::Kind::Drop: return "drop";
    case BrokerEvent::Kind::Refuse: return "refuse";
    }
    return "unknown";
}

int EventTap::addSink(Sink sink)
{
    std::lock_guard lock(m_sinksMutex);
    const int id = m_nextSinkId++;
    m_sinks.emplace_back(id, std::move(sink));
    m_enabled.store(true, std::memory_order_relaxed);
    return id;
}

void EventTap::removeSink(int id)
{
    std::lock_guard lock(m_sinksMutex);
    std::erase_if(m_sinks, [id](const auto &entry) { return entry.first == id; });
    m_enabled.store(!m_sinks.empty(), std::memory_order_relaxed);
}

void EventTap::record(BrokerEvent &&event)
{
    m_batch.push_back(std::move(event));
}

void EventTap::flush()
{
    if (m_batch.empty())
        return;
    std::vector<BrokerEvent> batch;
    batch.swap(m_batch);
    std::lock_guard lock(m_sinksMutex);
    if (m_sinks.empty())
        return;
    for (std::size_t i = 0; i + 1 < m_sinks.size(); ++i)
        m_sinks[i].second(std::vector<BrokerEvent>(batch));
    m_sinks.back().second(std::move(batch));
}

} // namespace iotcore::broker
