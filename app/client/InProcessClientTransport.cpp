#include "InProcessClientTransport.h"

#include "net/BrokerServer.h"
#include "net/InProcessChannel.h"
#include "net/InProcessListener.h"

#include <QMetaObject>
#include <QPointer>

#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace iotcore::app {

using broker::InProcessChannel;

// The transports of one thread, woken together. The broker's loop wakes the inbox for every
// channel that has something for its client; the first wake-up of a batch posts one queued call
// to this thread, which then delivers to every channel woken meanwhile. Shared by the thread's
// transports, it goes with the last of them.
class InProcessClientTransport::Hub : public std::enable_shared_from_this<Hub>
{
public:
    static std::shared_ptr<Hub> forCurrentThread();
    ~Hub();

    std::shared_ptr<InProcessChannel::Waker> inbox() const;
    void attach(const InProcessChannel *channel, InProcessClientTransport *transport)
    {
        m_transports.emplace(channel, transport);
    }
    void detach(const InProcessChannel *channel) { m_transports.erase(channel); }

private:
    class Inbox;

    Hub() = default;
    void deliverReady();

    // Lives on this thread: what the broker's loop posts the delivery to.
    std::unique_ptr<QObject> m_receiver = std::make_unique<QObject>();
    std::shared_ptr<Inbox> m_inbox;
    std::unordered_map<const InProcessChannel *, InProcessClientTransport *> m_transports;
    int m_deliveries = 0; // deliverReady() calls running (a slot may run an event loop)
};

// The thread-safe part of a hub: the channels woken since its last delivery.
class InProcessClientTransport::Hub::Inbox final : public InProcessChannel::Waker
{
public:
    Inbox(QObject *receiver, std::weak_ptr<Hub> hub)
        : m_receiver(receiver)
        , m_hub(std::move(hub))
    {
    }

    // The broker's loop thread.
    void wake(std::shared_ptr<InProcessChannel> channel) override
    {
        std::lock_guard lock(m_mutex);
        if (!m_receiver)
            return; // the hub is gone, and its transports with it
        m_ready.push_back(std::move(channel));
        if (std::exchange(m_posted, true))
            return;
        // Under the lock, so that the hub's thread cannot delete the receiver meanwhile (close()).
        QMetaObject::invokeMethod(
            m_receiver,
            [hub = m_hub] {
                if (const std::shared_ptr<Hub> alive = hub.lock())
                    alive->deliverReady();
            },
            Qt::QueuedConnection);
    }

    // The hub's thread.
    std::vector<std::shared_ptr<InProcessChannel>> takeReady()
    {
        std::lock_guard lock(m_mutex);
        m_posted = false;
        return std::exchange(m_ready, {});
    }

    void close()
    {
        std::vector<std::shared_ptr<InProcessChannel>> dropped;
        std::lock_guard lock(m_mutex);
        m_receiver = nullptr;
        dropped.swap(m_ready); // released after the lock: a channel may hold the last reference
    }

private:
    std::mutex m_mutex;
    QObject *m_receiver;
    const std::weak_ptr<Hub> m_hub;
    std::vector<std::shared_ptr<InProcessChannel>> m_ready;
    bool m_posted = false;
};

std::shared_ptr<InProcessChannel::Waker> InProcessClientTransport::Hub::inbox() const
{
    return m_inbox;
}

std::shared_ptr<InProcessClientTransport::Hub> InProcessClientTransport::Hub::forCurrentThread()
{
    // Found through the thread rather than passed in, so that clients that know nothing of each
    // other (a fleet's devices, the console's own client) share their thread's deliveries.
    thread_local std::weak_ptr<Hub> current;
    if (std::shared_ptr<Hub> hub = current.lock())
        return hub;
    std::shared_ptr<Hub> hub(new Hub);
    hub->m_inbox = std::make_shared<Inbox>(hub->m_receiver.get(), hub);
    current = hub;
    return hub;
}

