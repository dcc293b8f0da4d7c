#pragma once

// The workspace's own certificate authority, kept in the workspace file (tables pki_authority and
// pki_server_certificates, schema 3 in WorkspaceSchema.cpp) so that the CA devices trust travels
// with the file. The CA is made on first use; `serve` asks it for a server certificate for its
// listeners' host names, which is kept and reused while the names match and it stays valid.
//
// Single-threaded: one Qt SQL connection, used on the thread that opened it. Several processes
// may share the file: each use runs in one write transaction, so two first uses at once still
// end with one CA.

#include "CertificateAuthority.h"

#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace iotcore::app {

class WorkspaceAuthority
{
public:
    // A server certificate is issued again when it has fewer days than this left.
    static constexpr int ServerRenewalDays = 30;

    // Opens the workspace at `path`, creating the file when it does not exist. Null with one line
    // in `error` when it cannot be opened (not a workspace, damaged, read-only).
    static std::unique_ptr<WorkspaceAuthority> open(const QString &path, std::string *error);
    ~WorkspaceAuthority();
    WorkspaceAuthority(const WorkspaceAuthority &) = delete;
    WorkspaceAuthority &operator=(const WorkspaceAuthority &) = delete;

    // Runs `use` with the workspace CA in one write transaction. A CA made for this first use is
    // stored only when `use` returns true, so a command that fails leaves the workspace as it
    // was. Returns false with one line in `error` when the CA cannot be read, made or stored, or
    // when `use` fails (with its error).
    using Use = std::function<bool(const CertificateAuthority &, std::string *error)>;
    bool withAuthority(const Use &use, std::string *error);

    // The CA's certificate (PEM) when the workspace has a CA, without making one: empty when it
    // has none. Nullopt with one line in `error` when the table cannot be read.
    std::optional<std::string> existingCertificatePem(std::string *error);

    // A TLS server certificate for `hosts` (host names and IP addresses; the first is its CN):
    // the stored one for the same set of names while this CA signed it and it is valid for
    // ServerRenewalDays more, otherwise a new one, stored in place of the old.
    std::optional<CertificateAndKey> serverCertificate(const std::vector<std::string> &hosts,
                                                       std::string *error);

    // The names a server certificate for listeners bound to `listenerHosts` carries: each
    // listener's host (a wildcard address stands for the machine's own addresses), then
    // localhost, 127.0.0.1, ::1 and the machine's host name; each once.
    static std::vector<std::string> serverHostNames(const std::vector<std::string> &listenerHosts);

private:
    WorkspaceAuthority(QString path, QString connectionName, QSqlDatabase db);

    bool begin(std::string *error);
    bool commit(std::string *error);
    void rollback();
    std::optional<CertificateAuthority> loadOrCreate(std::string *error);

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
};

} // namespace iotcore::app
