#include "ClientTimers.h"

#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

namespace iotcore::app {

namespace {

// The due time of a deadline that is not started.
constexpr qint64 NotArmed = std::numeric_limits<qint64>::max();
// A turn runs at most this many callbacks, then lets the sockets sharing the loop have theirs:
// 100,000 clients whose connect timeouts expire together (the broker went away) are handled in
// slices, late but in order.
constexpr int MaxCallbacksPerTurn = 1000;
// Below this size stale entries cost less than a pass to drop them.
constexpr std::size_t MinQueueToCompact = 1024;

} // namespace

// The deadlines of one thread, in a binary min-heap of (due time, start order) with lazy
// deletion: stopping or restarting a deadline leaves its old entry in place, recognised as stale
// (its order is no longer the slot's) when it surfaces, and dropped in one pass when stale
// entries outnumber live ones. One QTimer is armed for the earliest entry.
//
// Found through the thread rather than passed in, as InProcessClientTransport's Hub, so that
// clients that know nothing of each other share it; it goes with the thread's last deadline.
// See app/sim/Scheduler.h for why a heap rather than a timer wheel.
class ClientTimers : public std::enable_shared_from_this<ClientTimers>
{
public:
    static std::shared_ptr<ClientTimers> forCurrentThread();
    ~ClientTimers();

    // A slot for a new deadline, not started; it is the deadline's until remove().
    quint32 add(ClientDeadline::Callback onDue);
    void remove(quint32 slot);
    void arm(quint32 slot, int ms);
    void disarm(quint32 slot);
    bool isArmed(quint32 slot) const { return m_slots[slot].dueMs != NotArmed; }
    int remainingMs(quint32 slot) const;

private:
    struct Slot {
        ClientDeadline::Callback onDue;
        qint64 dueMs = NotArmed;
        quint64 order = 0;  // of the queue entry that is current for this slot
        quint32 tenant = 0; // which deadline holds the slot (slots are reused); 0: free
    };
    // 24 bytes: the queue stays one compact array that the CPU cache walks quickly.
    struct Entry {
        qint64 dueMs;
        quint64 order; // unique and increasing: equal due times run in the order started, and an
                       // entry is never mistaken for a later start of the same (or a reused) slot
        quint32 slot;
    };
    struct RunsLater {
        bool operator()(const Entry &a, const Entry &b) const
        {
            return a.dueMs != b.dueMs ? a.dueMs > b.dueMs : a.order > b.order;
        }
    };

