#pragma once

// Subscribe as any identity (issue 6, "Subscriptions"): open mode, or any registry, device or
// broker of the catalog, through the broker's asserting in-process listener (IdentityConnections),
// so the broker applies exactly that entity's IoT Core rights. The filter is checked against the
// MQTT rules as it is typed, and what IoT Core will make of it is shown before subscribing; each
// subscription then shows what the broker answered: the granted QoS, the narrowing, or the
// refusal and why. Messages received are counted per subscription (the log shows them whole).

#include "ConsoleIdentity.h"
#include "IdentityConnections.h"

#include <QSet>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QPushButton;
class QTableView;

namespace iotcore::ui {

class FieldMessage;
class SubscriptionListModel;

class SubscriptionPanel : public QWidget
{
    Q_OBJECT

public:
    SubscriptionPanel(broker::BrokerServer &server, IdentityConnections::Listeners listeners,
                      CatalogLookup catalog, QWidget *parent = nullptr);

    SubscriptionListModel &subscriptions() { return *m_model; }

    // Chooses who subscribes: open mode for an empty id. False when the catalog has no such id.
    bool setIdentity(const QString &id);

public slots:
    // Reads the catalog's identities again (after an edit), keeping the chosen one if it exists.
    void refreshIdentities();
    // Subscribes as the chosen identity to the typed filter (as the Subscribe button does).
    void subscribe();
    // The same for `filter` at `qos`, as if typed (the demo watches its registry this way).
    void subscribeTo(const QString &filter, int qos);
    // Unsubscribes the selected rows and removes them.
    void unsubscribeSelected();

private:
    ConsoleIdentity chosenIdentity() const;
    void checkFilter();
    void watchConnection(const ConsoleIdentity &identity);

    IdentityConnections m_connections;
    CatalogLookup m_catalog;
    QList<ConsoleIdentity> m_identities;
    QSet<QString> m_watched; // identities whose connection state the list follows

    QComboBox *m_identity;
    QLineEdit *m_filter;
    FieldMessage *m_filterMessage;
    QComboBox *m_qos;
    QPushButton *m_subscribe;
    QPushButton *m_unsubscribe;
    QTableView *m_table;
    SubscriptionListModel *m_model;
};

} // namespace iotcore::ui
