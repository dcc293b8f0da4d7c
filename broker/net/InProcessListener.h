#pragma once

// The broker's end of in-process connections (BrokerServer::addInProcessListener): clients in
// this process, on any thread, connect() to it and speak MQTT bytes through an InProcessChannel,
// without sockets. It is the broker side's Waker of all its channels: what clients send piles up
// in one list under a mutex, and the loop is woken once per batch to hand it all to the
// connections' transports.
//
// Clients hold it (through their channels) as long as they like: after stop() it refuses new
// connections and closes nothing more, so it may outlive the BrokerServer.

#include "InProcessChannel.h"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace iotcore::broker {

class EventLoop;
class InProcessTransport;

class InProcessListener final : public InProcessChannel::Waker,
                                public std::enable_shared_from_this<InProcessListener>
{
public:
    using AcceptHandler = std::function<void(std::unique_ptr<InProcessTransport>)>;

    explicit InProcessListener(std::string name);

    const std::string &name() const { return m_name; }

    // Any thread: a new connection for a client woken through `client`. The broker accepts it
    // on its loop (InProcessChannel::accept); before start() it waits, as in a socket's backlog.
    // Once the listener stopped, the channel comes back already ended ("broker stopped").
    std::shared_ptr<InProcessChannel> connect(std::shared_ptr<InProcessChannel::Waker> client);

    // Starts accepting on the loop (before the loop runs, or on its thread).
    void start(EventLoop &loop, AcceptHandler onAccept);
    // Loop thread, or any thread once the loop no longer runs: refuses waiting and new
    // connections for good. Transports closed after it tell their clients "broker stopped".
    void stop();
    bool isStopped() const;

    // InProcessChannel::Waker, any thread: the client of `channel` sent bytes or ended.
    void wake(std::shared_ptr<InProcessChannel> channel) override;

    // Loop thread: a transport of this listener is gone.
    void forget(const InProcessChannel *channel);

private:
    void postDrainLocked();
    void drain();

    const std::string m_name;

    mutable std::mutex m_mutex;
    EventLoop *m_loop = nullptr; // from start()
    bool m_stopped = false;
    bool m_drainPosted = false;
    std::uint64_t m_nextNumber = 1;
    std::vector<std::shared_ptr<InProcessChannel>> m_incoming; // not yet accepted
    std::vector<std::shared_ptr<InProcessChannel>> m_ready;    // the client sent bytes or ended

    // Loop thread only.
    AcceptHandler m_onAccept;
    std::unordered_map<const InProcessChannel *, InProcessTransport *> m_transports;
};

} // namespace iotcore::broker
