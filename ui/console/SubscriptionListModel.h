#pragma once

// The console's subscriptions, one row per identity and filter: the state the broker's SUBACK
// gave (granted QoS or refused), what IoT Core made of the filter (FilterNarrowing), and the
// messages received on it. Counts change with every message, so the rows that changed are
// repainted at most ten times a second, not once per message.

#include "ConsoleIdentity.h"
#include "FilterNarrowing.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QDateTime>
#include <QPointer>
#include <QTimer>

#include <vector>

namespace iotcore::app {
class MqttSubscription;
class MqttMessage;
}

namespace iotcore::ui {

class SubscriptionListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { IdentityColumn, FilterColumn, StateColumn, IotCoreColumn, MessagesColumn,
                  LastMessageColumn, ColumnCount };

    struct Entry {
        ConsoleIdentity identity;
        QString filter;
        FilterNarrowing narrowing;
        QPointer<app::MqttSubscription> subscription;
        QString connectionError; // the identity's connection failed or was dropped: why
        quint64 received = 0;
        QString lastTopic;
        QByteArray lastPayload;
        QDateTime lastTime;
    };

    explicit SubscriptionListModel(QObject *parent = nullptr);

    // The row of `identity` and `filter`: the existing one (its narrowing updated), or a new one
    // that follows `subscription`.
    int add(const ConsoleIdentity &identity, const QString &filter, const FilterNarrowing &narrowing,
            app::MqttSubscription *subscription);
    void remove(int row);
    const Entry &entry(int row) const { return m_entries.at(std::size_t(row)); }
    int find(const ConsoleIdentity &identity, const QString &filter) const;

    // The identity's connection ended (`reason`) or came back (empty `reason`).
    void setConnectionError(const ConsoleIdentity &identity, const QString &reason);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void follow(app::MqttSubscription *subscription);
    void received(app::MqttSubscription *subscription, const app::MqttMessage &message);
    void refreshStates(app::MqttSubscription *subscription);
    void repaintCounts();
    QString stateText(const Entry &entry) const;
    QString iotCoreText(const Entry &entry) const;
    bool isRefused(const Entry &entry) const;

    std::vector<Entry> m_entries;
    QTimer m_repaint;
};

} // namespace iotcore::ui
