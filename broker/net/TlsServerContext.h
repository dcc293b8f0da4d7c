#pragma once

// One TLS listener's settings, loaded once when the listener opens: its certificate (with the
// chain that follows it in the file) and private key, TLS 1.2 or newer, and whether clients are
// asked for a certificate. IoT Core devices usually present self-signed certificates and the
// engine decides at CONNECT which entity, if any, a certificate names; so the handshake asks for
// a client certificate, accepts any (no chain check) and accepts none.

#include <memory>
#include <string>

struct bio_st;        // OpenSSL's BIO
struct bio_method_st; // OpenSSL's BIO_METHOD
struct ssl_ctx_st;    // OpenSSL's SSL_CTX
struct ssl_st;        // OpenSSL's SSL

namespace iotcore::broker {

class TlsServerContext
{
public:
    // Returns null with `error` set (one line) when a file cannot be read, holds no certificate
    // or key, or the key does not belong to the certificate.
    static std::shared_ptr<const TlsServerContext> load(const std::string &certificateFile,
                                                         const std::string &privateKeyFile,
                                                         bool requestClientCertificate,
                                                         std::string *error);
    // The same from PEM text in memory (a certificate the workspace CA issued, never written to
    // a file); errors name it "the server certificate" and "its private key".
    static std::shared_ptr<const TlsServerContext> fromPem(const std::string &certificatePem,
                                                            const std::string &privateKeyPem,
                                                            bool requestClientCertificate,
                                                            std::string *error);
    ~TlsServerContext();
    TlsServerContext(const TlsServerContext &) = delete;
    TlsServerContext &operator=(const TlsServerContext &) = delete;

    // A server-side connection over the non-blocking socket `fd` (not owned), or null when
    // OpenSSL is out of memory. The BIOs it uses belong to this context, which must outlive it.
    ssl_st *newConnection(int fd) const;

private:
    struct PemOrigin;
    static std::shared_ptr<const TlsServerContext> build(const std::string &certificatePem,
                                                          const std::string &keyPem,
                                                          const PemOrigin &origin,
                                                          bool requestClientCertificate,
                                                          std::string *error);
    TlsServerContext(ssl_ctx_st *context, bio_method_st *socketMethod);

    ssl_ctx_st *m_context;
    // OpenSSL's socket BIO writes with write(), which raises SIGPIPE when the peer has gone and
    // would end the process; this one uses send(MSG_NOSIGNAL) like the plain TCP transport.
    bio_method_st *m_socketMethod;
};

} // namespace iotcore::broker
