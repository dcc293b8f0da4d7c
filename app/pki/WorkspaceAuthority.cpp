#include "WorkspaceAuthority.h"

#include "iot/CatalogTypes.h"
#include "store/WorkspaceSchema.h"

#include <QHostAddress>
#include <QNetworkInterface>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QUuid>
#include <QVariant>

#include <algorithm>
#include <chrono>

namespace iotcore::app {

using broker::WorkspaceSchema;

namespace {

constexpr std::chrono::milliseconds BusyTimeout{5000};

QString text(const std::string &utf8)
{
    return QString::fromStdString(utf8);
}

QString now()
{
    return text(broker::formatRfc3339Nanos(std::chrono::system_clock::now()));
}

// One spelling per host: lowercase names, IP addresses as QHostAddress writes them ("[::1]" and
// "0:0::1" are "::1"), so that the same names find the same stored certificate.
std::string canonicalHost(std::string host)
{
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const QHostAddress address(text(host));
    if (!address.isNull())
        return address.toString().toStdString();
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return host;
}

void addOnce(std::vector<std::string> *hosts, const std::string &host)
{
    const std::string canonical = canonicalHost(host);
    if (!canonical.empty() && std::find(hosts->begin(), hosts->end(), canonical) == hosts->end())
        hosts->push_back(canonical);
}

// The key of pki_server_certificates: the set of names, sorted, space-separated.
QString hostSetKey(std::vector<std::string> hosts)
{
    std::sort(hosts.begin(), hosts.end());
    QStringList names;
    for (const std::string &host : hosts)
        names.append(text(host));
    return names.join(u' ');
}

bool isWildcard(const std::string &host)
{
    const QHostAddress address(text(canonicalHost(host)));
    return host.empty() || address == QHostAddress(QHostAddress::AnyIPv4)
           || address == QHostAddress(QHostAddress::AnyIPv6);
}

// A host name as a certificate may carry it (RFC 1123 letters, digits, '-' and '.').
bool isPlainHostName(const QString &name)
{
    return !name.isEmpty() && name.size() <= 253
           && std::all_of(name.begin(), name.end(), [](QChar c) {
                  return c.unicode() < 128 && (c.isLetterOrNumber() || c == u'-' || c == u'.');
              });
}

} // namespace

std::unique_ptr<WorkspaceAuthority> WorkspaceAuthority::open(const QString &path,
                                                             std::string *error)
{
    // Qt SQL names connections process-wide: each instance takes a name of its own.
    const QString name = QLatin1String("iotcore-workspace-authority-")
                         + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QSqlDatabase db = WorkspaceSchema::open(path, name, BusyTimeout, error);
    if (!db.isValid())
        return nullptr;
    return std::unique_ptr<WorkspaceAuthority>(new WorkspaceAuthority(path, name, std::move(db)));
}

WorkspaceAuthority::WorkspaceAuthority(QString path, QString connectionName, QSqlDatabase db)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
    , m_db(std::move(db))
{
}

WorkspaceAuthority::~WorkspaceAuthority()
{
    // Qt SQL wants every copy of the connection gone before the connection is removed.
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool WorkspaceAuthority::begin(std::string *error)
{
    // IMMEDIATE: the write lock up front, so two processes making the first CA take turns.
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
        *error = WorkspaceSchema::writeError(m_path, query.lastError());
        return false;
    }
    return true;
}

bool WorkspaceAuthority::commit(std::string *error)
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("COMMIT"))) {
        *error = WorkspaceSchema::writeError(m_path, query.lastError());
        rollback();
        return false;
    }
    return true;
}

void WorkspaceAuthority::rollback()
{
    QSqlQuery query(m_db);
    query.exec(QStringLiteral("ROLLBACK"));
}

// Inside a transaction.
std::optional<std::string> WorkspaceAuthority::existingCertificatePem(std::string *error)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT certificate_pem FROM pki_authority WHERE id = 1"))) {
        *error = WorkspaceSchema::readError(m_path, query.lastError());
        return std::nullopt;
    }
    return query.next() ? query.value(0).toString().toStdString() : std::string();
}

