#include "TlsChannel.h"

#include "CertificateFingerprint.h"
#include "OpenSslError.h"
#include "TlsServerContext.h"

#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>

namespace iotcore::broker {

TlsChannel::TlsChannel(std::shared_ptr<const TlsServerContext> context, int fd)
    : m_context(std::move(context))
    , m_ssl(m_context->newConnection(fd))
{
    if (!m_ssl) {
        m_broken = true;
        m_failure = "cannot start TLS: " + takeOpenSslError("out of memory");
    }
}

TlsChannel::~TlsChannel()
{
    SSL_free(m_ssl);
}

IoResult TlsChannel::read(char *buffer, std::size_t capacity, std::size_t *got)
{
    *got = 0;
    m_inputDrained = false;
    if (!m_ssl)
        return IoResult::Failed;
    // SSL_read returns one record at a time; a buffer's worth of them goes up in one piece.
    while (*got < capacity) {
        ERR_clear_error();
        errno = 0; // SSL_ERROR_SYSCALL reports errno as the socket BIO left it
        std::size_t n = 0;
        const int ok = SSL_read_ex(m_ssl, buffer + *got, capacity - *got, &n);
        if (!m_established && SSL_is_init_finished(m_ssl))
            finishHandshake();
        if (ok == 1) {
            *got += n;
            continue;
        }
        const IoResult stopped = result(SSL_get_error(m_ssl, ok), "read");
        m_inputDrained = stopped == IoResult::WantRead;
        // After some data, anything else is reported by the next call, which meets it again.
        return *got > 0 ? IoResult::Done : stopped;
    }
    return IoResult::Done;
}

IoResult TlsChannel::write(const char *data, std::size_t size, std::size_t *written)
{
    if (!m_ssl)
        return IoResult::Failed;
    *written = 0;
    if (size == 0)
        return IoResult::Done;
    ERR_clear_error();
    errno = 0;
    const int ok = SSL_write_ex(m_ssl, data, size, written);
    if (!m_established && SSL_is_init_finished(m_ssl))
        finishHandshake();
    if (ok == 1)
        return IoResult::Done;
    return result(SSL_get_error(m_ssl, ok), "write");
}

IoResult TlsChannel::result(int sslError, const char *operation)
{
    if (m_broken && sslError != SSL_ERROR_WANT_READ && sslError != SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return IoResult::Failed; // the first failure's reason stands
    }
    switch (sslError) {
    case SSL_ERROR_WANT_READ:
        return IoResult::WantRead;
    case SSL_ERROR_WANT_WRITE:
        return IoResult::WantWrite;
    case SSL_ERROR_ZERO_RETURN: // close_notify, or (SSL_OP_IGNORE_UNEXPECTED_EOF) a plain EOF
        if (m_established)
            return IoResult::Closed;
        m_broken = true;
        m_failure = "TLS handshake failed: connection closed by peer";
        return IoResult::Failed;
    case SSL_ERROR_SYSCALL: {
        m_broken = true;
        const int error = errno;
        const std::string detail = error != 0 ? std::strerror(error) : takeOpenSslError();
        m_failure = m_established ? std::string("TLS ") + operation + " error: " + detail
                                  : "TLS handshake failed: " + detail;
        ERR_clear_error();
        return IoResult::Failed;
    }
    default: // SSL_ERROR_SSL: a protocol error, e.g. "wrong version number" for plain MQTT
        m_broken = true;
        m_failure = (m_established ? std::string("TLS error: ") : "TLS handshake failed: ")
                    + takeOpenSslError();
        return IoResult::Failed;
    }
}

void TlsChannel::finishHandshake()
{
    m_established = true;
    if (const X509 *certificate = SSL_get0_peer_certificate(m_ssl))
        m_peerCertificate = describeCertificate(certificate);
}

bool TlsChannel::hasBufferedInput() const
{
    return m_ssl && SSL_has_pending(m_ssl) == 1;
}

void TlsChannel::shutdown()
{
    if (!m_ssl || !m_established || m_broken)
        return;
    ERR_clear_error();
    SSL_shutdown(m_ssl); // one attempt: the socket closes right after, the peer's reply is moot
    ERR_clear_error();
}

const PeerCertificate *TlsChannel::peerCertificate() const
{
    return m_peerCertificate ? &*m_peerCertificate : nullptr;
}

} // namespace iotcore::broker
