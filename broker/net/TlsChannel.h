#pragma once

// One connection's TLS, as the socket-level I/O of a SocketTransport: the non-blocking handshake
// (driven by reads, as the client speaks first), then SSL_read/SSL_write with partial writes.
// After the handshake it describes the client's certificate, if one was presented.

#include "IoResult.h"
#include "core/Transport.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

struct ssl_st; // OpenSSL's SSL

namespace iotcore::broker {

class TlsServerContext;

class TlsChannel
{
public:
    // Over the non-blocking socket `fd`, which the caller keeps owning and closes after this.
    TlsChannel(std::shared_ptr<const TlsServerContext> context, int fd);
    ~TlsChannel();
    TlsChannel(const TlsChannel &) = delete;
    TlsChannel &operator=(const TlsChannel &) = delete;

    // Decrypted bytes, as many records as fit; during the handshake, Done only once application
    // data follows it.
    IoResult read(char *buffer, std::size_t capacity, std::size_t *got);
    // Whether the last read() stopped because OpenSSL needs more from the socket, with nothing
    // complete left inside it: epoll will tell when more comes, as after a short recv().
    bool inputDrained() const { return m_inputDrained; }
    // Partial writes: `written` may be less than `size`. A retry after WantRead/WantWrite must
    // pass the same bytes again (more may follow them; the buffer may have moved).
    IoResult write(const char *data, std::size_t size, std::size_t *written);

    // Bytes OpenSSL has already taken from the socket and not yet returned by read(): epoll
    // cannot see them, so a reader that stops early must come back for them.
    bool hasBufferedInput() const;

    // Sends close_notify, best effort, when the session is up and healthy.
    void shutdown();

    bool isEstablished() const { return m_established; }
    const PeerCertificate *peerCertificate() const;
    // Why the last read or write returned Failed (or, during the handshake, Closed).
    const std::string &failure() const { return m_failure; }

private:
    IoResult result(int sslError, const char *operation);
    void finishHandshake();

    std::shared_ptr<const TlsServerContext> m_context; // owns the BIO method m_ssl uses
    ssl_st *m_ssl;
    bool m_established = false;
    bool m_inputDrained = false;
    bool m_broken = false; // after a fatal error, OpenSSL forbids SSL_shutdown
    std::optional<PeerCertificate> m_peerCertificate;
    std::string m_failure;
};

} // namespace iotcore::broker
