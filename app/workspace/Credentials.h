#pragma once

// Credentials as the console makes them for a registry or device (IOT_CORE.md, "Passwords" and
// "Certificates"): generated passwords, `$7$` hashes, certificates read from PEM files or issued
// by the workspace's CA. Each failure is one line in `error`.

#include "iot/CatalogTypes.h"
#include "pki/CertificateAuthority.h"

#include <QFileDevice>
#include <QString>

#include <optional>
#include <string>

namespace iotcore::app {

// 24 characters of letters, digits, '-' and '_': past IoT Core's rule (14 characters of 3
// kinds) and safe to paste into a shell.
std::string generatePassword();

// Writes `text` to `path` (replacing it) with `permissions`: 0600 for private keys. One line in
// `error` naming the file when it cannot be written.
bool writeCredentialFile(const QString &path, const std::string &text, QFileDevice::Permissions permissions,
                         QString *error);

// A `$7$` hash with the workspace's iterations (several milliseconds).
std::optional<std::string> hashPassword(const std::string &password, int iterations,
                                        QString *error);

// One certificate (PEM or DER) from a file: only its public part is kept.
std::optional<broker::Certificate> readCertificateFile(const QString &path, QString *error);

// A client certificate and key issued by the workspace's CA (made on first use) with
// `commonName` as its CN: the CN is the device id, so `export mosquitto` can carry the
// identity over.
struct IssuedCertificate {
    broker::Certificate certificate; // for the catalog: fingerprint and PEM
    CertificateAndKey files;          // for the device: certificate and private key
};
std::optional<IssuedCertificate> issueWorkspaceCertificate(const QString &workspacePath,
                                                           const std::string &commonName,
                                                           QString *error);

// The workspace CA's certificate (PEM), made on first use.
std::optional<std::string> workspaceCaCertificate(const QString &workspacePath, QString *error);

} // namespace iotcore::app
