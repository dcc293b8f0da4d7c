#include "CertificateFingerprint.h"

#include "OpenSslError.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <limits>
#include <memory>

namespace iotcore::broker {

namespace {

struct BioFree {
    void operator()(BIO *bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

struct X509Free {
    void operator()(X509 *certificate) const { X509_free(certificate); }
};

std::string drain(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, std::size_t(size)) : std::string();
}

} // namespace

std::string sha1Fingerprint(const x509_st *certificate)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!X509_digest(certificate, EVP_sha1(), digest, &length))
        return {};
    static constexpr char Hex[] = "0123456789abcdef";
    std::string text;
    text.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        text += Hex[digest[i] >> 4];
        text += Hex[digest[i] & 0x0f];
    }
    return text;
}

PeerCertificate describeCertificate(const x509_st *certificate)
{
    PeerCertificate described;
    described.sha1Fingerprint = sha1Fingerprint(certificate);
    BioPtr subject(BIO_new(BIO_s_mem()));
    if (subject
        && X509_NAME_print_ex(subject.get(), X509_get_subject_name(certificate), 0,
                              XN_FLAG_RFC2253) >= 0) {
        described.subject = drain(subject.get());
    }
    BioPtr pem(BIO_new(BIO_s_mem()));
    if (pem && PEM_write_bio_X509(pem.get(), certificate))
        described.pem = drain(pem.get());
    return described;
}

bool describePemCertificate(std::string_view pem, PeerCertificate *certificate,
                            std::string *error)
{
    ERR_clear_error();
    if (pem.size() > std::size_t(std::numeric_limits<int>::max())) {
        *error = "not a PEM certificate: too large";
        return false;
    }
    BioPtr input(BIO_new_mem_buf(pem.data(), int(pem.size())));
    std::unique_ptr<X509, X509Free> parsed(
        input ? PEM_read_bio_X509(input.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!parsed) {
        *error = "not a PEM certificate: " + takeOpenSslError();
        return false;
    }
    *certificate = describeCertificate(parsed.get());
    return true;
}

} // namespace iotcore::broker
