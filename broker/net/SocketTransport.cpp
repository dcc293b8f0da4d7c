#include "SocketTransport.h"

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

SocketTransport::SocketTransport(EventLoop &loop, int fd, std::string peerAddress)
    : m_loop(loop)
    , m_fd(fd)
    , m_peerAddress(std::move(peerAddress))
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

void SocketTransport::close()
{
    if (isClosed())
        return;
    m_handler = nullptr;
    flushNow(); // best effort: a CONNACK refusal or the last acknowledgements still go out
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
        m_wire.append(m_outbox);
        m_outbox.clear();
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
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
        readAvailable();
    if (!isClosed() && (events & EPOLLOUT))
        flushNow();
}

void SocketTransport::readAvailable()
{
    for (int i = 0; i < ReadsPerTurn && !isClosed(); ++i) {
        if (pendingBytes() > ReadPauseBytes) {
            requestFlush(); // updateInterest() then stops watching for input until drained
            return;
        }
        std::size_t got = 0;
        switch (readSome(t_readBuffer, ReadChunk, &got)) {
        case IoResult::Done:
            received(std::string_view(t_readBuffer, got));
            if (got < ReadChunk)
                return;
            break;
        case IoResult::WouldBlock:
            return;
        case IoResult::Closed:
            fail("connection closed by peer");
            return;
        case IoResult::Failed:
            fail(m_failure.empty() ? "connection error" : m_failure);
            return;
        }
    }
}

void SocketTransport::flushNow()
{
    m_flushScheduled = false;
    if (isClosed())
        return;
    prepareOutput();
    while (m_wireOffset < m_wire.size() || wantsWrite()) {
        std::size_t written = 0;
        const IoResult result = writeSome(m_wire.data() + m_wireOffset,
                                          m_wire.size() - m_wireOffset, &written);
        if (result == IoResult::Done) {
            m_wireOffset += written;
            if (written == 0 && !wantsWrite())
                break;
            continue;
        }
        if (result == IoResult::WouldBlock)
            break;
        fail(m_failure.empty() ? "write failed" : m_failure);
        return;
    }
    if (m_wireOffset == m_wire.size()) {
        m_wire.clear();
        m_wireOffset = 0;
        if (m_wire.capacity() > 4 * ReadChunk)
            std::string().swap(m_wire); // give back what a burst took
    }
    updateInterest();
}

void SocketTransport::updateInterest()
{
    const bool waiting = m_wireOffset < m_wire.size() || wantsWrite();
    const bool reading = pendingBytes() <= ReadPauseBytes;
    if (waiting == m_waitingForWritable && reading == m_reading)
        return;
    m_waitingForWritable = waiting;
    m_reading = reading;
    m_loop.rewatch(m_fd, (reading ? EPOLLIN | EPOLLRDHUP : 0u) | (waiting ? EPOLLOUT : 0u), this);
}

SocketTransport::IoResult SocketTransport::errnoResult(int error)
{
    if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR)
        return IoResult::WouldBlock;
    return IoResult::Failed;
}

SocketTransport::IoResult SocketTransport::readSome(char *buffer, std::size_t capacity,
                                                    std::size_t *got)
{
    const ssize_t n = ::recv(m_fd, buffer, capacity, 0);
    if (n > 0) {
        *got = std::size_t(n);
        return IoResult::Done;
    }
    if (n == 0)
        return IoResult::Closed;
    const int error = errno;
    const IoResult result = errnoResult(error);
    if (result == IoResult::Failed)
        m_failure = std::string("read error: ") + std::strerror(error);
    return result;
}

SocketTransport::IoResult SocketTransport::writeSome(const char *data, std::size_t size,
                                                     std::size_t *written)
{
    if (size == 0) {
        *written = 0;
        return IoResult::Done;
    }
    const ssize_t n = ::send(m_fd, data, size, MSG_NOSIGNAL);
    if (n >= 0) {
        *written = std::size_t(n);
        return IoResult::Done;
    }
    const int error = errno;
    const IoResult result = errnoResult(error);
    if (result == IoResult::Failed)
        m_failure = std::string("write error: ") + std::strerror(error);
    return result;
}

} // namespace iotcore::broker
