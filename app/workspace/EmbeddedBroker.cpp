#include "EmbeddedBroker.h"

#include "observe/Log.h"
#include "pki/WorkspaceAuthority.h"
#include "store/CatalogStore.h"
#include "store/SqliteBrokerStore.h"

#include <optional>
#include <string_view>

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

// A kept message of a device or registry that is no longer in the catalog: it goes with its
// owner (IOT_CORE.md, "Permanent topics").
bool ownerDeleted(const Catalog &catalog, std::string_view topic)
{
    for (const std::string_view prefix : {std::string_view("$devices/"), std::string_view("$registries/")}) {
        if (!topic.starts_with(prefix))
            continue;
        std::string_view id = topic.substr(prefix.size());
        id = id.substr(0, id.find('/'));
        return prefix == "$devices/" ? !catalog.device(id) : !catalog.registry(id);
    }
    return false;
}

} // namespace

EmbeddedBroker::EmbeddedBroker(Options options, Log &log, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_log(log)
{
    connect(&m_catalogWatch, &QTimer::timeout, this, &EmbeddedBroker::reloadCatalog);
}

EmbeddedBroker::~EmbeddedBroker()
{
    stop();
}

bool EmbeddedBroker::open(QString *error)
{
    const std::string path = m_options.workspacePath.toStdString();
    StoredBrokerState state;
    std::string message;
    if (!path.empty()) {
        m_store = SqliteBrokerStore::open(path, &message);
        if (!m_store) {
            *error = QString::fromStdString(message);
            return false;
        }
        state = m_store->load(&message);
        if (!message.empty()) {
            *error = QString::fromStdString(message);
            return false;
        }
    }
    std::shared_ptr<const Catalog> catalog;
    if (m_options.iotCore) {
        if (path.empty()) {
            *error = QStringLiteral("IoT Core listeners need a workspace with registries and "
                                    "devices");
            return false;
        }
        m_catalogStore = CatalogStore::open(path, true, &message);
        std::optional<Catalog> loaded = m_catalogStore ? m_catalogStore->load(&message)
                                                       : std::nullopt;
        if (!loaded) {
            *error = QString::fromStdString(message);
            return false;
        }
        m_catalogVersion = m_catalogStore->changeCounter();
        catalog = std::make_shared<const Catalog>(std::move(*loaded));
    }

    m_server = std::make_unique<BrokerServer>(m_options.config, m_log, m_store.get());
    if (catalog) {
        BrokerServer *server = m_server.get();
        m_authenticator = std::make_shared<IotAuthenticator>(
            [server](std::function<void()> task) {
                server->post([task = std::move(task)](Broker &) { task(); });
            },
            catalog);
        m_authenticator->setRateLimit(m_options.rateLimit);
        m_server->setAuthenticator(m_authenticator);
    }
    if (catalog && m_store) {
        // Devices and registries deleted while no broker ran on this workspace.
        std::erase_if(state.permanent, [&](const MessagePtr &kept) {
            if (!ownerDeleted(*catalog, kept->topic))
                return false;
            m_store->removePermanent(kept->topic);
            return true;
        });
    }
    m_server->restore(state);
    return true;
}

bool EmbeddedBroker::addListeners(std::vector<ListenerSpec> specs, QString *error)
{
    if (!useWorkspaceCertificate(&specs, error))
        return false;
    for (const ListenerSpec &spec : specs) {
        std::string message;
        if (!m_server->addListener(spec, &message)) {
            *error = QString::fromStdString(message);
            return false;
        }
    }
    return true;
}

// TLS listeners given no certificate files share one server certificate from the workspace CA,
// kept in the workspace and reused while their names stay the same (WorkspaceAuthority).
bool EmbeddedBroker::useWorkspaceCertificate(std::vector<ListenerSpec> *specs, QString *error)
{
    std::vector<std::string> hosts;
    for (const ListenerSpec &spec : *specs) {
        if (spec.tls && spec.certificateFile.empty() && spec.certificatePem.empty())
            hosts.push_back(spec.host);
    }
    if (hosts.empty())
        return true;
    if (m_options.workspacePath.isEmpty()) {
        *error = QStringLiteral("a TLS listener needs a server certificate: certificate files, "
                                "or a workspace whose CA issues one");
        return false;
    }
    std::string message;
    std::optional<CertificateAndKey> certificate;
    if (auto authority = WorkspaceAuthority::open(m_options.workspacePath, &message)) {
        certificate = authority->serverCertificate(WorkspaceAuthority::serverHostNames(hosts),
                                                   &message);
    }
    if (!certificate) {
        *error = QString::fromStdString(message);
        return false;
    }
    for (ListenerSpec &spec : *specs) {
        if (spec.tls && spec.certificateFile.empty() && spec.certificatePem.empty()) {
            spec.certificatePem = certificate->certificatePem;
            spec.privateKeyPem = certificate->privateKeyPem;
        }
    }
    return true;
}

bool EmbeddedBroker::start(QString *error)
{
    if (!m_server->start()) {
        *error = QStringLiteral("cannot start the broker's event loop");
        return false;
    }
    if (m_catalogStore)
        m_catalogWatch.start(m_options.catalogPollMs);
    return true;
}

bool EmbeddedBroker::stop()
{
    m_catalogWatch.stop();
    return !m_server || m_server->stop();
}

const std::vector<BoundListener> &EmbeddedBroker::listeners() const
{
    static const std::vector<BoundListener> none;
    return m_server ? m_server->listeners() : none;
}

// The catalog is a snapshot: a new one is loaded here and swapped in on the broker thread, which
// drops the clients whose rights went away (ARCHITECTURE.md, "The catalog is a snapshot").
void EmbeddedBroker::reloadCatalog()
{
    if (!m_catalogStore || !isRunning())
        return;
    const std::int64_t version = m_catalogStore->changeCounter();
    if (version == m_catalogVersion)
        return;
    m_catalogVersion = version;
    std::string message;
    std::optional<Catalog> loaded = m_catalogStore->load(&message);
    if (!loaded) {
        m_log.write(LogLevel::Error, "catalog",
                    {{"error", message}, {"action", "kept the previous catalog"}});
        emit catalogReloadFailed(QString::fromStdString(message));
        return;
    }
    auto snapshot = std::make_shared<const Catalog>(std::move(*loaded));
    m_server->post([authenticator = m_authenticator, snapshot](Broker &broker) {
        authenticator->setCatalog(snapshot);
        broker.dropRevokedClients();
        broker.clearPermanentTopics(
            [&](const std::string &topic) { return ownerDeleted(*snapshot, topic); });
    });
    m_log.write(LogLevel::Info, "catalog", {{"action", "reloaded"}});
    emit catalogReloaded();
}

void EmbeddedBroker::requestStatistics()
{
    if (!isRunning())
        return;
    // The answer is queued to this object; stop() joins the broker thread before it goes away.
    m_server->post([this](Broker &broker) {
        const Broker::Statistics statistics = broker.statistics();
        QMetaObject::invokeMethod(
            this, [this, statistics] { emit statisticsReady(statistics); }, Qt::QueuedConnection);
    });
}

void EmbeddedBroker::requestMonitoring(const QString &deviceId)
{
    if (!isRunning() || !m_authenticator)
        return;
    m_server->post([this, authenticator = m_authenticator, deviceId](Broker &) {
        const IotAuthenticator::Monitoring *found = authenticator->monitoring(deviceId.toStdString());
        const IotAuthenticator::Monitoring monitoring = found ? *found : IotAuthenticator::Monitoring();
        QMetaObject::invokeMethod(
            this, [this, deviceId, monitoring] { emit monitoringReady(deviceId, monitoring); },
            Qt::QueuedConnection);
    });
}

} // namespace iotcore::app
