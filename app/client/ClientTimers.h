#pragma once

// The timers of MqttClients: keep-alive, connect timeout, reconnect back-off. A fleet runs
// 100,000 clients on a few threads, and Qt's timer registry does not scale to 300,000 QTimers on
// one thread: it keeps a thread's timers in one list sorted by due time, so starting a 30 s timer
// walks back over every 60 s timer, and stopping one scans the list for its id. Instead each
// thread keeps its clients' deadlines in one queue (ClientTimers.cpp) with ONE QTimer armed for
// the earliest, and a client holds a ClientDeadline per timer: O(log n) to start, O(1) to stop.

#include <QtGlobal>

#include <functional>
#include <memory>

namespace iotcore::app {

class ClientTimers;

// A single-shot timer for an MqttClient, used like a QTimer with setSingleShot(true). It belongs
// to the thread it was made on (as a QTimer does) and is used and destroyed there; that thread
// needs an event loop for it to fire.
//
// The callback may start, stop or destroy any deadline of its thread, itself included, and the
// object that owns it. A deadline stopped or destroyed before it is due is never called.
// Deadlines due at the same millisecond run in the order they were started.
class ClientDeadline
{
public:
    using Callback = std::function<void()>;

    explicit ClientDeadline(Callback onDue);
    ~ClientDeadline();
    Q_DISABLE_COPY_MOVE(ClientDeadline)

    // Due in `ms` milliseconds from now (0 for a negative value), replacing any earlier start.
    void start(int ms);
    void stop();
    // Started and not yet due; false inside its own callback, as for a single-shot QTimer.
    bool isActive() const;
    // Milliseconds until due, 0 when overdue, -1 when not active (as QTimer::remainingTime()).
    int remainingTime() const;

private:
    std::shared_ptr<ClientTimers> m_timers; // the thread's queue: shared by its deadlines
    quint32 m_slot;                         // this deadline's place in it
};

} // namespace iotcore::app
