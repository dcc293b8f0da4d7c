#include "TlsServerContext.h"

#include "OpenSslError.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sys/socket.h>

namespace iotcore::broker {

namespace {

constexpr long MaxPemFileSize = 1 << 20;

struct BioFree {
    void operator()(BIO *bio) const { BIO_free(bio); }
};
struct X509Free {
    void operator()(X509 *certificate) const { X509_free(certificate); }
};
struct PkeyFree {
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
struct SslCtxFree {
    void operator()(SSL_CTX *context) const { SSL_CTX_free(context); }
};
struct FileClose {
    void operator()(std::FILE *file) const { std::fclose(file); }
};

bool readPemFile(const std::string &path, std::string *contents, std::string *reason)
{
    std::unique_ptr<std::FILE, FileClose> file(std::fopen(path.c_str(), "rb"));
    if (!file) {
        *reason = std::strerror(errno);
        return false;
    }
    char buffer[16 * 1024];
    std::size_t got;
    while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
        contents->append(buffer, got);
        if (contents->size() > std::size_t(MaxPemFileSize)) {
            *reason = "larger than 1 MiB, not a PEM file";
            return false;
        }
    }
    if (std::ferror(file.get())) {
        *reason = std::strerror(errno);
        return false;
    }
    return true;
}

std::unique_ptr<BIO, BioFree> memoryBio(const std::string &contents)
{
    return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(contents.data(), int(contents.size())));
}

// A key protected by a passphrase is refused rather than prompting on the terminal, which is
// what OpenSSL does when no callback is given.
int refusePassphrase(char *, int, int, void *)
{
    return 0;
}

// Any client certificate is welcome: which entity it names, if any, is decided at CONNECT.
int acceptAnyCertificate(int, X509_STORE_CTX *)
{
    return 1;
}

// The socket BIO: the descriptor is stored as the BIO's data.
int socketOf(BIO *bio)
{
    return int(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

int socketWrite(BIO *bio, const char *data, int size)
{
    BIO_clear_retry_flags(bio);
    const ssize_t n = ::send(socketOf(bio), data, std::size_t(size), MSG_NOSIGNAL);
    if (n >= 0)
        return int(n);
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        BIO_set_retry_write(bio);
    return -1;
}

int socketRead(BIO *bio, char *buffer, int size)
{
    BIO_clear_retry_flags(bio);
    const ssize_t n = ::recv(socketOf(bio), buffer, std::size_t(size), 0);
    if (n >= 0)
        return int(n); // 0: the peer closed
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        BIO_set_retry_read(bio);
    return -1;
}

long socketControl(BIO *bio, int command, long, void *argument)
{
    switch (command) {
    case BIO_CTRL_FLUSH:
        return 1; // nothing is buffered here
    case BIO_C_GET_FD:
        if (argument)
            *static_cast<int *>(argument) = socketOf(bio);
        return socketOf(bio);
    default:
        return 0;
    }
}

int socketCreate(BIO *bio)
{
    BIO_set_init(bio, 1);
    return 1;
}

BIO_METHOD *newSocketMethod()
{
    BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK
                                          | BIO_TYPE_DESCRIPTOR,
                                      "iotcore socket");
    if (!method)
        return nullptr;
    BIO_meth_set_write(method, socketWrite);
    BIO_meth_set_read(method, socketRead);
    BIO_meth_set_ctrl(method, socketControl);
    BIO_meth_set_create(method, socketCreate);
    return method;
}

} // namespace

// How errors name the certificate and the key: files by their paths, PEM text by what it is.
struct TlsServerContext::PemOrigin {
    std::string certificate; // "certificate file F"
    std::string key;         // "private key file F"
    std::string mismatch;    // "private key F does not match certificate F"
};

std::shared_ptr<const TlsServerContext> TlsServerContext::load(const std::string &certificateFile,
                                                               const std::string &privateKeyFile,
                                                               bool requestClientCertificate,
                                                               std::string *error)
{
    ERR_clear_error();
    if (certificateFile.empty() || privateKeyFile.empty()) {
        *error = "a TLS listener needs a certificate file and a private key file";
        return nullptr;
    }

    std::string certificatePem;
    std::string reason;
    if (!readPemFile(certificateFile, &certificatePem, &reason)) {
        *error = "cannot read certificate file " + certificateFile + ": " + reason;
        return nullptr;
    }
    std::string keyPem;
    if (!readPemFile(privateKeyFile, &keyPem, &reason)) {
        *error = "cannot read private key file " + privateKeyFile + ": " + reason;
        return nullptr;
    }
    const PemOrigin origin{"certificate file " + certificateFile,
                           "private key file " + privateKeyFile,
                           "private key " + privateKeyFile + " does not match certificate "
                               + certificateFile};
    return build(certificatePem, keyPem, origin, requestClientCertificate, error);
}

std::shared_ptr<const TlsServerContext> TlsServerContext::fromPem(const std::string &certificatePem,
                                                                  const std::string &privateKeyPem,
                                                                  bool requestClientCertificate,
                                                                  std::string *error)
{
    ERR_clear_error();
    const PemOrigin origin{"the server certificate", "its private key",
                           "the private key does not match the server certificate"};
    return build(certificatePem, privateKeyPem, origin, requestClientCertificate, error);
}

std::shared_ptr<const TlsServerContext> TlsServerContext::build(const std::string &certificatePem,
                                                                const std::string &keyPem,
                                                                const PemOrigin &origin,
                                                                bool requestClientCertificate,
                                                                std::string *error)
{
    std::unique_ptr<SSL_CTX, SslCtxFree> context(SSL_CTX_new(TLS_server_method()));
    if (!context) {
        *error = "cannot create a TLS context: " + takeOpenSslError();
        return nullptr;
    }
    SSL_CTX *ctx = context.get();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION); // as the service: TLS 1.2 or newer
    SSL_CTX_set_dh_auto(ctx, 1); // DHE suites for TLS 1.2 clients without ECDHE
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE
                                 | SSL_OP_IGNORE_UNEXPECTED_EOF);
    // Partial writes let the transport keep its own write buffer; RELEASE_BUFFERS keeps ten
    // thousand idle connections from holding 34 KiB of OpenSSL buffers each.
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
                              | SSL_MODE_RELEASE_BUFFERS);
    // One recv() per record batch instead of two per record (header, then body). What OpenSSL
    // reads ahead is invisible to epoll; the transport drains it (see SocketTransport).
    SSL_CTX_set_read_ahead(ctx, 1);
    static constexpr unsigned char SessionContext[] = "iotcore";
    SSL_CTX_set_session_id_context(ctx, SessionContext, sizeof SessionContext - 1);

    auto certificateBio = memoryBio(certificatePem);
    std::unique_ptr<X509, X509Free> leaf(
        certificateBio ? PEM_read_bio_X509_AUX(certificateBio.get(), nullptr, nullptr, nullptr)
                       : nullptr);
    if (!leaf) {
        *error = "cannot read " + origin.certificate + ": "
                 + takeOpenSslError("no PEM certificate in it");
        return nullptr;
    }
    if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1) {
        *error = "cannot use " + origin.certificate + ": " + takeOpenSslError();
        return nullptr;
    }
    // The certificates after the first are its chain, up to (not necessarily including) a root.
    while (X509 *intermediate = PEM_read_bio_X509(certificateBio.get(), nullptr, nullptr,
                                                  nullptr)) {
        if (SSL_CTX_add0_chain_cert(ctx, intermediate) != 1) {
            X509_free(intermediate);
            *error = "cannot use the chain in " + origin.certificate + ": " + takeOpenSslError();
            return nullptr;
        }
    }
    ERR_clear_error(); // the end of the file ends the loop above with "no start line"

    auto keyBio = memoryBio(keyPem);
    std::unique_ptr<EVP_PKEY, PkeyFree> key(
        keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, refusePassphrase, nullptr)
               : nullptr);
    if (!key) {
        const bool encrypted = keyPem.find("ENCRYPTED") != std::string::npos;
        *error = "cannot read " + origin.key + ": "
                 + (encrypted ? std::string("the key is protected by a passphrase, which is "
                                            "not supported")
                              : takeOpenSslError("no PEM private key in it"));
        ERR_clear_error();
        return nullptr;
    }
    if (X509_check_private_key(leaf.get(), key.get()) != 1) {
        ERR_clear_error();
        *error = origin.mismatch;
        return nullptr;
    }
    if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
        *error = "cannot use " + origin.key + ": " + takeOpenSslError();
        return nullptr;
    }

    if (requestClientCertificate) {
        // No SSL_VERIFY_FAIL_IF_NO_PEER_CERT: a client without a certificate may still log in
        // with a password. No list of acceptable CAs is sent, so clients offer any certificate.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, acceptAnyCertificate);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    }

    BIO_METHOD *socketMethod = newSocketMethod();
    if (!socketMethod) {
        *error = "cannot create a TLS context: " + takeOpenSslError();
        return nullptr;
    }
    return std::shared_ptr<const TlsServerContext>(
        new TlsServerContext(context.release(), socketMethod));
}

TlsServerContext::TlsServerContext(ssl_ctx_st *context, bio_method_st *socketMethod)
    : m_context(context)
    , m_socketMethod(socketMethod)
{
}

TlsServerContext::~TlsServerContext()
{
    SSL_CTX_free(m_context);
    BIO_meth_free(m_socketMethod);
}

ssl_st *TlsServerContext::newConnection(int fd) const
{
    SSL *ssl = SSL_new(m_context);
    if (!ssl)
        return nullptr;
    BIO *bio = BIO_new(m_socketMethod);
    if (!bio) {
        SSL_free(ssl);
        return nullptr;
    }
    BIO_set_data(bio, reinterpret_cast<void *>(std::intptr_t(fd)));
    SSL_set_bio(ssl, bio, bio); // the connection owns the BIO
    SSL_set_accept_state(ssl);
    return ssl;
}

} // namespace iotcore::broker
