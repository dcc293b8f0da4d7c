#pragma once

// A connection's socket on the broker's event loop. Reads until the socket is drained (up to a
// budget per turn, for fairness), writes at the end of the turn everything the engine produced,
// and waits for EPOLLOUT only while the kernel's buffer is full. Plain TCP as it is; TLS and
// WebSocket override the read/write and framing hooks.

#include "EventLoop.h"
#include "core/Transport.h"

#include <string>

namespace iotcore::broker {

class SocketTransport : public Transport, public IoHandler, public Flushable
{
public:
    // Takes ownership of a connected, non-blocking socket.
    SocketTransport(EventLoop &loop, int fd, std::string peerAddress);
    ~SocketTransport() override;

    // Registers with the loop; false when epoll refused the descriptor.
    bool start();

    // Transport
    void requestFlush() override;
    std::size_t pendingBytes() const override;
    void close() override;
    std::string peerAddress() const override { return m_peerAddress; }

    // IoHandler, Flushable
    void onIoEvent(std::uint32_t events) override;
    void flushNow() override;

protected:
    enum class IoResult { Done, WouldBlock, Closed, Failed };

    // Socket-level I/O: plain read()/write() here, SSL_read()/SSL_write() for TLS.
    virtual IoResult readSome(char *buffer, std::size_t capacity, std::size_t *got);
    virtual IoResult writeSome(const char *data, std::size_t size, std::size_t *written);
    // Whether the transport wants to write even with nothing queued (a TLS handshake).
    virtual bool wantsWrite() const { return false; }

    // Stream-level framing: bytes read from the socket go through here to the handler (WebSocket
    // removes its frames), and outbox() bytes become wire bytes here (WebSocket adds them).
    virtual void received(std::string_view bytes);
    virtual void prepareOutput();

    void deliver(std::string_view bytes);       // to the handler
    void fail(std::string_view reason);          // closes and tells the handler
    std::string &wire() { return m_wire; }       // bytes to write to the socket
    EventLoop &loop() { return m_loop; }
    int fd() const { return m_fd; }
    bool isClosed() const { return m_fd < 0; }

private:
    void readAvailable();
    void updateInterest();
    void closeSocket();
    static IoResult errnoResult(int error);

    EventLoop &m_loop;
    int m_fd;
    std::string m_peerAddress;
    std::string m_wire;
    std::size_t m_wireOffset = 0;
    bool m_flushScheduled = false;
    bool m_waitingForWritable = false;
    bool m_reading = true;
    std::string m_failure;
};

} // namespace iotcore::broker
