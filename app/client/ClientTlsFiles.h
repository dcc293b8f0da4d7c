#pragma once

// A client's TLS configuration from PEM files, as a connection profile names them: the CA
// certificates to verify the server against and, for mutual TLS (IoT Core's certificate
// identities), the client certificate and its key.

#include <QSslConfiguration>
#include <QString>

#include <optional>

namespace iotcore::app {

// `caFile` empty: the system's CA certificates. `certificateFile` (chain allowed) and `keyFile`
// (EC or RSA, PKCS#8 or traditional, unencrypted) both empty or both given. Null with `error`
// (one line naming the file) when a file is unreadable or holds no certificate or key.
std::optional<QSslConfiguration> loadClientTlsConfiguration(const QString &caFile,
                                                            const QString &certificateFile,
                                                            const QString &keyFile,
                                                            QString *error);

} // namespace iotcore::app
