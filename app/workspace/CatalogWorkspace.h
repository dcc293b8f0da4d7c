#pragma once

// The catalog of a workspace file as one command sees it: loaded once, changed in memory
// through Catalog (which validates), saved once at the end in one transaction. A command that
// fails before save() leaves the file exactly as it was, and a workspace that does not exist
// yet is only created by a successful save().

#include "iot/Catalog.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>

namespace iotcore::broker {
class CatalogStore;
}

namespace iotcore::app {

class CatalogWorkspace
{
public:
    // Null with one line in `error` when the file cannot be opened or read, or does not exist
    // and `create` is false.
    static std::unique_ptr<CatalogWorkspace> open(const QString &path, bool create, QString *error);
    ~CatalogWorkspace();

    broker::Catalog &catalog() { return m_catalog; }
    const broker::Catalog &catalog() const { return m_catalog; }
    const QString &path() const { return m_path; }
    int passwordIterations() const;
    bool save(QString *error);

    // Changes whenever the file's catalog was saved, by this or another process; 0 for a file
    // not created yet. Compare two readings to know whether to reload().
    std::int64_t changeCounter();
    // Replaces the catalog in memory with the file's. One line in `error` when it cannot be read.
    bool reload(QString *error);

    // IOT_CORE.md, "Limits": one line per quota of the cloud the catalog is past. They are not
    // enforced here, only shown, so that a workspace meant to go back to the cloud does not
    // outgrow it unnoticed.
    QStringList cloudQuotaWarnings() const;

private:
    CatalogWorkspace(QString path, std::unique_ptr<broker::CatalogStore> store,
                     broker::Catalog catalog);

    QString m_path;
    std::unique_ptr<broker::CatalogStore> m_store; // null until a new file is saved
    broker::Catalog m_catalog;
};

} // namespace iotcore::app
