#pragma once

// The kept messages of a registry (IOT_CORE.md, "Permanent topics"): the last message of each
// state and config topic of its devices and of the registry itself, subtopics each in their own
// slot, read from the broker's engine; and "clear", which empties a slot in the engine and the
// workspace file (Broker::clearPermanentTopic) as the service's console could. Read again every
// two seconds while the view is shown, and at once after a clear.

#include "ConsoleIdentity.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QTimer>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QPushButton;
class QTableView;

namespace iotcore::broker {
class BrokerServer;
}

namespace iotcore::ui {

class KeptMessagesModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TopicColumn, OwnerColumn, SizeColumn, PayloadColumn, ColumnCount };

    struct Kept {
        QString topic;
        QString owner; // "device boiler" or "registry home"
        QByteArray payload;
    };

    using QAbstractTableModel::QAbstractTableModel;

    // Replaces the rows (sorted by topic).
    void setMessages(std::vector<Kept> messages);
    const Kept &at(int row) const { return m_messages.at(std::size_t(row)); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<Kept> m_messages;
};

class KeptMessagesView : public QWidget
{
    Q_OBJECT

public:
    KeptMessagesView(broker::BrokerServer &server, CatalogLookup catalog,
                     QWidget *parent = nullptr);

    KeptMessagesModel &messages() { return *m_model; }
    // Shows the registry `id`; false when the catalog has no such registry.
    bool setRegistry(const QString &id);

public slots:
    // Reads the catalog's registries again (after an edit).
    void refreshRegistries();
    // Asks the broker for the chosen registry's kept messages; answered without waiting.
    void refresh();
    // Empties the slots of the selected rows, then reads again.
    void clearSelected();

signals:
    // The broker answered a refresh().
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    broker::BrokerServer &m_server;
    CatalogLookup m_catalog;
    QComboBox *m_registry;
    QLabel *m_summary;
    QTableView *m_table;
    QPushButton *m_refresh;
    QPushButton *m_clear;
    KeptMessagesModel *m_model;
    QTimer m_poll;
};

} // namespace iotcore::ui
