#pragma once

// One in-process connection: the meeting point of a client on any thread and the broker's loop.
// Two byte queues under one mutex, as a socket pair would carry them, and on each side a Waker
// told when the other side left something. A side is woken once, then not again until it has
// taken what waits, so a burst of packets costs one wake-up, and a waker serving many channels
// (the listener on the broker's side, one hub per client thread) turns many wake-ups into one
// cross-thread call.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace iotcore::broker {

class InProcessChannel : public std::enable_shared_from_this<InProcessChannel>
{
public:
    // Called on the thread of the side that left something, never with the channel's lock held.
    class Waker
    {
    public:
        virtual ~Waker() = default;
        virtual void wake(std::shared_ptr<InProcessChannel> channel) = 0;
    };

    // Why the broker ended a connection, for the client to tell its user.
    enum class BrokerEnd { None, Closed, Stopped };

    InProcessChannel(std::uint64_t number, std::shared_ptr<Waker> broker,
                     std::shared_ptr<Waker> client);

    // Numbers the connections of a listener, for the broker's logs ("inproc:7").
    std::uint64_t number() const { return m_number; }

    // --- the client's side ------------------------------------------------------------------
    // Dropped once either side ended.
    void sendToBroker(std::string_view bytes);
    // The client is done: the broker reads what was sent before (unless `discardUnsent`), then
    // sees the connection closed by its peer.
    void endFromClient(bool discardUnsent);

    struct ForClient {
        bool accepted = false; // the broker took the connection
        std::string bytes;
        BrokerEnd ended = BrokerEnd::None; // after `bytes`
    };
    ForClient takeForClient();

    // --- the broker's side ------------------------------------------------------------------
    void accept();
    // Moves `bytes` to the client (and leaves it empty); dropped once either side ended.
    void sendToClient(std::string &bytes);
    void endFromBroker(BrokerEnd why);

    struct ForBroker {
        std::string bytes;
        bool ended = false; // the client ended, after `bytes`
    };
    ForBroker takeForBroker();

    // Bytes sent to the client that it has not taken yet (any thread).
    std::size_t unconsumedByClient() const { return m_unconsumed.load(std::memory_order_relaxed); }

private:
    const std::uint64_t m_number;
    const std::shared_ptr<Waker> m_brokerWaker;
    const std::shared_ptr<Waker> m_clientWaker;

    mutable std::mutex m_mutex;
    std::string m_toBroker;
    bool m_clientEnded = false;
    bool m_brokerWoken = false; // woken and not yet taken
    std::string m_toClient;
    bool m_accepted = false;
    BrokerEnd m_brokerEnded = BrokerEnd::None;
    bool m_clientWoken = false;
    std::atomic<std::size_t> m_unconsumed{0};
};

} // namespace iotcore::broker
