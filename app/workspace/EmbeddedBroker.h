#pragma once

// The embedded broker assembled once for `serve` and the console: BrokerServer with the
// workspace's persistence (retained messages, sessions, kept messages, entity logs), the
// catalog's IotAuthenticator behind the IoT Core listeners, TLS server certificates from the
// workspace CA, and the catalog reloaded whenever the workspace file changes (an `iot …` command
// in another shell, or the console's own edits).
//
// Lives on the main thread; the engine runs on the server's thread and is reached only through
// post(). Nothing here waits for the broker: questions (statistics, monitoring) are posted and
// answered by signals.

#include "core/Broker.h"
#include "iot/IotAuthenticator.h"
#include "net/BrokerServer.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <memory>
#include <vector>

namespace iotcore::broker {
class CatalogStore;
class Log;
class SqliteBrokerStore;
}

namespace iotcore::app {

class EmbeddedBroker : public QObject
{
    Q_OBJECT

public:
    struct Options {
        QString workspacePath; // empty: everything in memory, open listeners only
        bool iotCore = false;  // load the catalog and authenticate IoT Core listeners
        broker::BrokerConfig config;
        broker::IotAuthenticator::RateLimit rateLimit = broker::IotAuthenticator::RateLimit::Warn;
        int catalogPollMs = 1000; // how often the workspace file is checked for catalog changes
    };

    EmbeddedBroker(Options options, broker::Log &log, QObject *parent = nullptr);
    ~EmbeddedBroker() override;

    // Opens the stores and the catalog and restores what the workspace kept. Kept messages of
    // devices and registries deleted meanwhile go with their owners. One line in `error`.
    bool open(QString *error);
    // Before start(). TLS listeners without certificate files get one server certificate from
    // the workspace CA for all their hosts. Stops at the first listener that cannot be opened.
    bool addListeners(std::vector<broker::ListenerSpec> specs, QString *error);
    // Starts the engine's thread and the catalog watch.
    bool start(QString *error);
    // Closes every connection and writes what must survive; false when the store could not be
    // written (the reason is in the log). Also done by the destructor.
    bool stop();

    bool isRunning() const { return m_server && m_server->isRunning(); }
    const std::vector<broker::BoundListener> &listeners() const;
    broker::BrokerServer &server() { return *m_server; }
    // Null without `iotCore`.
    const std::shared_ptr<broker::IotAuthenticator> &authenticator() const { return m_authenticator; }
    const QString &workspacePath() const { return m_options.workspacePath; }

public slots:
    // Reloads the catalog now if the workspace file's catalog changed (the console calls it
    // after its own edits rather than waiting for the next poll).
    void reloadCatalog();
    // Answered by statisticsReady().
    void requestStatistics();
    // Answered by monitoringReady(); a device that never connected has an empty record.
    void requestMonitoring(const QString &deviceId);

signals:
    void catalogReloaded();
    void catalogReloadFailed(const QString &error);
    void statisticsReady(const iotcore::broker::Broker::Statistics &statistics);
    void monitoringReady(const QString &deviceId,
                         const iotcore::broker::IotAuthenticator::Monitoring &monitoring);

private:
    bool useWorkspaceCertificate(std::vector<broker::ListenerSpec> *specs, QString *error);

    Options m_options;
    broker::Log &m_log;
    std::unique_ptr<broker::SqliteBrokerStore> m_store;
    std::unique_ptr<broker::CatalogStore> m_catalogStore;
    std::unique_ptr<broker::BrokerServer> m_server;
    std::shared_ptr<broker::IotAuthenticator> m_authenticator;
    std::int64_t m_catalogVersion = 0;
    QTimer m_catalogWatch;
};

} // namespace iotcore::app
