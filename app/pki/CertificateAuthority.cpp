#include "CertificateAuthority.h"

#include "net/CertificateFingerprint.h"
#include "net/OpenSslError.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <algorithm>
#include <ctime>
#include <limits>
#include <memory>

namespace iotcore::app {

using broker::takeOpenSslError;

namespace {

constexpr char CaCommonName[] = "IoT Core Studio local CA";
constexpr char ServerFallbackCommonName[] = "IoT Core Studio broker";
constexpr std::size_t MaxCommonName = 64; // ub_common_name, RFC 5280 appendix A.1
constexpr long ClockSkewSeconds = 300;    // valid from five minutes ago, for devices' clocks

template<typename T, void (*Free)(T *)>
struct OpenSslFree {
    void operator()(T *object) const { Free(object); }
};
template<typename T, void (*Free)(T *)>
using OpenSslPtr = std::unique_ptr<T, OpenSslFree<T, Free>>;

using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using BignumPtr = OpenSslPtr<BIGNUM, BN_free>;
using CertificatePtr = OpenSslPtr<X509, X509_free>;
using ExtensionPtr = OpenSslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using GeneralNamesPtr = OpenSslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using KeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;

enum class Role { Authority, Server, Client };

struct Issuer {
    X509 *certificate = nullptr; // null: self-signed
    EVP_PKEY *key = nullptr;
};

BioPtr readBio(std::string_view text)
{
    if (text.size() > std::size_t(std::numeric_limits<int>::max()))
        return nullptr;
    return BioPtr(BIO_new_mem_buf(text.data(), int(text.size())));
}

std::string bioText(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, std::size_t(size)) : std::string();
}

int refusePassphrase(char *, int, int, void *)
{
    return 0;
}

CertificatePtr parseCertificate(std::string_view pem)
{
    BioPtr bio = readBio(pem);
    return CertificatePtr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

KeyPtr parseKey(std::string_view pem)
{
    BioPtr bio = readBio(pem);
    return KeyPtr(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, refusePassphrase, nullptr)
                      : nullptr);
}

std::string certificatePem(X509 *certificate)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || !PEM_write_bio_X509(bio.get(), certificate))
        return {};
    return bioText(bio.get());
}

// PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY") for every key type.
std::string privateKeyPem(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || !PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr))
        return {};
    return bioText(bio.get());
}

KeyPtr generateKey(KeyAlgorithm algorithm)
{
    switch (algorithm) {
    case KeyAlgorithm::EcP256:
        return KeyPtr(EVP_EC_gen("P-256"));
    case KeyAlgorithm::Rsa2048:
        return KeyPtr(EVP_RSA_gen(2048));
    }
    return nullptr;
}

bool isHostNameCharacter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
           || c == '.' || c == '_' || c == '*';
}

// DNS names and IP addresses for subjectAltName, each checked: an IA5String holds ASCII only.
GeneralNamesPtr alternativeNames(const std::vector<std::string> &hosts, std::string *error)
{
    GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    if (!names) {
        *error = "cannot build subjectAltName: " + takeOpenSslError();
        return nullptr;
    }
    for (std::string host : hosts) {
        if (host.size() > 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2); // "[::1]", as in URLs
        unsigned char address[16];
        int addressSize = 0;
        if (inet_pton(AF_INET, host.c_str(), address) == 1)
            addressSize = 4;
        else if (inet_pton(AF_INET6, host.c_str(), address) == 1)
            addressSize = 16;
        else if (host.empty() || host.size() > 253
                 || !std::all_of(host.begin(), host.end(), isHostNameCharacter)) {
            *error = "not a host name or IP address: \"" + host + "\"";
            return nullptr;
        }

        GENERAL_NAME *name = GENERAL_NAME_new();
        if (!name) {
            *error = "cannot build subjectAltName: " + takeOpenSslError();
            return nullptr;
        }
        ASN1_STRING *value = addressSize ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
        const bool set = value
                         && (addressSize ? ASN1_OCTET_STRING_set(value, address, addressSize)
                                         : ASN1_STRING_set(value, host.data(), int(host.size())));
        if (!set) {
            ASN1_STRING_free(value);
            GENERAL_NAME_free(name);
            *error = "cannot build subjectAltName: " + takeOpenSslError();
            return nullptr;
        }
        GENERAL_NAME_set0_value(name, addressSize ? GEN_IPADD : GEN_DNS, value);
        if (!sk_GENERAL_NAME_push(names.get(), name)) {
            GENERAL_NAME_free(name);
            *error = "cannot build subjectAltName: " + takeOpenSslError();
            return nullptr;
        }
    }
    return names;
}

bool addExtension(X509 *certificate, X509V3_CTX *context, int nid, const char *value,
                  std::string *error)
{
    ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, context, nid, value));
    if (!extension || !X509_add_ext(certificate, extension.get(), -1)) {
        *error = std::string("cannot add ") + OBJ_nid2sn(nid) + ": " + takeOpenSslError();
        return false;
    }
    return true;
}

