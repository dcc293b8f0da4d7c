#pragma once

// How IoT Core names a certificate: the SHA-1 of its DER encoding in lowercase hex (40
// characters; the service printed these even where its API reference says "SHA256"). Used by the
// TLS transport for the client's certificate and by the application for certificates it issues
// or imports.

#include "core/Transport.h"

#include <string>
#include <string_view>

struct x509_st; // OpenSSL's X509

namespace iotcore::broker {

std::string sha1Fingerprint(const x509_st *certificate);

// Fingerprint, one-line subject (RFC 2253) and PEM of a certificate.
PeerCertificate describeCertificate(const x509_st *certificate);

// The first certificate of a PEM text. False with `error` set (one line) when there is none.
bool describePemCertificate(std::string_view pem, PeerCertificate *certificate,
                            std::string *error);

} // namespace iotcore::broker
