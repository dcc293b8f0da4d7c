#pragma once

// A certificate a user registers for a registry, device or broker (IOT_CORE.md,
// "Certificates"): PEM (or DER) in, only the public certificate kept, named by the SHA-1 of its
// DER (net/CertificateFingerprint). No chain is checked: the registered certificate itself is
// the credential, self-signed being the usual case.

#include "CatalogTypes.h"

#include <optional>
#include <string>
#include <string_view>

namespace iotcore::broker {

struct CertificateInfo {
    std::string fingerprint; // lowercase hex SHA-1 of the DER, 40 characters
    std::string subject;     // RFC 2253 one-line distinguished name
    std::string pem;         // normalized: one "-----BEGIN CERTIFICATE-----" block, 64 columns
    Timestamp notBefore{};
    Timestamp notAfter{};
};

// One certificate, PEM or DER. Refused with one line in `error`: a private key anywhere in the
// text ("contains a private key"), more than one certificate, or anything that is not a
// certificate ("not a PEM certificate: …").
std::optional<CertificateInfo> parseCertificate(std::string_view data, std::string *error);

} // namespace iotcore::broker