std::optional<CertificateAuthority> WorkspaceAuthority::loadOrCreate(std::string *error)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT certificate_pem, private_key_pem FROM pki_authority"
                                   " WHERE id = 1"))) {
        *error = WorkspaceSchema::readError(m_path, query.lastError());
        return std::nullopt;
    }
    if (query.next()) {
        std::string reason;
        auto authority = CertificateAuthority::load(query.value(0).toString().toStdString(),
                                                    query.value(1).toString().toStdString(),
                                                    &reason);
        if (!authority)
            *error = "workspace " + m_path.toStdString() + " holds a damaged CA: " + reason;
        return authority;
    }
    query.finish();

    auto authority = CertificateAuthority::create(KeyAlgorithm::EcP256, error);
    if (!authority)
        return std::nullopt;
    if (!query.prepare(QStringLiteral("INSERT INTO pki_authority"
                                      " (id, certificate_pem, private_key_pem, created_at)"
                                      " VALUES (1, ?, ?, ?)"))) {
        *error = WorkspaceSchema::writeError(m_path, query.lastError());
        return std::nullopt;
    }
    query.addBindValue(text(authority->certificatePem()));
    query.addBindValue(text(authority->privateKeyPem()));
    query.addBindValue(now());
    if (!query.exec()) {
        *error = WorkspaceSchema::writeError(m_path, query.lastError());
        return std::nullopt;
    }
    return authority;
}

bool WorkspaceAuthority::withAuthority(const Use &use, std::string *error)
{
    if (!begin(error))
        return false;
    const std::optional<CertificateAuthority> authority = loadOrCreate(error);
    if (!authority || !use(*authority, error)) {
        rollback();
        return false;
    }
    return commit(error);
}

std::optional<CertificateAndKey>
WorkspaceAuthority::serverCertificate(const std::vector<std::string> &hosts, std::string *error)
{
    std::vector<std::string> names;
    for (const std::string &host : hosts)
        addOnce(&names, host);
    const QString key = hostSetKey(names);

    std::optional<CertificateAndKey> result;
    const bool ok = withAuthority(
        [&](const CertificateAuthority &authority, std::string *failure) {
            QSqlQuery query(m_db);
            query.setForwardOnly(true);
            if (!query.prepare(QStringLiteral("SELECT certificate_pem, private_key_pem"
                                              " FROM pki_server_certificates"
                                              " WHERE host_names = ?"))) {
                *failure = WorkspaceSchema::readError(m_path, query.lastError());
                return false;
            }
            query.addBindValue(key);
            if (!query.exec()) {
                *failure = WorkspaceSchema::readError(m_path, query.lastError());
                return false;
            }
            if (query.next()) {
                CertificateAndKey stored{query.value(0).toString().toStdString(),
                                         query.value(1).toString().toStdString()};
                if (authority.stillCertifies(stored.certificatePem, ServerRenewalDays)) {
                    result = std::move(stored);
                    return true;
                }
            }
            query.finish();

            result = authority.issueServerCertificate(names, failure);
            if (!result)
                return false;
            if (!query.prepare(QStringLiteral("INSERT OR REPLACE INTO pki_server_certificates"
                                              " (host_names, certificate_pem, private_key_pem,"
                                              " created_at) VALUES (?, ?, ?, ?)"))) {
                *failure = WorkspaceSchema::writeError(m_path, query.lastError());
                return false;
            }
            query.addBindValue(key);
            query.addBindValue(text(result->certificatePem));
            query.addBindValue(text(result->privateKeyPem));
            query.addBindValue(now());
            if (!query.exec()) {
                *failure = WorkspaceSchema::writeError(m_path, query.lastError());
                return false;
            }
            return true;
        },
        error);
    if (!ok)
        return std::nullopt;
    return result;
}

std::vector<std::string>
WorkspaceAuthority::serverHostNames(const std::vector<std::string> &listenerHosts)
{
    std::vector<std::string> hosts;
    for (const std::string &host : listenerHosts) {
        if (!isWildcard(host)) {
            addOnce(&hosts, host);
            continue;
        }
        // Bound to every address: devices on the network may use any of them.
        for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
            if (address.isLinkLocal() || !address.scopeId().isEmpty())
                continue; // fe80::…%eth0 is no name a certificate can carry
            addOnce(&hosts, address.toString().toStdString());
        }
    }
    for (const char *loopback : {"localhost", "127.0.0.1", "::1"})
        addOnce(&hosts, loopback);
    const QString machine = QSysInfo::machineHostName();
    if (isPlainHostName(machine))
        addOnce(&hosts, machine.toStdString());
    return hosts;
}

} // namespace iotcore::app