bool setCommonName(X509 *certificate, const std::string &commonName, std::string *error)
{
    X509_NAME *name = X509_get_subject_name(certificate);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char *>(commonName.data()),
                                    int(commonName.size()), -1, 0)) {
        *error = "invalid common name \"" + commonName + "\": " + takeOpenSslError();
        return false;
    }
    return true;
}

bool setRandomSerial(X509 *certificate, std::string *error)
{
    // 159 random bits, top bit set: positive, never zero, 20 octets at most (RFC 5280 4.1.2.2).
    BignumPtr serial(BN_new());
    if (!serial || !BN_rand(serial.get(), 159, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY)
        || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate))) {
        *error = "cannot make a serial number: " + takeOpenSslError();
        return false;
    }
    return true;
}

int defaultValidityDays(Role role)
{
    switch (role) {
    case Role::Authority:
        return CertificateAuthority::CaValidityDays;
    case Role::Server:
        return CertificateAuthority::ServerValidityDays;
    case Role::Client:
        break;
    }
    return CertificateAuthority::ClientValidityDays;
}

std::optional<CertificateAndKey> makeCertificate(Role role, const std::string &commonName,
                                                 const std::vector<std::string> &hosts,
                                                 KeyAlgorithm algorithm, Issuer issuer,
                                                 std::string *error, int days = 0)
{
    ERR_clear_error();
    if (days == 0)
        days = defaultValidityDays(role);
    if (days < 1 || days > CertificateAuthority::MaxValidityDays) {
        *error = "a certificate is valid for 1 to "
                 + std::to_string(CertificateAuthority::MaxValidityDays) + " days, not "
                 + std::to_string(days);
        return std::nullopt;
    }
    GeneralNamesPtr names;
    if (role == Role::Server) {
        if (hosts.empty()) {
            *error = "a server certificate needs at least one host name or IP address";
            return std::nullopt;
        }
        names = alternativeNames(hosts, error);
        if (!names)
            return std::nullopt;
    }
    if (commonName.empty() || commonName.size() > MaxCommonName) {
        *error = "a common name has 1 to 64 characters: \"" + commonName + "\"";
        return std::nullopt;
    }

    KeyPtr key = generateKey(algorithm);
    if (!key) {
        *error = "cannot generate a key: " + takeOpenSslError();
        return std::nullopt;
    }
    CertificatePtr certificate(X509_new());
    if (!certificate) {
        *error = "cannot create a certificate: " + takeOpenSslError();
        return std::nullopt;
    }
    X509 *cert = certificate.get();
    if (!setRandomSerial(cert, error))
        return std::nullopt;
    if (!X509_set_version(cert, X509_VERSION_3)
        || !X509_gmtime_adj(X509_getm_notBefore(cert), -ClockSkewSeconds)
        || !X509_time_adj_ex(X509_getm_notAfter(cert), days, -ClockSkewSeconds, nullptr)
        || !X509_set_pubkey(cert, key.get())) {
        *error = "cannot fill in the certificate: " + takeOpenSslError();
        return std::nullopt;
    }
    if (!setCommonName(cert, commonName, error))
        return std::nullopt;
    X509 *issuerCertificate = issuer.certificate ? issuer.certificate : cert;
    EVP_PKEY *signingKey = issuer.certificate ? issuer.key : key.get();
    if (!X509_set_issuer_name(cert, X509_get_subject_name(issuerCertificate))) {
        *error = "cannot set the issuer: " + takeOpenSslError();
        return std::nullopt;
    }

    X509V3_CTX context;
    X509V3_set_ctx(&context, issuerCertificate, cert, nullptr, nullptr, 0);
    const bool rsa = algorithm == KeyAlgorithm::Rsa2048;
    bool ok = true;
    if (role == Role::Authority) {
        // pathlen:0: this CA signs end-entity certificates only.
        ok = addExtension(cert, &context, NID_basic_constraints, "critical,CA:TRUE,pathlen:0",
                          error)
             && addExtension(cert, &context, NID_key_usage, "critical,keyCertSign,cRLSign", error);
    } else {
        ok = addExtension(cert, &context, NID_basic_constraints, "critical,CA:FALSE", error)
             && addExtension(cert, &context, NID_key_usage,
                             rsa ? "critical,digitalSignature,keyEncipherment"
                                 : "critical,digitalSignature",
                             error)
             && addExtension(cert, &context, NID_ext_key_usage,
                             role == Role::Server ? "serverAuth" : "clientAuth", error);
    }
    ok = ok && addExtension(cert, &context, NID_subject_key_identifier, "hash", error);
    if (ok && issuer.certificate)
        ok = addExtension(cert, &context, NID_authority_key_identifier, "keyid", error);
    if (ok && names
        && X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
        *error = "cannot add subjectAltName: " + takeOpenSslError();
        ok = false;
    }
    if (!ok)
        return std::nullopt;

    if (X509_sign(cert, signingKey, EVP_sha256()) <= 0) {
        *error = "cannot sign the certificate: " + takeOpenSslError();
        return std::nullopt;
    }
    CertificateAndKey made{certificatePem(cert), privateKeyPem(key.get())};
    if (made.certificatePem.empty() || made.privateKeyPem.empty()) {
        *error = "cannot write PEM: " + takeOpenSslError();
        return std::nullopt;
    }
    return made;
}

} // namespace

