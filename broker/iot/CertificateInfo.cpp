#include "CertificateInfo.h"

#include "net/CertificateFingerprint.h"
#include "net/OpenSslError.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <limits>
#include <memory>

namespace iotcore::broker {

namespace {

struct X509Free {
    void operator()(X509 *certificate) const { X509_free(certificate); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

struct BioFree {
    void operator()(BIO *bio) const { BIO_free(bio); }
};

constexpr std::string_view PemBegin = "-----BEGIN CERTIFICATE-----";

std::optional<Timestamp> toTimestamp(const ASN1_TIME *time)
{
    std::tm utc{};
    if (!time || ASN1_TIME_to_tm(time, &utc) != 1)
        return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&utc));
}

std::size_t count(std::string_view text, std::string_view what)
{
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string_view::npos;
         at = text.find(what, at + what.size()))
        ++n;
    return n;
}

X509Ptr readPem(std::string_view text, std::string *error)
{
    std::unique_ptr<BIO, BioFree> input(BIO_new_mem_buf(text.data(), int(text.size())));
    X509Ptr parsed(input ? PEM_read_bio_X509(input.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!parsed)
        *error = "not a PEM certificate: " + takeOpenSslError();
    return parsed;
}

X509Ptr readDer(std::string_view bytes, std::string *error)
{
    const auto *cursor = reinterpret_cast<const unsigned char *>(bytes.data());
    X509Ptr parsed(d2i_X509(nullptr, &cursor, long(bytes.size())));
    if (!parsed) {
        *error = "not a PEM or DER certificate: " + takeOpenSslError();
        return nullptr;
    }
    if (cursor != reinterpret_cast<const unsigned char *>(bytes.data()) + bytes.size()) {
        *error = "not a DER certificate: extra bytes after the certificate";
        return nullptr;
    }
    return parsed;
}

} // namespace

std::optional<CertificateInfo> parseCertificate(std::string_view data, std::string *error)
{
    ERR_clear_error();
    if (data.size() > std::size_t(std::numeric_limits<int>::max()) / 2) {
        *error = "not a PEM certificate: too large";
        return std::nullopt;
    }
    if (data.find("PRIVATE KEY-----") != std::string_view::npos) {
        *error = "contains a private key: give only the certificate (its public part), keep the "
                 "key on the device";
        return std::nullopt;
    }
    X509Ptr certificate;
    if (data.find(PemBegin) != std::string_view::npos) {
        if (count(data, PemBegin) > 1) {
            *error = "contains more than one certificate: give one certificate at a time";
            return std::nullopt;
        }
        certificate = readPem(data, error);
    } else if (!data.empty() && static_cast<unsigned char>(data.front()) == 0x30) {
        certificate = readDer(data, error); // DER starts with an ASN.1 SEQUENCE
    } else {
        *error = data.find("-----BEGIN ") != std::string_view::npos
                     ? "not a PEM certificate: no \"-----BEGIN CERTIFICATE-----\" block"
                     : "not a PEM certificate: no \"-----BEGIN CERTIFICATE-----\" line";
        return std::nullopt;
    }
    if (!certificate)
        return std::nullopt;

    const PeerCertificate described = describeCertificate(certificate.get());
    if (described.sha1Fingerprint.size() != 40 || described.pem.empty()) {
        *error = "not a usable certificate: " + takeOpenSslError("cannot encode it");
        return std::nullopt;
    }
    CertificateInfo info;
    info.fingerprint = described.sha1Fingerprint;
    info.subject = described.subject;
    info.pem = described.pem;
    info.notBefore = toTimestamp(X509_get0_notBefore(certificate.get())).value_or(Timestamp{});
    info.notAfter = toTimestamp(X509_get0_notAfter(certificate.get())).value_or(Timestamp{});
    return info;
}

} // namespace iotcore::broker
