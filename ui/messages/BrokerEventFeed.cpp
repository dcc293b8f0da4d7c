#include "BrokerEventFeed.h"

#include "MessageStore.h"

#include "observe/EventTap.h"

namespace iotcore::ui {

BrokerEventFeed::BrokerEventFeed(broker::EventTap &tap, MessageStore &store, QObject *parent)
    : QObject(parent)
    , m_tap(tap)
    , m_store(store)
{
    m_sinkId = m_tap.addSink([this](std::vector<broker::BrokerEvent> &&batch) {
        std::lock_guard lock(m_mutex);
        m_pending.push_back(std::move(batch));
    });
    m_timer.setInterval(DrainIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &BrokerEventFeed::drain);
    m_timer.start();
}

BrokerEventFeed::~BrokerEventFeed()
{
    // removeSink() takes the tap's sink lock, so no batch is being handed over once it returns.
    m_tap.removeSink(m_sinkId);
}

void BrokerEventFeed::drain()
{
    std::vector<std::vector<broker::BrokerEvent>> batches;
    {
        std::lock_guard lock(m_mutex);
        batches.swap(m_pending);
    }
    if (batches.empty())
        return;
    if (batches.size() == 1) {
        m_store.ingest(batches.front());
        return;
    }
    // One ingest per drain, so that views see one insertion per frame.
    std::vector<broker::BrokerEvent> all;
    std::size_t total = 0;
    for (const auto &batch : batches)
        total += batch.size();
    all.reserve(total);
    for (auto &batch : batches)
        std::move(batch.begin(), batch.end(), std::back_inserter(all));
    m_store.ingest(all);
}

} // namespace iotcore::ui