CertificateAuthority::CertificateAuthority(CertificateAndKey ca, KeyAlgorithm algorithm)
    : m_ca(std::move(ca))
    , m_algorithm(algorithm)
{
}

std::optional<CertificateAuthority> CertificateAuthority::create(KeyAlgorithm algorithm,
                                                                 std::string *error)
{
    auto made = makeCertificate(Role::Authority, CaCommonName, {}, algorithm, Issuer{}, error);
    if (!made)
        return std::nullopt;
    return CertificateAuthority(std::move(*made), algorithm);
}

std::optional<CertificateAuthority> CertificateAuthority::load(std::string certificatePem,
                                                               std::string privateKeyPem,
                                                               std::string *error)
{
    ERR_clear_error();
    const CertificatePtr certificate = parseCertificate(certificatePem);
    if (!certificate) {
        *error = "cannot read the CA certificate: " + takeOpenSslError("no PEM certificate");
        return std::nullopt;
    }
    const KeyPtr key = parseKey(privateKeyPem);
    if (!key) {
        *error = "cannot read the CA private key: " + takeOpenSslError("no PEM private key");
        return std::nullopt;
    }
    if (X509_check_private_key(certificate.get(), key.get()) != 1) {
        ERR_clear_error();
        *error = "the CA private key does not match its certificate";
        return std::nullopt;
    }
    if (X509_check_ca(certificate.get()) < 1) {
        *error = "the certificate is not a CA certificate";
        return std::nullopt;
    }
    const KeyAlgorithm algorithm = EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA
                                       ? KeyAlgorithm::Rsa2048
                                       : KeyAlgorithm::EcP256;
    return CertificateAuthority({std::move(certificatePem), std::move(privateKeyPem)}, algorithm);
}

std::optional<CertificateAndKey>
CertificateAuthority::issueServerCertificate(const std::vector<std::string> &hosts,
                                             std::string *error) const
{
    const CertificatePtr certificate = parseCertificate(m_ca.certificatePem);
    const KeyPtr key = parseKey(m_ca.privateKeyPem);
    if (!certificate || !key) {
        *error = "cannot read the CA: " + takeOpenSslError();
        return std::nullopt;
    }
    std::string commonName = hosts.empty() ? std::string() : hosts.front();
    if (commonName.size() > MaxCommonName)
        commonName = ServerFallbackCommonName; // the names themselves are in subjectAltName
    return makeCertificate(Role::Server, commonName, hosts, m_algorithm,
                           Issuer{certificate.get(), key.get()}, error);
}

bool CertificateAuthority::stillCertifies(std::string_view certificatePem, int days) const
{
    const CertificatePtr certificate = parseCertificate(certificatePem);
    const CertificatePtr authority = parseCertificate(m_ca.certificatePem);
    EVP_PKEY *authorityKey = authority ? X509_get0_pubkey(authority.get()) : nullptr;
    bool valid = certificate && authorityKey
                 && X509_check_issued(authority.get(), certificate.get()) == X509_V_OK
                 && X509_verify(certificate.get(), authorityKey) == 1;
    if (valid) {
        std::time_t now = std::time(nullptr);
        std::time_t until = now + std::time_t(days) * 24 * 3600;
        valid = X509_cmp_time(X509_get0_notBefore(certificate.get()), &now) < 0
                && X509_cmp_time(X509_get0_notAfter(certificate.get()), &until) > 0;
    }
    ERR_clear_error();
    return valid;
}

std::optional<CertificateAndKey>
CertificateAuthority::issueClientCertificate(const std::string &commonName,
                                             std::string *error, int validityDays) const
{
    const CertificatePtr certificate = parseCertificate(m_ca.certificatePem);
    const KeyPtr key = parseKey(m_ca.privateKeyPem);
    if (!certificate || !key) {
        *error = "cannot read the CA: " + takeOpenSslError();
        return std::nullopt;
    }
    return makeCertificate(Role::Client, commonName, {}, m_algorithm,
                           Issuer{certificate.get(), key.get()}, error, validityDays);
}

std::optional<CertificateAndKey> createSelfSignedClientCertificate(const std::string &commonName,
                                                                   KeyAlgorithm algorithm,
                                                                   std::string *error,
                                                                   int validityDays)
{
    return makeCertificate(Role::Client, commonName, {}, algorithm, Issuer{}, error,
                           validityDays);
}

std::string certificateFingerprint(std::string_view certificatePem, std::string *error)
{
    broker::PeerCertificate described;
    if (!broker::describePemCertificate(certificatePem, &described, error))
        return {};
    return described.sha1Fingerprint;
}

} // namespace iotcore::app
