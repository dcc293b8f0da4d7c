#pragma once

// The workspace tree: "Registries" with each registry's devices under it, and "Brokers", built
// from the catalog and rebuilt when it changes. Each entity row carries its kind and id
// (EntityKindRole, EntityIdRole); the id is also the tooltip.

#include "iot/Catalog.h"

#include <QAbstractItemModel>

#include <optional>
#include <vector>

namespace iotcore::ui {

class WorkspaceTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Role { EntityKindRole = Qt::UserRole + 1, EntityIdRole };
    enum class Group { Registries, Brokers };

    explicit WorkspaceTreeModel(QObject *parent = nullptr);

    // Rebuilds the tree from `catalog` (a reset: views keep their expansion by persistent ids
    // through MainWindow, which re-selects by id).
    void setCatalog(const broker::Catalog &catalog);

    QModelIndex indexOf(broker::EntityKind kind, const QString &id) const;
    QModelIndex groupIndex(Group group) const;
    // The entity a row stands for; nothing for the group rows.
    std::optional<broker::EntityRef> entityAt(const QModelIndex &index) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    enum class NodeKind { Group, Registry, Device, Broker };
    struct Node {
        NodeKind kind;
        QString id;    // entity id; empty for groups
        QString name;
        QString detail; // the tooltip
        int parent = -1; // node number; -1: top level
        int row = 0;
        std::vector<int> children;
        bool disabled = false;
    };

    int addNode(Node node);
    const Node *nodeAt(const QModelIndex &index) const;

    std::vector<Node> m_nodes;
    std::vector<int> m_topLevel;
};

} // namespace iotcore::ui
