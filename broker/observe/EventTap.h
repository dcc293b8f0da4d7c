#pragma once

// The one way the console and other observers learn what the broker did. Events are recorded on
// the broker thread only while someone listens (a single relaxed load otherwise), collected into
// a batch and handed to the sinks once per event-loop turn.

#include "BrokerEvent.h"

#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

namespace iotcore::broker {

class EventTap
{
public:
    using Sink = std::function<void(std::vector<BrokerEvent> &&batch)>;

    // Thread-safe. A sink is called on the broker thread with whole batches; it must not block.
    int addSink(Sink sink);
    void removeSink(int id);

    bool enabled() const { return m_enabled.load(std::memory_order_relaxed); }

    // Broker thread only. Callers check enabled() first so that building the event costs nothing
    // when nobody listens.
    void record(BrokerEvent &&event);

    // Broker thread: hands the batch collected since the last call to every sink.
    void flush();

private:
    std::atomic<bool> m_enabled{false};
    std::mutex m_sinksMutex;
    std::vector<std::pair<int, Sink>> m_sinks;
    int m_nextSinkId = 1;
    std::vector<BrokerEvent> m_batch;
};

} // namespace iotcore::broker
