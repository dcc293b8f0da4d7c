#include "SocketTransport.h"

#include "TlsChannel.h"

#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace iotcore::broker {

namespace {
constexpr std::size_t ReadChunk = 64 * 1024;
constexpr int ReadsPerTurn = 8; // then other connections get their turn
// A client that sends without reading what it is sent (acknowledgements, its own subscriptions)
// is not read from while this much waits for it, so it cannot make the broker buffer without
// bound; reading resumes once the backlog drains.
constexpr std::size_t ReadPauseBytes = 8u << 20;
thread_local char t_readBuffer[ReadChunk];
} // namespace

SocketTransport::SocketTransport(EventLoop &loop, int fd, std::string peerAddress,
                                 std::unique_ptr<TlsChannel> tls)
    : m_loop(loop)
    , m_fd(fd)
    , m_peerAddress(std::move(peerAddress))
    , m_tls(std::move(tls))
{
}

SocketTransport::~SocketTransport()
{
    closeSocket();
}

bool SocketTransport::start()
{
    return m_loop.watch(m_fd, EPOLLIN | EPOLLRDHUP, this);
}

void SocketTransport::requestFlush()
{
    if (m_flushScheduled || isClosed())
        return;
    m_flushScheduled = true;
    m_loop.scheduleFlush(this);
}

std::size_t SocketTransport::pendingBytes() const
{
    return m_outbox.size() + (m_wire.size() - m_wireOffset);
}

const PeerCertificate *SocketTransport::peerCertificate() const
{
    return m_tls ? m_tls->peerCertificate() : nullptr;
}

void SocketTransport::close()
{
    if (isClosed())
        return;
    m_handler = nullptr;
    // Flushed here, so out of the loop's flush queue: the connection may be freed before the
    // loop's next flushScheduled() (Broker::shutdown() ends its turn itself).
    if (m_flushScheduled) {
        m_loop.cancelFlush(this);
        m_flushScheduled = false;
    }
    flushNow(); // best effort: a CONNACK refusal or the last acknowledgements still go out
    if (m_tls && !isClosed())
        m_tls->shutdown();
    closeSocket();
}

void SocketTransport::closeSocket()
{
    if (m_fd < 0)
        return;
    if (m_flushScheduled) {
        m_loop.cancelFlush(this);
        m_flushScheduled = false;
    }
    m_loop.unwatch(m_fd);
    ::close(m_fd);
    m_fd = -1;
}

void SocketTransport::fail(std::string_view reason)
{
    if (isClosed())
        return;
    TransportHandler *handler = m_handler;
    m_handler = nullptr;
    closeSocket();
    if (handler)
        handler->onTransportClosed(reason);
}

void SocketTransport::deliver(std::string_view bytes)
{
    if (m_handler)
        m_handler->onTransportData(bytes);
}

void SocketTransport::received(std::string_view bytes)
{
    deliver(bytes);
}

void SocketTransport::prepareOutput()
{
    if (m_outbox.empty())
        return;
    if (m_wireOffset == m_wire.size()) {
        m_wire.clear();
        m_wireOffset = 0;
        m_wire.swap(m_outbox); // the common case: no copy
    } else {
        wire().append(m_outbox);
        m_outbox.clear();
    }
}

void SocketTransport::releaseSpareMemory()
{
    if (m_wireOffset == m_wire.size() && m_wire.capacity() > 4 * ReadChunk) {
        std::string().swap(m_wire);
        m_wireOffset = 0;
    }
    if (m_outbox.empty() && m_outbox.capacity() > 4 * ReadChunk)
        std::string().swap(m_outbox);
}

void SocketTransport::compactWire()
{
    if (m_wireOffset > 0 && m_wireOffset >= m_wire.size() - m_wireOffset) {
        m_wire.erase(0, m_wireOffset);
        m_wireOffset = 0;
    }
}

void SocketTransport::onIoEvent(std::uint32_t events)
{
    if (isClosed())
        return;
    if (!m_reading && (events & (EPOLLERR | EPOLLHUP))) {
        fail("connection lost");
        return;
    }
    const bool readable = events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP);
    const bool writable = events & EPOLLOUT;
    if (readable || (writable && m_readOnWritable))
        readAvailable();
    if (!isClosed() && (writable || (readable && m_writeOnReadable)))
        flushNow();
}

