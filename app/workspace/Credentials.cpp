#include "Credentials.h"

#include "iot/CatalogRules.h"
#include "iot/CertificateInfo.h"
#include "iot/PasswordHasher.h"
#include "pki/WorkspaceAuthority.h"

#include <QFile>
#include <QRandomGenerator>

namespace iotcore::app {

using namespace iotcore::broker;

bool writeCredentialFile(const QString &path, const std::string &text, QFileDevice::Permissions permissions,
                         QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || file.write(text.data(), qint64(text.size())) != qint64(text.size())
        || !file.setPermissions(permissions)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

std::string generatePassword()
{
    // No 0/O, 1/l/I: a password read aloud or copied by hand survives.
    static constexpr char Alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_";
    for (;;) {
        std::string password;
        for (int i = 0; i < 24; ++i)
            password += Alphabet[QRandomGenerator::system()->bounded(int(sizeof Alphabet - 1))];
        if (rules::checkPasswordStrength(password).empty())
            return password;
    }
}

std::optional<std::string> hashPassword(const std::string &password, int iterations, QString *error)
{
    std::string hash = PasswordHasher(iterations).hash(password);
    if (hash.empty()) {
        *error = QStringLiteral("cannot hash the password: no random bytes from OpenSSL");
        return std::nullopt;
    }
    return hash;
}

std::optional<Certificate> readCertificateFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read certificate file \"%1\": %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray data = file.readAll();
    std::string why;
    const std::optional<CertificateInfo> info
        = parseCertificate(std::string_view(data.constData(), std::size_t(data.size())), &why);
    if (!info) {
        *error = QStringLiteral("certificate file \"%1\": %2").arg(path, QString::fromStdString(why));
        return std::nullopt;
    }
    return Certificate{info->fingerprint, info->pem, {}};
}

std::optional<IssuedCertificate> issueWorkspaceCertificate(const QString &workspacePath,
                                                           const std::string &commonName,
                                                           QString *error)
{
    std::string message;
    std::unique_ptr<WorkspaceAuthority> authority = WorkspaceAuthority::open(workspacePath, &message);
    std::optional<CertificateAndKey> issued;
    const bool done = authority
        && authority->withAuthority(
            [&](const CertificateAuthority &ca, std::string *why) {
                issued = ca.issueClientCertificate(commonName, why);
                return issued.has_value();
            },
            &message);
    if (!done) {
        *error = QString::fromStdString(message);
        return std::nullopt;
    }
    const std::optional<CertificateInfo> info = parseCertificate(issued->certificatePem, &message);
    if (!info) {
        *error = QString::fromStdString(message);
        return std::nullopt;
    }
    return IssuedCertificate{Certificate{info->fingerprint, info->pem, {}}, *issued};
}

std::optional<std::string> workspaceCaCertificate(const QString &workspacePath, QString *error)
{
    std::string message;
    std::unique_ptr<WorkspaceAuthority> authority = WorkspaceAuthority::open(workspacePath, &message);
    std::string pem;
    const bool done = authority
        && authority->withAuthority(
            [&](const CertificateAuthority &ca, std::string *) {
                pem = ca.certificatePem();
                return true;
            },
            &message);
    if (!done) {
        *error = QString::fromStdString(message);
        return std::nullopt;
    }
    return pem;
}

} // namespace iotcore::app
