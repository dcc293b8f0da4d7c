#pragma once

// When one device publishes: the pure arithmetic of a period, jitter, an initial phase and
// bursts, plus the change rules the device runtime consults. No timers and no state beyond a
// ScheduleCursor's position: every send time is a function of (start, seed, period index), so a
// run is reproducible and never drifts. The n-th period's time is start + phase + n·period +
// jitter(n): jitter is drawn around each nominal time, never accumulated.
//
// The JSON form (durations as seconds or "500ms", "10s", "5m", "1h"; only `period` is required):
//
//   {"period": "10s", "jitter": "500ms", "offset": "2s",
//    "burst": {"every": 6, "count": 3, "spacing": "100ms"},
//    "onlyOnChange": {"deadband": 0.5, "maxSilence": "5m"}, "sendStateOnChange": true}
//
// Without `offset`, each device's first send is spread over the first period by its seed.

#include <QJsonObject>
#include <QString>

#include <optional>

namespace iotcore::sim {

struct Schedule {
    // Every `every`-th period (the first included) sends `count` messages `spacingMs` apart
    // instead of one. JSON: "count" is required, "every" is 1 and "spacing" 0 by default.
    struct Burst {
        int every = 1;
        int count = 2;
        qint64 spacingMs = 0;
        friend bool operator==(const Burst &, const Burst &) = default;
    };

    // Publish only when a value changed by more than `deadband`, and at least every
    // `maxSilenceMs` (0: no heartbeat) so that a quiet device is still seen alive.
    struct OnlyOnChange {
        double deadband = 0;
        qint64 maxSilenceMs = 0;

        bool exceedsDeadband(double lastSent, double current) const;
        bool heartbeatDue(qint64 silentForMs) const
        {
            return maxSilenceMs > 0 && silentForMs >= maxSilenceMs;
        }
        friend bool operator==(const OnlyOnChange &, const OnlyOnChange &) = default;
    };

    qint64 periodMs = 10'000;
    // Each send moves by a uniform amount in [-jitterMs, +jitterMs]; at most half the period,
    // so consecutive messages never swap places.
    qint64 jitterMs = 0;
    // The first send's delay after the start; unset: spread by the device's seed (phaseMs()).
    std::optional<qint64> offsetMs;
    std::optional<Burst> burst;
    std::optional<OnlyOnChange> onlyOnChange;
    // Publish the device's state (on its state topic) whenever a value changes.
    bool sendStateOnChange = false;

    // Parses and checks; nullopt with one line in `error` naming the field (relative to the
    // schedule object: "burst.count: …") when anything is wrong.
    static std::optional<Schedule> fromJson(const QJsonObject &json, QString *error);
    QJsonObject toJson() const;
    // What is wrong with a schedule built in code (the rules fromJson() applies); empty: fine.
    QString check() const;

    // The delay of the first nominal send after the start: offsetMs, or jitterMs plus a point of
    // [0, period) drawn from `seed`. Consecutive seeds (the devices of a fleet by index) land
    // evenly spread, as with golden-ratio (Fibonacci) hashing: 10,000 devices do not fire in
    // the same millisecond.
    qint64 phaseMs(quint64 seed) const;
    // The jitter of period `period` for this seed: uniform in [-jitterMs, +jitterMs].
    qint64 jitterOf(quint64 seed, qint64 period) const;
    // 1, or burst->count in the periods that burst.
    int messagesInPeriod(qint64 period) const;
    // When message `message` (0-based within its period) of period `period` is due, for a
    // device started at `startMs`: never before the start (an offset shorter than the jitter
    // is the only way to reach it).
    qint64 sendTime(qint64 startMs, quint64 seed, qint64 period, int message) const;

    friend bool operator==(const Schedule &, const Schedule &) = default;
};

// One device's place in its Schedule: the due time of its next message. The schedule must
// outlive the cursor (a fleet keeps one Schedule for all its devices).
class ScheduleCursor
{
public:
    ScheduleCursor(const Schedule &schedule, qint64 startMs, quint64 seed)
        : m_schedule(&schedule), m_startMs(startMs), m_seed(seed)
    {}

    qint64 dueMs() const { return m_schedule->sendTime(m_startMs, m_seed, m_period, m_message); }
    // Moves to the next message.
    void advance();
    // Moves past every message due before `nowMs`: a device back from an outage resumes its
    // rhythm without sending what it missed.
    void skipMissed(qint64 nowMs);

    qint64 period() const { return m_period; }
    int messageInPeriod() const { return m_message; }

private:
    const Schedule *m_schedule;
    qint64 m_startMs;
    quint64 m_seed;
    qint64 m_period = 0;
    int m_message = 0;
};

} // namespace iotcore::sim
