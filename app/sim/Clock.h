#pragma once

// The simulator's sense of time: milliseconds on a monotonic clock, behind an interface so that
// tests drive the Scheduler through days of simulated time without waiting (FakeClock).
// Wall-clock time (what a payload's {timestamp} says) is not this: the device runtime passes it
// to the payload renderer, which is also where clock-skew faults belong.

#include <QtGlobal>

#include <chrono>

namespace iotcore::sim {

class Clock
{
public:
    virtual ~Clock() = default;
    // Milliseconds since an arbitrary origin; never goes backwards.
    virtual qint64 nowMs() const = 0;
};

// std::chrono::steady_clock, counted from when the clock was made. Safe to read from any thread.
class SteadyClock final : public Clock
{
public:
    qint64 nowMs() const override
    {
        using namespace std::chrono;
        return duration_cast<milliseconds>(steady_clock::now() - m_origin).count();
    }

private:
    std::chrono::steady_clock::time_point m_origin = std::chrono::steady_clock::now();
};

// Time that moves only when told to. For tests; not thread-safe.
class FakeClock final : public Clock
{
public:
    explicit FakeClock(qint64 startMs = 0) : m_nowMs(startMs) {}

    qint64 nowMs() const override { return m_nowMs; }
    // Moving backwards is ignored: a Clock is monotonic.
    void setNowMs(qint64 ms) { m_nowMs = qMax(m_nowMs, ms); }
    void advance(qint64 ms) { setNowMs(m_nowMs + ms); }

private:
    qint64 m_nowMs;
};

} // namespace iotcore::sim
