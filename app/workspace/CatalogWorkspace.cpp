#include "CatalogWorkspace.h"

#include "iot/PasswordHasher.h"
#include "store/CatalogStore.h"

#include <QFile>
#include <QFileInfo>

namespace iotcore::app {

using namespace iotcore::broker;

CatalogWorkspace::CatalogWorkspace(QString path, std::unique_ptr<CatalogStore> store,
                                   Catalog catalog)
    : m_path(std::move(path)), m_store(std::move(store)), m_catalog(std::move(catalog))
{ }

CatalogWorkspace::~CatalogWorkspace() = default;

std::unique_ptr<CatalogWorkspace> CatalogWorkspace::open(const QString &path, bool create,
                                                         QString *error)
{
    if (!QFileInfo::exists(path)) {
        if (!create) {
            *error = QStringLiteral("workspace \"%1\" does not exist").arg(path);
            return {};
        }
        // Created by save(), so a refused first command leaves no file behind.
        return std::unique_ptr<CatalogWorkspace>(new CatalogWorkspace(path, nullptr, Catalog()));
    }
    std::string message;
    std::unique_ptr<CatalogStore> store = CatalogStore::open(path.toStdString(), false, &message);
    if (!store) {
        *error = QString::fromStdString(message);
        return {};
    }
    std::optional<Catalog> catalog = store->load(&message);
    if (!catalog) {
        *error = QString::fromStdString(message);
        return {};
    }
    return std::unique_ptr<CatalogWorkspace>(
        new CatalogWorkspace(path, std::move(store), std::move(*catalog)));
}

int CatalogWorkspace::passwordIterations() const
{
    return m_store ? m_store->passwordIterations() : PasswordHasher::DefaultIterations;
}

bool CatalogWorkspace::save(QString *error)
{
    std::string message;
    const bool created = !m_store;
    if (created) {
        m_store = CatalogStore::open(m_path.toStdString(), true, &message);
        if (!m_store) {
            *error = QString::fromStdString(message);
            return false;
        }
    }
    if (!m_store->save(m_catalog, &message)) {
        *error = QString::fromStdString(message);
        if (created) {
            m_store.reset();
            QFile::remove(m_path);
        }
        return false;
    }
    return true;
}

std::int64_t CatalogWorkspace::changeCounter()
{
    return m_store ? m_store->changeCounter() : 0;
}

bool CatalogWorkspace::reload(QString *error)
{
    if (!m_store)
        return true;
    std::string message;
    std::optional<Catalog> catalog = m_store->load(&message);
    if (!catalog) {
        *error = QString::fromStdString(message);
        return false;
    }
    m_catalog = std::move(*catalog);
    return true;
}

QStringList CatalogWorkspace::cloudQuotaWarnings() const
{
    struct Quota {
        std::size_t count;
        std::size_t limit;
        const char *what;
    };
    std::size_t devices = 0;
    for (const Registry *registry : m_catalog.registries())
        devices += m_catalog.deviceCount(registry->id);
    const Quota quotas[] = {{m_catalog.registries().size(), 10, "registries"},
                            {devices, 1000, "devices"},
                            {m_catalog.brokers().size(), 10, "brokers"}};
    QStringList warnings;
    for (const Quota &quota : quotas) {
        if (quota.count > quota.limit) {
            warnings.append(QStringLiteral("the workspace has %1 %2, over Yandex Cloud's default "
                                           "quota of %3 (not enforced here)")
                                .arg(quota.count)
                                .arg(QLatin1String(quota.what))
                                .arg(quota.limit));
        }
    }
    return warnings;
}

} // namespace iotcore::app
