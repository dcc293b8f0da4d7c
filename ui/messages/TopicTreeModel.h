#pragma once

// Every topic the log has seen, as a tree of its levels, with the message count (of the whole
// subtree), the rate, and the last message's QoS, payload and whether a retained or kept
// (permanent) message sits there. IoT Core topics are grouped by name, not id:
// `$devices/<id>/…` and `$monitoring/<id>/…` under the registry and device names,
// `$registries/<id>/…` under the registry name. Counts are of everything seen since the model
// was made, not bounded by the store's capacity.

#include "MessageStore.h"

#include <QAbstractItemModel>
#include <QElapsedTimer>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

namespace iotcore::ui {

// Who an IoT Core id in a topic is: a device (both names set) or a registry (device empty).
struct TopicOwnerNames {
    QString registry;
    QString device;
};
using TopicOwnerLookup = std::function<std::optional<TopicOwnerNames>(const QString &id)>;

class TopicTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { Name, Messages, Rate, Qos, Marker, LastPayload, ColumnCount };
    enum Role {
        TopicRole = Qt::UserRole + 1, // QString: the full topic of a node that is one, else empty
        TopicIdRole,                  // int: the topic's id in the store's pool, -1 if none
    };

    // `lookup` names the ids in IoT Core topics; without it ids are shown as they are.
    explicit TopicTreeModel(const MessageStore &store, TopicOwnerLookup lookup = {},
                            QObject *parent = nullptr);
    ~TopicTreeModel() override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // The node of `topic` (column 0), invalid when it was never seen.
    QModelIndex indexOfTopic(const QString &topic) const;

    // Recomputes rates (messages per second over the last tick); a 1 s timer calls it.
    void updateRates();

private:
    struct Node;

    void onAppended(quint64 firstSeq, quint64 endSeq);
    Node *nodeOfTopic(std::uint32_t topicId);
    Node *child(Node *parent, const QString &key, const QString &label, const QString &toolTip);
    QStringList groupedLevels(const QString &topic, QStringList *labels, QStringList *toolTips) const;
    QModelIndex indexOf(const Node *node, int column) const;
    Node *nodeAt(const QModelIndex &index) const;

    const MessageStore &m_store;
    TopicOwnerLookup m_lookup;
    std::unique_ptr<Node> m_root;
    std::vector<Node *> m_nodeOfTopic; // by topic id
    std::unordered_set<Node *> m_active; // nodes whose rate is not known to be zero
    QTimer m_rateTimer;
    QElapsedTimer m_sinceRates;
};

} // namespace iotcore::ui