    ClientTimers();
    // Whole milliseconds since the queue was made: what is due, and whether the timer fired
    // early, are decided rounded down; due times are set rounded up, so that a deadline never
    // runs before its `ms` have passed.
    qint64 nowMs() const { return m_clock.elapsed(); }
    qint64 nowMsRoundedUp() const { return (m_clock.nsecsElapsed() + 999'999) / 1'000'000; }
    void runDue();
    bool isCurrent(const Entry &entry) const;
    void popTop();
    void dropStaleTop();
    void compactIfMostlyStale();
    void armTimer();

    QElapsedTimer m_clock;
    std::unique_ptr<QTimer> m_timer = std::make_unique<QTimer>();
    qint64 m_armedForMs = NotArmed;
    int m_runDepth = 0; // runDue() calls running (a callback may run an event loop)

    std::vector<Slot> m_slots;
    std::vector<quint32> m_freeSlots;
    quint32 m_lastTenant = 0;
    std::size_t m_armedCount = 0; // each armed slot has exactly one current entry in the queue

    std::vector<Entry> m_queue;
    quint64 m_nextOrder = 1;
};

std::shared_ptr<ClientTimers> ClientTimers::forCurrentThread()
{
    thread_local std::weak_ptr<ClientTimers> current;
    if (std::shared_ptr<ClientTimers> timers = current.lock())
        return timers;
    std::shared_ptr<ClientTimers> timers(new ClientTimers);
    current = timers;
    return timers;
}

ClientTimers::ClientTimers()
{
    m_clock.start();
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setSingleShot(true);
    QObject::connect(m_timer.get(), &QTimer::timeout, m_timer.get(), [this] { runDue(); });
}

ClientTimers::~ClientTimers()
{
    // Inside runDue() (a callback destroyed the last deadline of this thread) the timer is
    // emitting the very signal that runs it: Qt deletes it once that has returned.
    if (m_runDepth > 0) {
        m_timer->stop();
        m_timer->disconnect();
        m_timer.release()->deleteLater();
    }
}

quint32 ClientTimers::add(ClientDeadline::Callback onDue)
{
    quint32 index;
    if (m_freeSlots.empty()) {
        index = quint32(m_slots.size());
        m_slots.emplace_back();
    } else {
        index = m_freeSlots.back();
        m_freeSlots.pop_back();
    }
    if (++m_lastTenant == 0)
        ++m_lastTenant;
    Slot &slot = m_slots[index];
    slot.onDue = std::move(onDue);
    slot.tenant = m_lastTenant;
    return index;
}

void ClientTimers::remove(quint32 index)
{
    disarm(index);
    Slot &slot = m_slots[index];
    slot.onDue = nullptr;
    slot.tenant = 0;
    m_freeSlots.push_back(index);
}

void ClientTimers::arm(quint32 index, int ms)
{
    Slot &slot = m_slots[index];
    if (slot.dueMs == NotArmed)
        ++m_armedCount;
    slot.dueMs = nowMsRoundedUp() + std::max(ms, 0);
    slot.order = m_nextOrder++;
    m_queue.push_back({slot.dueMs, slot.order, index});
    std::push_heap(m_queue.begin(), m_queue.end(), RunsLater());
    compactIfMostlyStale();
    if (slot.dueMs < m_armedForMs)
        armTimer();
}

int ClientTimers::remainingMs(quint32 index) const
{
    const qint64 due = m_slots[index].dueMs;
    return due == NotArmed ? -1 : int(std::max<qint64>(due - nowMsRoundedUp(), 0));
}

void ClientTimers::disarm(quint32 index)
{
    Slot &slot = m_slots[index];
    if (slot.dueMs == NotArmed)
        return;
    slot.dueMs = NotArmed;
    if (--m_armedCount > 0)
        return;
    // Every entry left is stale: drop them at once and let the thread sleep.
    m_queue.clear();
    m_timer->stop();
    m_armedForMs = NotArmed;
}

void ClientTimers::runDue()
{
    const std::weak_ptr<ClientTimers> alive = weak_from_this();
    m_armedForMs = NotArmed; // the single-shot timer has just fired
    ++m_runDepth;
    // One reading per turn, and only deadlines started before the turn: one that a callback
    // starts for "now" runs on the next turn, as a QTimer started in a timeout slot would.
    const qint64 now = nowMs();
    const quint64 startedBeforeTurn = m_nextOrder;
    for (int ran = 0; ran < MaxCallbacksPerTurn; ++ran) {
        dropStaleTop();
        if (m_queue.empty() || m_queue.front().dueMs > now
            || m_queue.front().order >= startedBeforeTurn)
            break;
        const quint32 index = m_queue.front().slot;
        popTop();
        disarm(index);
        // Armed for what is left while the callback runs, so that a callback running a nested
        // event loop (a modal dialog) does not hold up the other deadlines of the thread.
        if (m_armedForMs == NotArmed)
            armTimer();

        // The callback runs from a local: it may start deadlines (m_slots may grow and move) or
        // destroy its own (its slot may be freed and even reused) while it runs.
        const quint32 tenant = m_slots[index].tenant;
        ClientDeadline::Callback onDue = std::move(m_slots[index].onDue);
        onDue();
        if (alive.expired())
            return; // it destroyed the last deadline of this thread, and this queue with it
        if (Slot &slot = m_slots[index]; slot.tenant == tenant)
            slot.onDue = std::move(onDue);
    }
    --m_runDepth;
    armTimer();
}

bool ClientTimers::isCurrent(const Entry &entry) const
{
    const Slot &slot = m_slots[entry.slot];
    return slot.dueMs != NotArmed && slot.order == entry.order;
}

void ClientTimers::popTop()
{
    std::pop_heap(m_queue.begin(), m_queue.end(), RunsLater());
    m_queue.pop_back();
}

void ClientTimers::dropStaleTop()
{
    while (!m_queue.empty() && !isCurrent(m_queue.front()))
        popTop();
}

void ClientTimers::compactIfMostlyStale()
{
    if (m_queue.size() < MinQueueToCompact || m_queue.size() - m_armedCount <= m_armedCount)
        return;
    std::erase_if(m_queue, [this](const Entry &entry) { return !isCurrent(entry); });
    std::make_heap(m_queue.begin(), m_queue.end(), RunsLater());
}

void ClientTimers::armTimer()
{
    dropStaleTop();
    if (m_queue.empty()) {
        m_armedForMs = NotArmed;
        m_timer->stop();
        return;
    }
    m_armedForMs = m_queue.front().dueMs;
    // At most INT_MAX: no deadline is started further ahead. Overdue work left by a full turn
    // gets a zero timeout: it runs after the events already waiting (sockets included).
    m_timer->start(int(std::max<qint64>(m_armedForMs - nowMs(), 0)));
}

// --- the handle ---------------------------------------------------------------------------------

ClientDeadline::ClientDeadline(Callback onDue)
    : m_timers(ClientTimers::forCurrentThread())
    , m_slot(m_timers->add(std::move(onDue)))
{
}

ClientDeadline::~ClientDeadline()
{
    m_timers->remove(m_slot);
}

void ClientDeadline::start(int ms)
{
    m_timers->arm(m_slot, ms);
}

void ClientDeadline::stop()
{
    m_timers->disarm(m_slot);
}

bool ClientDeadline::isActive() const
{
    return m_timers->isArmed(m_slot);
}

int ClientDeadline::remainingTime() const
{
    return m_timers->remainingMs(m_slot);
}

} // namespace iotcore::app
