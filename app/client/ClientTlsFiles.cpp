#include "ClientTlsFiles.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

namespace iotcore::app {

namespace {

std::optional<QByteArray> readFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return file.readAll();
}

} // namespace

std::optional<QSslConfiguration> loadClientTlsConfiguration(const QString &caFile,
                                                            const QString &certificateFile,
                                                            const QString &keyFile,
                                                            QString *error)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);

    if (!caFile.isEmpty()) {
        const std::optional<QByteArray> pem = readFile(caFile, error);
        if (!pem)
            return std::nullopt;
        const QList<QSslCertificate> cas = QSslCertificate::fromData(*pem, QSsl::Pem);
        if (cas.isEmpty()) {
            *error = QStringLiteral("no PEM certificate in %1").arg(caFile);
            return std::nullopt;
        }
        configuration.setCaCertificates(cas);
    }

    if (certificateFile.isEmpty() != keyFile.isEmpty()) {
        *error = QStringLiteral("a client certificate needs both its certificate and key files");
        return std::nullopt;
    }
    if (!certificateFile.isEmpty()) {
        const std::optional<QByteArray> chainPem = readFile(certificateFile, error);
        if (!chainPem)
            return std::nullopt;
        const QList<QSslCertificate> chain = QSslCertificate::fromData(*chainPem, QSsl::Pem);
        if (chain.isEmpty()) {
            *error = QStringLiteral("no PEM certificate in %1").arg(certificateFile);
            return std::nullopt;
        }
        const std::optional<QByteArray> keyPem = readFile(keyFile, error);
        if (!keyPem)
            return std::nullopt;
        QSslKey key(*keyPem, QSsl::Ec, QSsl::Pem);
        if (key.isNull())
            key = QSslKey(*keyPem, QSsl::Rsa, QSsl::Pem);
        if (key.isNull()) {
            *error = QStringLiteral("no unencrypted EC or RSA private key in %1").arg(keyFile);
            return std::nullopt;
        }
        configuration.setLocalCertificateChain(chain);
        configuration.setPrivateKey(key);
    }
    return configuration;
}

} // namespace iotcore::app
