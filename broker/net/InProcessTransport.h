#pragma once

// The broker's side of an in-process connection (InProcessListener): a Transport like the socket
// ones, so the engine cannot tell it from a device on the network. What the engine appends to
// the outbox moves to the channel at the end of the turn, as a socket's send() would; the bytes
// the client has not taken yet count as pending, so the engine's limits on a slow client apply.

#include "EventLoop.h"
#include "InProcessChannel.h"
#include "core/Transport.h"

#include <memory>
#include <string>

namespace iotcore::broker {

class InProcessListener;

class InProcessTransport final : public Transport, public Flushable
{
public:
    InProcessTransport(EventLoop &loop, std::shared_ptr<InProcessChannel> channel,
                       std::shared_ptr<InProcessListener> listener);
    ~InProcessTransport() override;

    // Loop thread, when the listener was woken for this channel: hands what the client sent to
    // the handler, then its end if it ended.
    void receive();

    // Transport
    void requestFlush() override;
    std::size_t pendingBytes() const override;
    void close() override;
    std::string peerAddress() const override; // "inproc:<n>"
    void releaseSpareMemory() override;

    // Flushable
    void flushNow() override;

private:
    void endChannel();

    EventLoop &m_loop;
    std::shared_ptr<InProcessChannel> m_channel;
    std::shared_ptr<InProcessListener> m_listener;
    bool m_flushScheduled = false;
    bool m_closed = false;
};

} // namespace iotcore::broker
