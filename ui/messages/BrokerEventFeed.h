#pragma once

// Carries the event tap's batches from the broker thread to a MessageStore on the GUI thread.
// The tap's sink only moves each batch into a queue under a mutex (it must not block the
// broker); a timer drains the queue once per frame, so the store grows in batches and the GUI
// thread never waits for the broker.

#include <QObject>
#include <QTimer>

#include "observe/BrokerEvent.h"

#include <mutex>
#include <vector>

namespace iotcore::broker {
class EventTap;
}

namespace iotcore::ui {

class MessageStore;

class BrokerEventFeed : public QObject
{
    Q_OBJECT

public:
    // Listens to `tap` until destroyed; both `tap` and `store` must outlive the feed.
    BrokerEventFeed(broker::EventTap &tap, MessageStore &store, QObject *parent = nullptr);
    ~BrokerEventFeed() override;

    static constexpr int DrainIntervalMs = 40;

    // Moves what the broker recorded so far into the store now.
    void drain();

private:
    broker::EventTap &m_tap;
    MessageStore &m_store;
    int m_sinkId = 0;
    std::mutex m_mutex;
    std::vector<std::vector<broker::BrokerEvent>> m_pending;
    QTimer m_timer;
};

} // namespace iotcore::ui