void SocketTransport::readAvailable()
{
    const bool wasWaiting = m_readOnWritable;
    m_readOnWritable = false;
    for (int i = 0; !isClosed(); ++i) {
        if (pendingBytes() > ReadPauseBytes) {
            requestFlush(); // updateInterest() then stops watching for input until drained
            break;
        }
        if (i == ReadsPerTurn) {
            // Out of budget. What is left in the kernel's buffer wakes epoll again, but records
            // OpenSSL has already read ahead do not: being woken when the socket is writable (at
            // once, as a rule) brings this connection back next turn, after the others.
            m_readOnWritable = m_tls && m_tls->hasBufferedInput();
            break;
        }
        std::size_t got = 0;
        const IoResult result = readSome(t_readBuffer, ReadChunk, &got);
        if (result == IoResult::Done) {
            received(std::string_view(t_readBuffer, got));
            // A short read has drained the kernel's buffer; with TLS, when OpenSSL stopped for
            // want of socket input, not for an alert it has to send or an error.
            if (got < ReadChunk && (!m_tls || m_tls->inputDrained()))
                break;
            continue;
        }
        if (result == IoResult::WantWrite) // TLS: e.g. an alert to send first
            m_readOnWritable = true;
        else if (result == IoResult::Closed)
            fail("connection closed by peer");
        else if (result == IoResult::Failed)
            fail(failure());
        break;
    }
    if (!isClosed() && m_readOnWritable != wasWaiting)
        updateInterest();
}

void SocketTransport::flushNow()
{
    m_flushScheduled = false;
    if (isClosed())
        return;
    prepareOutput();
    m_writeOnReadable = false;
    while (m_wireOffset < m_wire.size()) {
        std::size_t written = 0;
        const IoResult result = writeSome(m_wire.data() + m_wireOffset,
                                          m_wire.size() - m_wireOffset, &written);
        if (result == IoResult::Done) {
            m_wireOffset += written;
            if (written == 0)
                break;
            continue;
        }
        if (result == IoResult::WantWrite)
            break;
        if (result == IoResult::WantRead) {
            m_writeOnReadable = true;
            break;
        }
        fail(result == IoResult::Closed ? "connection closed by peer" : failure());
        return;
    }
    if (m_wireOffset == m_wire.size()) {
        m_wire.clear();
        m_wireOffset = 0;
    }
    updateInterest();
}

void SocketTransport::updateInterest()
{
    // A TLS write waiting for input keeps input watched, or the backlog would never drain.
    const bool reading = pendingBytes() <= ReadPauseBytes || m_writeOnReadable;
    if (reading && !m_reading && m_tls && m_tls->hasBufferedInput())
        m_readOnWritable = true; // what OpenSSL read ahead before the pause: epoll cannot tell
    const bool waiting = m_readOnWritable
                         || (m_wireOffset < m_wire.size() && !m_writeOnReadable);
    if (waiting == m_waitingForWritable && reading == m_reading)
        return;
    m_waitingForWritable = waiting;
    m_reading = reading;
    m_loop.rewatch(m_fd, (reading ? EPOLLIN | EPOLLRDHUP : 0u) | (waiting ? EPOLLOUT : 0u), this);
}

std::string SocketTransport::failure() const
{
    const std::string &reason = m_tls ? m_tls->failure() : m_failure;
    return reason.empty() ? "connection error" : reason;
}

IoResult SocketTransport::errnoResult(int error, IoResult wouldBlock)
{
    if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR)
        return wouldBlock;
    return IoResult::Failed;
}

IoResult SocketTransport::readSome(char *buffer, std::size_t capacity, std::size_t *got)
{
    if (m_tls)
        return m_tls->read(buffer, capacity, got);
    const ssize_t n = ::recv(m_fd, buffer, capacity, 0);
    if (n > 0) {
        *got = std::size_t(n);
        return IoResult::Done;
    }
    if (n == 0)
        return IoResult::Closed;
    const int error = errno;
    const IoResult result = errnoResult(error, IoResult::WantRead);
    if (result == IoResult::Failed)
        m_failure = std::string("read error: ") + std::strerror(error);
    return result;
}

IoResult SocketTransport::writeSome(const char *data, std::size_t size, std::size_t *written)
{
    if (m_tls)
        return m_tls->write(data, size, written);
    const ssize_t n = ::send(m_fd, data, size, MSG_NOSIGNAL);
    if (n >= 0) {
        *written = std::size_t(n);
        return IoResult::Done;
    }
    const int error = errno;
    const IoResult result = errnoResult(error, IoResult::WantWrite);
    if (result == IoResult::Failed)
        m_failure = std::string("write error: ") + std::strerror(error);
    return result;
}

} // namespace iotcore::broker
