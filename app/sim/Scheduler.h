#pragma once

// One scheduler drives every simulated device: a priority queue of (due time, task) and ONE
// QTimer armed for the earliest entry, instead of a QTimer per device. It lives on the
// simulator's thread, whose event loop it shares with the devices' MqttClients, and is not
// thread-safe: call it only from that thread (or from its tasks).
//
// When the timer fires, the due tasks run in due order (equal due times in the order they were
// scheduled), at most maxTasksPerTurn() of them per event-loop turn, so that a burst of 100,000
// due tasks does not starve the sockets sharing the loop: the rest run on the next turns, late
// but in order. How late tasks run is measured (lateness()) for the progress line.
//
// A task is registered once (add) and scheduled as often as needed (scheduleAt): a device
// computes its next due time from its Schedule and the time the task was *due*, never from the
// time it ran, so a late turn does not shift its rhythm. Tasks may schedule, cancel, add and
// remove any task, themselves included, while they run.

#include "Clock.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <limits>
#include <vector>

namespace iotcore::sim {

// A task's handle: stays valid until remove(), and is never mistaken for a later task that
// reuses the same storage.
class TaskId
{
public:
    TaskId() = default;
    bool isValid() const { return m_serial != 0; }
    friend bool operator==(TaskId, TaskId) = default;

private:
    friend class Scheduler;
    TaskId(quint32 slot, quint32 serial) : m_slot(slot), m_serial(serial) {}
    quint32 m_slot = 0;
    quint32 m_serial = 0; // 0: no task
};

class Scheduler : public QObject
{
    Q_OBJECT

public:
    // Called with the time the task was due (not the time it runs).
    using Task = std::function<void(qint64 dueMs)>;

    // How far behind schedule tasks ran: now minus due time, for each task run.
    struct Lateness {
        quint64 runs = 0;
        qint64 maxMs = 0;
        qint64 totalMs = 0;
        double meanMs() const { return runs ? double(totalMs) / double(runs) : 0.0; }
    };

    static constexpr qint64 NotScheduled = std::numeric_limits<qint64>::max();
    static constexpr int DefaultMaxTasksPerTurn = 1000;

    // `clock` must outlive the scheduler.
    explicit Scheduler(const Clock &clock, QObject *parent = nullptr);
    ~Scheduler() override;

    const Clock &clock() const { return m_clock; }

    // Registers a task, not yet scheduled.
    TaskId add(Task task);
    // Unschedules and forgets the task; `id` is invalid afterwards. A task may remove itself.
    void remove(TaskId id);
    // (Re)schedules the task to run once at `dueMs` (clock() time), replacing any time it was
    // scheduled for. A due time in the past runs on the next turn, counted as late.
    void scheduleAt(TaskId id, qint64 dueMs);
    // Unschedules the task; it stays registered.
    void cancel(TaskId id);

    bool contains(TaskId id) const;
    bool isScheduled(TaskId id) const { return dueTime(id) != NotScheduled; }
    // When the task is due, or NotScheduled.
    qint64 dueTime(TaskId id) const;
    // Registered tasks, and how many of them are scheduled.
    int taskCount() const { return m_taskCount; }
    int scheduledCount() const { return m_scheduledCount; }
    // The earliest due time, or NotScheduled.
    qint64 nextDueTime();

    int maxTasksPerTurn() const { return m_maxTasksPerTurn; }
    void setMaxTasksPerTurn(int count);

    // Runs the tasks due by now, earliest first, at most maxTasksPerTurn() of them, and arms the
    // timer for what is left. Returns how many ran. The timer calls it; tests with a FakeClock
    // call it directly.
    int runDue();

    // Since the last takeLateness() (or the start).
    Lateness lateness() const { return m_lateness; }
    Lateness takeLateness();
    // How far behind the earliest due task is right now: 0 when nothing is overdue.
    qint64 backlogMs();

private:
    struct Slot {
        Task task;
        quint32 serial = 0;                // 0: free
        qint64 dueMs = NotScheduled;
        quint64 order = 0;                 // of the queue entry that is current for this slot
    };
    // 24 bytes: the queue stays one compact array that the CPU cache walks quickly.
    struct Entry {
        qint64 dueMs;
        quint64 order; // unique and increasing: equal due times run in the order scheduled
        quint32 slot;
    };
    struct RunsLater {
        bool operator()(const Entry &a, const Entry &b) const
        {
            return a.dueMs != b.dueMs ? a.dueMs > b.dueMs : a.order > b.order;
        }
    };

    Slot *slotOf(TaskId id);
    const Slot *slotOf(TaskId id) const;
    bool isCurrent(const Entry &entry) const;
    void unschedule(Slot &slot);
    void dropStaleTop();
    void compactIfMostlyStale();
    void armTimer();

    const Clock &m_clock;
    QTimer m_timer{this}; // a child, so moveToThread() takes it along
    qint64 m_armedForMs = NotScheduled;

    std::vector<Slot> m_slots;
    std::vector<quint32> m_freeSlots;
    quint32 m_lastSerial = 0;
    int m_taskCount = 0;
    int m_scheduledCount = 0;

    // A binary min-heap with lazy deletion: cancelling or rescheduling a task leaves its old
    // entry in place, recognised as stale (its order is no longer the slot's) when it surfaces,
    // and dropped in one pass when stale entries outnumber live ones.
    //
    // Why a heap and not a hierarchical timer wheel: a wheel wins when most timers are cancelled
    // before they fire (network timeouts); here every entry fires, and a device schedules its
    // next message as it sends one. At 100,000 entries a push or pop is about 17 comparisons in
    // one contiguous array: measured at about 2 µs per task run including the task's own
    // rescheduling, mostly cache misses, so 10,000 runs a second (10,000 devices at 1 msg/s, or
    // 100,000 at one per 10 s) cost about 2% of a core. The heap also keeps equal due times in
    // exact scheduling order and needs no tick size or overflow levels for periods from
    // milliseconds to days.
    std::vector<Entry> m_queue;
    quint64 m_nextOrder = 1;

    int m_maxTasksPerTurn = DefaultMaxTasksPerTurn;
    bool m_running = false; // inside runDue(): it arms the timer once at the end
    Lateness m_lateness;
};

} // namespace iotcore::sim
