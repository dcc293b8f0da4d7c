#pragma once

// Counters of a simulation run. Each shard (one thread of devices) counts in its own ShardStats
// with relaxed atomics, written only by that thread; the progress line and the console read a
// sum now and then. Nothing here costs a lock on the devices' path.

#include <QtGlobal>

#include <atomic>

namespace iotcore::sim {

struct SimulationStats {
    quint64 devices = 0;      // devices running (this slice)
    quint64 connected = 0;    // connected right now
    quint64 connects = 0;     // successful connections, reconnections included
    quint64 published = 0;    // messages handed to the client: events, state, replies
    quint64 acknowledged = 0; // QoS 1 messages the broker acknowledged
    quint64 commands = 0;     // commands and config messages received
    quint64 disconnects = 0;  // connections lost that the device did not end itself
    quint64 refused = 0;      // connection attempts the broker refused (CONNACK ≠ 0)
    quint64 lost = 0;         // PUBLISH packets a lossy-link fault swallowed
    quint64 faults = 0;       // faults started on devices
    qint64 maxLatenessMs = 0; // how far behind schedule ticks ran since the last reading
};

struct ShardStats {
    std::atomic<quint64> devices{0};
    std::atomic<quint64> connected{0};
    std::atomic<quint64> connects{0};
    std::atomic<quint64> published{0};
    std::atomic<quint64> acknowledged{0};
    std::atomic<quint64> commands{0};
    std::atomic<quint64> disconnects{0};
    std::atomic<quint64> refused{0};
    std::atomic<quint64> lost{0};
    std::atomic<quint64> faults{0};
    std::atomic<qint64> maxLatenessMs{0};

    static void add(std::atomic<quint64> &counter, qint64 amount = 1)
    {
        counter.store(counter.load(std::memory_order_relaxed) + quint64(amount), std::memory_order_relaxed);
    }

    void addTo(SimulationStats &sum) const
    {
        sum.devices += devices.load(std::memory_order_relaxed);
        sum.connected += connected.load(std::memory_order_relaxed);
        sum.connects += connects.load(std::memory_order_relaxed);
        sum.published += published.load(std::memory_order_relaxed);
        sum.acknowledged += acknowledged.load(std::memory_order_relaxed);
        sum.commands += commands.load(std::memory_order_relaxed);
        sum.disconnects += disconnects.load(std::memory_order_relaxed);
        sum.refused += refused.load(std::memory_order_relaxed);
        sum.lost += lost.load(std::memory_order_relaxed);
        sum.faults += faults.load(std::memory_order_relaxed);
        sum.maxLatenessMs = std::max(sum.maxLatenessMs, maxLatenessMs.load(std::memory_order_relaxed));
    }
};

} // namespace iotcore::sim
