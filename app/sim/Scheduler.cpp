#include "Scheduler.h"

#include <algorithm>
#include <utility>

namespace iotcore::sim {

namespace {

// The timer wakes at least this often; a task due later is simply looked at again then.
constexpr qint64 MaxTimerDelayMs = 24 * 3600 * 1000;
// Below this size stale entries cost less than a pass to drop them.
constexpr size_t MinQueueToCompact = 1024;

} // namespace

Scheduler::Scheduler(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Scheduler::runDue);
}

Scheduler::~Scheduler() = default;

TaskId Scheduler::add(Task task)
{
    quint32 index;
    if (m_freeSlots.empty()) {
        index = quint32(m_slots.size());
        m_slots.emplace_back();
    } else {
        index = m_freeSlots.back();
        m_freeSlots.pop_back();
    }
    // Serials are never 0 (the invalid TaskId) and differ from the slot's earlier tenants'.
    if (++m_lastSerial == 0)
        ++m_lastSerial;
    Slot &slot = m_slots[index];
    slot.task = std::move(task);
    slot.serial = m_lastSerial;
    slot.dueMs = NotScheduled;
    ++m_taskCount;
    return TaskId(index, slot.serial);
}

void Scheduler::remove(TaskId id)
{
    Slot *slot = slotOf(id);
    if (!slot)
        return;
    unschedule(*slot);
    slot->task = nullptr;
    slot->serial = 0;
    m_freeSlots.push_back(id.m_slot);
    --m_taskCount;
}

void Scheduler::scheduleAt(TaskId id, qint64 dueMs)
{
    Slot *slot = slotOf(id);
    if (!slot)
        return;
    if (slot->dueMs == NotScheduled)
        ++m_scheduledCount;
    // NotScheduled is the marker of an unscheduled slot, never a due time.
    slot->dueMs = std::min(dueMs, NotScheduled - 1);
    slot->order = m_nextOrder++;
    m_queue.push_back({slot->dueMs, slot->order, id.m_slot});
    std::push_heap(m_queue.begin(), m_queue.end(), RunsLater());
    compactIfMostlyStale();
    if (!m_running && slot->dueMs < m_armedForMs)
        armTimer();
}

void Scheduler::cancel(TaskId id)
{
    if (Slot *slot = slotOf(id))
        unschedule(*slot);
}

bool Scheduler::contains(TaskId id) const
{
    return slotOf(id) != nullptr;
}

qint64 Scheduler::dueTime(TaskId id) const
{
    const Slot *slot = slotOf(id);
    return slot ? slot->dueMs : NotScheduled;
}

qint64 Scheduler::nextDueTime()
{
    dropStaleTop();
    return m_queue.empty() ? NotScheduled : m_queue.front().dueMs;
}

void Scheduler::setMaxTasksPerTurn(int count)
{
    m_maxTasksPerTurn = std::max(1, count);
}

int Scheduler::runDue()
{
    if (m_running)
        return 0;
    m_running = true;
    // One reading per turn: every task of the turn sees the same "now", and a task that
    // schedules itself again for now runs in this turn only while the turn has room.
    const qint64 now = m_clock.nowMs();
    int ran = 0;
    while (ran < m_maxTasksPerTurn) {
        dropStaleTop();
        if (m_queue.empty() || m_queue.front().dueMs > now)
            break;
        const Entry entry = m_queue.front();
        std::pop_heap(m_queue.begin(), m_queue.end(), RunsLater());
        m_queue.pop_back();

        Slot &slot = m_slots[entry.slot];
        const TaskId id(entry.slot, slot.serial);
        slot.dueMs = NotScheduled;
        --m_scheduledCount;

        const qint64 late = now - entry.dueMs;
        ++m_lateness.runs;
        m_lateness.totalMs += late;
        m_lateness.maxMs = std::max(m_lateness.maxMs, late);

        // The task runs from a local: it may add tasks (m_slots may grow and move) or remove
        // itself (its slot may be freed and even reused) while it runs.
        Task task = std::move(slot.task);
        task(entry.dueMs);
        if (Slot *still = slotOf(id))
            still->task = std::move(task);
        ++ran;
    }
    m_running = false;
    armTimer();
    return ran;
}

Scheduler::Lateness Scheduler::takeLateness()
{
    return std::exchange(m_lateness, Lateness());
}

qint64 Scheduler::backlogMs()
{
    const qint64 due = nextDueTime();
    return due == NotScheduled ? 0 : std::max<qint64>(0, m_clock.nowMs() - due);
}

Scheduler::Slot *Scheduler::slotOf(TaskId id)
{
    return const_cast<Slot *>(std::as_const(*this).slotOf(id));
}

const Scheduler::Slot *Scheduler::slotOf(TaskId id) const
{
    if (!id.isValid() || id.m_slot >= m_slots.size())
        return nullptr;
    const Slot &slot = m_slots[id.m_slot];
    return slot.serial == id.m_serial ? &slot : nullptr;
}

bool Scheduler::isCurrent(const Entry &entry) const
{
    const Slot &slot = m_slots[entry.slot];
    return slot.dueMs != NotScheduled && slot.order == entry.order;
}

void Scheduler::unschedule(Slot &slot)
{
    if (slot.dueMs == NotScheduled)
        return;
    slot.dueMs = NotScheduled;
    --m_scheduledCount;
}

void Scheduler::dropStaleTop()
{
    while (!m_queue.empty() && !isCurrent(m_queue.front())) {
        std::pop_heap(m_queue.begin(), m_queue.end(), RunsLater());
        m_queue.pop_back();
    }
}

void Scheduler::compactIfMostlyStale()
{
    // Every scheduled task has exactly one current entry; the rest are stale.
    const size_t live = size_t(m_scheduledCount);
    if (m_queue.size() < MinQueueToCompact || m_queue.size() - live <= live)
        return;
    std::erase_if(m_queue, [this](const Entry &entry) { return !isCurrent(entry); });
    std::make_heap(m_queue.begin(), m_queue.end(), RunsLater());
}

void Scheduler::armTimer()
{
    const qint64 due = nextDueTime();
    m_armedForMs = due;
    if (due == NotScheduled) {
        m_timer.stop();
        return;
    }
    // Overdue work left by a full turn gets a zero timeout: it runs after the events already
    // waiting (sockets included), not before them.
    const qint64 delay = std::clamp<qint64>(due - m_clock.nowMs(), 0, MaxTimerDelayMs);
    m_timer.start(int(delay));
}

} // namespace iotcore::sim
