#pragma once

// The IoT Core catalog (registries, devices, brokers, their certificates and password hashes) in
// the workspace file. The command line loads it, changes it in memory through Catalog (which
// validates), and saves it back in one transaction: a refused change leaves the file exactly as
// it was. A running `serve` polls changeCounter() and reloads when another process committed.
//
// Single-threaded: a CatalogStore owns one Qt SQL connection, which belongs to the thread that
// opened it; call every function on that thread. Several instances (several threads, several
// processes) may share one file: SQLite's locks and the busy timeout order their writes.
//
// The tables (schema version 2, see WorkspaceSchema.cpp) are plain rows, readable with the
// sqlite3 CLI: iot_registries, iot_devices, iot_brokers, iot_labels, iot_device_topic_aliases,
// iot_certificates and iot_passwords; times are RFC 3339 UTC with nine fraction digits.

#include "iot/Catalog.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QString>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace iotcore::broker {

class CatalogStore
{
public:
    struct Options {
        // How long a statement waits for another connection (the broker's writer, another
        // command) holding the file locked before it fails.
        std::chrono::milliseconds busyTimeout{5000};
    };

    // Opens (or, with create, creates) a workspace file, checked and migrated like
    // SqliteBrokerStore does (WorkspaceSchema). Null with one line in `error` on failure.
    static std::unique_ptr<CatalogStore> open(const std::string &path, bool create,
                                              std::string *error);
    static std::unique_ptr<CatalogStore> open(const std::string &path, bool create,
                                              const Options &options, std::string *error);
    ~CatalogStore();
    CatalogStore(const CatalogStore &) = delete;
    CatalogStore &operator=(const CatalogStore &) = delete;

    // The whole catalog, ids, timestamps and credentials as stored, read in one snapshot. A row
    // the Catalog refuses (a file edited by hand) gives nullopt and one line naming the entity.
    std::optional<Catalog> load(std::string *error);

    // Makes the stored catalog equal to `catalog`, in one transaction (all or nothing).
    bool save(const Catalog &catalog, std::string *error);

    // Changes whenever the catalog was saved, by this or another process (a generation in `meta`
    // bumped by every save), and not when the broker writes its own tables: compare two readings
    // to know whether to reload. One indexed one-row read.
    std::int64_t changeCounter();

    // PBKDF2 iterations for new password hashes in this workspace (default PasswordHasher's).
    int passwordIterations();
    bool setPasswordIterations(int iterations, std::string *error);

    const std::string &path() const { return m_path; }

private:
    CatalogStore(std::string path, QString connectionName, QSqlDatabase db);

    std::optional<std::int64_t> dataVersion(QSqlError *failed = nullptr);
    std::int64_t readGeneration();

    std::string m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::int64_t m_changes = 0;     // what changeCounter() returns: the catalog's generation
};

} // namespace iotcore::broker