InProcessClientTransport::Hub::~Hub()
{
    m_inbox->close();
    // Inside deliverReady() (a slot deleted the last client of this thread) the receiver is
    // running that very call: Qt deletes it once the call has returned.
    if (m_deliveries > 0)
        m_receiver.release()->deleteLater();
}

void InProcessClientTransport::Hub::deliverReady()
{
    const std::weak_ptr<Hub> alive = weak_from_this();
    ++m_deliveries;
    for (const std::shared_ptr<InProcessChannel> &channel : m_inbox->takeReady()) {
        const auto found = m_transports.find(channel.get());
        if (found == m_transports.end())
            continue; // its transport was deleted after the broker woke it
        found->second->takeFromBroker();
        if (alive.expired())
            return; // a slot deleted the last transport of this thread, and this hub with it
    }
    --m_deliveries;
}

// --- the transport ------------------------------------------------------------------------------

InProcessClientTransport::InProcessClientTransport(
    std::shared_ptr<broker::InProcessListener> listener, QString listenerName, QObject *parent)
    : ClientTransport(parent)
    , m_listener(std::move(listener))
    , m_listenerName(std::move(listenerName))
{
}

InProcessClientTransport::~InProcessClientTransport()
{
    if (!m_channel)
        return;
    // Gone without DISCONNECT, as a dropped network connection: the broker publishes the will.
    m_channel->endFromClient(true);
    m_hub->detach(m_channel.get());
}

void InProcessClientTransport::open()
{
    if (!m_listener) {
        QMetaObject::invokeMethod(
            this,
            [this] { finish(tr("no in-process listener \"%1\"").arg(m_listenerName)); },
            Qt::QueuedConnection);
        return;
    }
    m_hub = Hub::forCurrentThread();
    // Accepted (or refused) on the broker's loop; the answer comes through the hub, later.
    m_channel = m_listener->connect(m_hub->inbox());
    m_hub->attach(m_channel.get(), this);
}

void InProcessClientTransport::write(const QByteArray &bytes)
{
    if (m_channel)
        m_channel->sendToBroker(std::string_view(bytes.constData(), std::size_t(bytes.size())));
}

void InProcessClientTransport::close()
{
    // What was written is already the broker's to read; it answers with the end of the channel.
    if (m_channel)
        m_channel->endFromClient(false);
}

void InProcessClientTransport::abort()
{
    m_finished = true;
    if (m_channel)
        m_channel->endFromClient(true);
}

QString InProcessClientTransport::peerDescription() const
{
    return QStringLiteral("inproc://%1").arg(m_listenerName);
}

void InProcessClientTransport::takeFromBroker()
{
    if (m_finished)
        return;
    InProcessChannel::ForClient input = m_channel->takeForClient();
    const QPointer<InProcessClientTransport> alive(this); // a slot may delete the client
    if (input.accepted && !m_opened) {
        m_opened = true;
        emit opened();
        if (!alive)
            return;
    }
    if (!input.bytes.empty()) {
        emit bytesReceived(QByteArray::fromStdString(input.bytes));
        if (!alive)
            return;
    }
    switch (input.ended) {
    case InProcessChannel::BrokerEnd::None:
        break;
    case InProcessChannel::BrokerEnd::Closed:
        finish(tr("connection closed by broker"));
        break;
    case InProcessChannel::BrokerEnd::Stopped:
        finish(tr("broker stopped"));
        break;
    }
}

void InProcessClientTransport::finish(const QString &reason)
{
    if (std::exchange(m_finished, true))
        return;
    emit closed(reason);
}

ClientTransportFactory inProcessTransportFactory(broker::BrokerServer &server,
                                                 const QString &listenerName)
{
    std::shared_ptr<broker::InProcessListener> listener =
        server.inProcessListener(listenerName.toStdString());
    return [listener, listenerName] {
        return std::make_unique<InProcessClientTransport>(listener, listenerName);
    };
}

} // namespace iotcore::app
