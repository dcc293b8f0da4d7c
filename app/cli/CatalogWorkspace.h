#pragma once

// The catalog of a workspace file as one command sees it: loaded once, changed in memory
// through Catalog (which validates), saved once at the end in one transaction. A command that
// fails before save() leaves the file exactly as it was, and a workspace that does not exist
// yet is only created by a successful save().

#include "iot/Catalog.h"

#include <QString>

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
    int passwordIterations() const;
    bool save(QString *error);

private:
    void warnAboutCloudQuotas() const;
    CatalogWorkspace(QString path, std::unique_ptr<broker::CatalogStore> store,
                     broker::Catalog catalog);

    QString m_path;
    std::unique_ptr<broker::CatalogStore> m_store; // null until a new file is saved
    broker::Catalog m_catalog;
};

} // namespace iotcore::app
