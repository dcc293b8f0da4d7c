#include "InProcessTransport.h"

#include "InProcessListener.h"

namespace iotcore::broker {

namespace {
// An outbox this large and empty after a burst is given back (as SocketTransport does).
constexpr std::size_t SpareOutboxBytes = 256 * 1024;
} // namespace

InProcessTransport::InProcessTransport(EventLoop &loop, std::shared_ptr<InProcessChannel> channel,
                                       std::shared_ptr<InProcessListener> listener)
    : m_loop(loop)
    , m_channel(std::move(channel))
    , m_listener(std::move(listener))
{
}

InProcessTransport::~InProcessTransport()
{
    endChannel();
    m_listener->forget(m_channel.get());
}

void InProcessTransport::receive()
{
    if (m_closed)
        return;
    InProcessChannel::ForBroker input = m_channel->takeForBroker();
    if (!input.bytes.empty() && m_handler)
        m_handler->onTransportData(input.bytes); // may close() this transport
    if (!input.ended || m_closed)
        return;
    TransportHandler *handler = m_handler;
    m_handler = nullptr;
    endChannel();
    if (handler)
        handler->onTransportClosed("connection closed by peer");
}

void InProcessTransport::requestFlush()
{
    if (m_flushScheduled || m_closed)
        return;
    m_flushScheduled = true;
    m_loop.scheduleFlush(this);
}

std::size_t InProcessTransport::pendingBytes() const
{
    return m_outbox.size() + m_channel->unconsumedByClient();
}

void InProcessTransport::close()
{
    if (m_closed)
        return;
    m_handler = nullptr;
    // Flushed here, so out of the loop's flush queue: the connection may be freed before the
    // loop's next flushScheduled() (Broker::shutdown() ends its turn itself).
    if (m_flushScheduled) {
        m_loop.cancelFlush(this);
        m_flushScheduled = false;
    }
    flushNow(); // a CONNACK refusal or the last acknowledgements still reach the client
    endChannel();
}

std::string InProcessTransport::peerAddress() const
{
    return "inproc:" + std::to_string(m_channel->number());
}

void InProcessTransport::releaseSpareMemory()
{
    if (m_outbox.empty() && m_outbox.capacity() > SpareOutboxBytes)
        std::string().swap(m_outbox);
}

void InProcessTransport::flushNow()
{
    m_flushScheduled = false;
    if (!m_closed && !m_outbox.empty())
        m_channel->sendToClient(m_outbox);
}

void InProcessTransport::endChannel()
{
    if (m_closed)
        return;
    m_closed = true;
    if (m_flushScheduled) {
        m_loop.cancelFlush(this);
        m_flushScheduled = false;
    }
    m_channel->endFromBroker(m_listener->isStopped() ? InProcessChannel::BrokerEnd::Stopped
                                                     : InProcessChannel::BrokerEnd::Closed);
}

} // namespace iotcore::broker
