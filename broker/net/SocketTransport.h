#pragma once

// A connection's socket on the broker's event loop. Reads until the socket is drained (up to a
// budget per turn, for fairness), writes at the end of the turn everything the engine produced,
// and waits for EPOLLOUT only while the kernel's buffer is full.
//
// Two independent layers vary between listeners. Socket-level I/O is plain recv()/send(), or a
// TlsChannel when one is given (a branch per read or write, not a virtual call, so plain TCP
// stays as it was). Stream-level framing is the identity here; WebSocketTransport overrides
// received() and prepareOutput() to remove and add its frames, over either kind of I/O.

#include "EventLoop.h"
#include "IoResult.h"
#include "core/Transport.h"

#include <memory>
#include <string>

namespace iotcore::broker {

class TlsChannel;

class SocketTransport : public Transport, public IoHandler, public Flushable
{
public:
    // Takes ownership of a connected, non-blocking socket. With `tls`, the socket speaks TLS.
    SocketTransport(EventLoop &loop, int fd, std::string peerAddress,
                    std::unique_ptr<TlsChannel> tls = nullptr);
    ~SocketTransport() override;

    // Registers with the loop; false when epoll refused the descriptor.
    bool start();

    // Transport
    void requestFlush() override;
    std::size_t pendingBytes() const override;
    void close() override;
    std::string peerAddress() const override { return m_peerAddress; }
    void releaseSpareMemory() override;
    const PeerCertificate *peerCertificate() const override;

    // IoHandler, Flushable
    void onIoEvent(std::uint32_t events) override;
    void flushNow() override;

protected:
    // Stream-level framing: bytes read from the socket go through here to the handler (WebSocket
    // removes its frames), and outbox() bytes become wire bytes here (WebSocket adds them).
    virtual void received(std::string_view bytes);
    virtual void prepareOutput();

    void deliver(std::string_view bytes);       // to the handler
    void fail(std::string_view reason);          // closes and tells the handler
    // Bytes to write to the socket, for appending. What was already written is dropped from the
    // front once it is at least as large as what is left, so a client that reads slowly does not
    // make the buffer grow by everything ever sent to it.
    std::string &wire()
    {
        compactWire();
        return m_wire;
    }
    EventLoop &loop() { return m_loop; }
    int fd() const { return m_fd; }
    bool isClosed() const { return m_fd < 0; }

private:
    void readAvailable();
    IoResult readSome(char *buffer, std::size_t capacity, std::size_t *got);
    IoResult writeSome(const char *data, std::size_t size, std::size_t *written);
    std::string failure() const; // why the last read or write failed
    void updateInterest();
    void compactWire();
    void closeSocket();
    static IoResult errnoResult(int error, IoResult wouldBlock);

    EventLoop &m_loop;
    int m_fd;
    std::string m_peerAddress;
    std::unique_ptr<TlsChannel> m_tls;
    std::string m_wire;
    std::size_t m_wireOffset = 0;
    bool m_flushScheduled = false;
    bool m_waitingForWritable = false;
    bool m_reading = true; // false while more than ReadPauseBytes wait to be written
    // TLS only: reading resumes when the socket is writable (SSL_read wanted to write, or input
    // is left inside OpenSSL, where epoll cannot see it); writing when it is readable.
    bool m_readOnWritable = false;
    bool m_writeOnReadable = false;
    std::string m_failure;
};

} // namespace iotcore::broker
