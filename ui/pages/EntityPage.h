#pragma once

// The centre tab of one registry, device or broker: its details (id, name, description, labels,
// created, status), credentials (certificate fingerprints, password ids and creation times),
// a device's topic aliases and monitoring data (last auth time and IP, last publish, last
// online), a registry's devices, and the connection log in the service's wording. It follows the
// catalog as it changes and asks for activity (monitoring, log) every few seconds while shown.

#include "iot/Catalog.h"
#include "iot/IotAuthenticator.h"

#include <QTimer>
#include <QWidget>

class QFormLayout;
class QGroupBox;
class QLabel;
class QPushButton;
class QStandardItemModel;
class QTableView;

namespace iotcore::app {
class EmbeddedBroker;
}

namespace iotcore::ui {

class CatalogEditor;
class EntityLogModel;

class EntityPage : public QWidget
{
    Q_OBJECT

public:
    // `broker` may be null (no monitoring then).
    EntityPage(const broker::EntityRef &entity, CatalogEditor &editor, app::EmbeddedBroker *broker,
               QWidget *parent = nullptr);

    const broker::EntityRef &entity() const { return m_entity; }
    QString title() const;

    // Reads the entity from the catalog again; emits gone() when it no longer exists.
    void refresh();
    // The monitoring data and the log, read now.
    void refreshActivity();

    // For tests and screenshots.
    QStandardItemModel *credentialModel() const { return m_credentials; }
    EntityLogModel *logModel() const { return m_log; }
    // The value shown for a detail ("ID", "Name", …) or monitoring field ("Last login", …).
    QString detail(const QString &field) const;

signals:
    void gone();
    void editRequested(const std::string &id);
    void deleteRequested(const std::string &id);
    void addCredentialRequested(const std::string &id);
    void newDeviceRequested(const QString &registryId);
    void bundleRequested(const std::string &deviceId);
    void openRequested(const broker::EntityRef &entity);

protected:
    void showEvent(QShowEvent *event) override;

private:
    QGroupBox *makeTable(const QString &title, QStandardItemModel *model, QTableView **view);
    void fillDetails();
    void fillCredentials(const std::vector<broker::Certificate> &certificates,
                         const std::vector<broker::PasswordRecord> &passwords);
    void removeSelectedCredential();
    void toggleRegistryStatus();
    void showMonitoring(const QString &deviceId, const broker::IotAuthenticator::Monitoring &monitoring);

    broker::EntityRef m_entity;
    CatalogEditor &m_editor;
    app::EmbeddedBroker *m_broker;
    QLabel *m_title;
    QLabel *m_subtitle;
    QFormLayout *m_details;
    QPushButton *m_status = nullptr;
    QStandardItemModel *m_credentials;
    QTableView *m_credentialView = nullptr;
    QPushButton *m_removeCredential;
    QStandardItemModel *m_aliases = nullptr;
    QStandardItemModel *m_devices = nullptr;
    QTableView *m_deviceView = nullptr;
    QFormLayout *m_monitoring = nullptr;
    EntityLogModel *m_log;
    QTableView *m_logView = nullptr;
    QTimer m_activity;
};

} // namespace iotcore::ui
