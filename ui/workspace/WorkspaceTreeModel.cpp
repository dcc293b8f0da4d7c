#include "WorkspaceTreeModel.h"

#include "EntityIcons.h"

#include <QApplication>
#include <QPalette>

#include <algorithm>

namespace iotcore::ui {

using namespace iotcore::broker;

WorkspaceTreeModel::WorkspaceTreeModel(QObject *parent) : QAbstractItemModel(parent) { }

int WorkspaceTreeModel::addNode(Node node)
{
    const int number = int(m_nodes.size());
    std::vector<int> &siblings = node.parent < 0 ? m_topLevel : m_nodes[std::size_t(node.parent)].children;
    node.row = int(siblings.size());
    siblings.push_back(number);
    m_nodes.push_back(std::move(node));
    return number;
}

void WorkspaceTreeModel::setCatalog(const Catalog &catalog)
{
    beginResetModel();
    m_nodes.clear();
    m_topLevel.clear();
    const int registries = addNode({NodeKind::Group, {}, tr("Registries"), {}, -1, 0, {}, false});
    for (const Registry *registry : catalog.registries()) {
        const QString id = QString::fromStdString(registry->id);
        const bool disabled = registry->status == RegistryStatus::Disabled;
        const int parent = addNode({NodeKind::Registry, id, QString::fromStdString(registry->name),
                                    disabled ? tr("Registry %1 (disabled)").arg(id)
                                             : tr("Registry %1").arg(id),
                                    registries, 0, {}, disabled});
        std::vector<const Device *> devices = catalog.devices(registry->id);
        std::sort(devices.begin(), devices.end(),
                  [](const Device *a, const Device *b) { return a->name < b->name; });
        for (const Device *device : devices) {
            const QString deviceId = QString::fromStdString(device->id);
            addNode({NodeKind::Device, deviceId, QString::fromStdString(device->name),
                     tr("Device %1").arg(deviceId), parent, 0, {}, disabled});
        }
    }
    const int brokers = addNode({NodeKind::Group, {}, tr("Brokers"), {}, -1, 0, {}, false});
    for (const IotBroker *broker : catalog.brokers()) {
        const QString id = QString::fromStdString(broker->id);
        addNode({NodeKind::Broker, id, QString::fromStdString(broker->name), tr("Broker %1").arg(id),
                 brokers, 0, {}, false});
    }
    endResetModel();
}

const WorkspaceTreeModel::Node *WorkspaceTreeModel::nodeAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() >= m_nodes.size())
        return nullptr;
    return &m_nodes[std::size_t(index.internalId())];
}

QModelIndex WorkspaceTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column != 0 || row < 0)
        return {};
    const std::vector<int> *siblings = &m_topLevel;
    if (parent.isValid()) {
        const Node *node = nodeAt(parent);
        if (!node)
            return {};
        siblings = &node->children;
    }
    if (row >= int(siblings->size()))
        return {};
    return createIndex(row, 0, quintptr((*siblings)[std::size_t(row)]));
}

QModelIndex WorkspaceTreeModel::parent(const QModelIndex &child) const
{
    const Node *node = nodeAt(child);
    if (!node || node->parent < 0)
        return {};
    const Node &parent = m_nodes[std::size_t(node->parent)];
    return createIndex(parent.row, 0, quintptr(node->parent));
}

int WorkspaceTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_topLevel.size());
    if (parent.column() != 0)
        return 0;
    const Node *node = nodeAt(parent);
    return node ? int(node->children.size()) : 0;
}

int WorkspaceTreeModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant WorkspaceTreeModel::data(const QModelIndex &index, int role) const
{
    const Node *node = nodeAt(index);
    if (!node)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        if (node->kind == NodeKind::Group || node->kind == NodeKind::Registry)
            return QStringLiteral("%1 (%2)").arg(node->name).arg(node->children.size());
        return node->name;
    case Qt::ToolTipRole:
        return node->detail.isEmpty() ? QVariant() : QVariant(node->detail);
    case Qt::DecorationRole:
        switch (node->kind) {
        case NodeKind::Group: return groupIcon();
        case NodeKind::Registry: return entityIcon(EntityKind::Registry);
        case NodeKind::Device: return entityIcon(EntityKind::Device);
        case NodeKind::Broker: return entityIcon(EntityKind::Broker);
        }
        return {};
    case Qt::ForegroundRole:
        if (node->disabled)
            return QApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case EntityKindRole:
        if (const std::optional<EntityRef> entity = entityAt(index))
            return int(entity->kind);
        return {};
    case EntityIdRole:
        return node->id.isEmpty() ? QVariant() : QVariant(node->id);
    default:
        return {};
    }
}

Qt::ItemFlags WorkspaceTreeModel::flags(const QModelIndex &index) const
{
    return nodeAt(index) ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

std::optional<EntityRef> WorkspaceTreeModel::entityAt(const QModelIndex &index) const
{
    const Node *node = nodeAt(index);
    if (!node)
        return std::nullopt;
    switch (node->kind) {
    case NodeKind::Group: return std::nullopt;
    case NodeKind::Registry: return EntityRef{EntityKind::Registry, node->id.toStdString()};
    case NodeKind::Device: return EntityRef{EntityKind::Device, node->id.toStdString()};
    case NodeKind::Broker: return EntityRef{EntityKind::Broker, node->id.toStdString()};
    }
    return std::nullopt;
}

QModelIndex WorkspaceTreeModel::indexOf(EntityKind kind, const QString &id) const
{
    const NodeKind wanted = kind == EntityKind::Registry ? NodeKind::Registry
        : kind == EntityKind::Device                    ? NodeKind::Device
                                                        : NodeKind::Broker;
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
        if (m_nodes[i].kind == wanted && m_nodes[i].id == id)
            return createIndex(m_nodes[i].row, 0, quintptr(i));
    }
    return {};
}

QModelIndex WorkspaceTreeModel::groupIndex(Group group) const
{
    const std::size_t row = group == Group::Registries ? 0 : 1;
    if (row >= m_topLevel.size())
        return {};
    return createIndex(int(row), 0, quintptr(m_topLevel[row]));
}

} // namespace iotcore::ui
