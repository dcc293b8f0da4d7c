#pragma once

// The workspace's own certificate authority, as IoT Core users need one locally: the CA that
// signs the broker's TLS certificate (exported so devices can trust it), client certificates
// signed by it, and self-signed client certificates, the usual form in IoT Core. Keys are
// PKCS#8 PEM, certificates PEM; every failure is one line in `error`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iotcore::app {

enum class KeyAlgorithm { EcP256, Rsa2048 };

struct CertificateAndKey {
    std::string certificatePem;
    std::string privateKeyPem; // PKCS#8, unencrypted
};

class CertificateAuthority
{
public:
    static constexpr int CaValidityDays = 3650;
    static constexpr int ServerValidityDays = 825; // the longest that Apple's TLS clients accept
    static constexpr int ClientValidityDays = 3650; // devices outlive a development cycle
    static constexpr int MaxValidityDays = 36500;

    // A new CA: CN "IoT Core Studio local CA", valid for ten years. The keys it issues use the
    // same algorithm as its own.
    static std::optional<CertificateAuthority> create(KeyAlgorithm algorithm, std::string *error);

    // A CA kept earlier. Refused when the key does not match or the certificate is not a CA.
    static std::optional<CertificateAuthority> load(std::string certificatePem,
                                                    std::string privateKeyPem, std::string *error);

    const std::string &certificatePem() const { return m_ca.certificatePem; }
    const std::string &privateKeyPem() const { return m_ca.privateKeyPem; }
    KeyAlgorithm keyAlgorithm() const { return m_algorithm; }

    // A TLS server certificate for host names and IP addresses (v4 or v6), all in its
    // subjectAltName; the first one is also its CN.
    std::optional<CertificateAndKey> issueServerCertificate(const std::vector<std::string> &hosts,
                                                            std::string *error) const;

    // Whether this CA signed `certificatePem` and it stays valid for `days` more days: a
    // certificate kept earlier may then be used again.
    bool stillCertifies(std::string_view certificatePem, int days) const;

    // A TLS client certificate with `commonName` as its CN, valid for `validityDays` (1 to
    // MaxValidityDays).
    std::optional<CertificateAndKey> issueClientCertificate(const std::string &commonName,
                                                            std::string *error,
                                                            int validityDays = ClientValidityDays) const;

private:
    CertificateAuthority(CertificateAndKey ca, KeyAlgorithm algorithm);

    CertificateAndKey m_ca;
    KeyAlgorithm m_algorithm;
};

// A self-signed TLS client certificate with `commonName` as its CN: what IoT Core users make
// with `openssl req -x509` and register with a device or registry.
std::optional<CertificateAndKey>
createSelfSignedClientCertificate(const std::string &commonName, KeyAlgorithm algorithm,
                                  std::string *error,
                                  int validityDays = CertificateAuthority::ClientValidityDays);

// IoT Core's fingerprint of a PEM certificate: SHA-1 of its DER encoding in lowercase hex. Empty,
// with `error` set, when the text holds no certificate.
std::string certificateFingerprint(std::string_view certificatePem, std::string *error);

} // namespace iotcore::app
