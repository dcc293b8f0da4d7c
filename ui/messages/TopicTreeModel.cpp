#include "TopicTreeModel.h"

#include "MessageLogModel.h"

#include <QLocale>

#include <algorithm>

namespace iotcore::ui {

struct TopicTreeModel::Node {
    Node *parent = nullptr;
    QString key;   // unique among siblings
    QString label; // shown; siblings are sorted by it
    QString toolTip;
    std::vector<std::unique_ptr<Node>> children;
    int topicId = -1;           // set when this node is a topic that carried messages
    quint64 messages = 0;       // this node's and its descendants'
    quint64 messagesAtTick = 0;
    double rate = 0;
    QByteArray lastPayload;
    std::uint64_t lastSeq = 0;
    std::uint8_t qos = 0;
    bool retained = false; // a retained message sits on this topic
    bool kept = false;     // a kept message of a permanent topic sits on this topic

    bool lessThan(const QString &otherLabel, const QString &otherKey) const
    {
        const int order = label.compare(otherLabel, Qt::CaseInsensitive);
        return order != 0 ? order < 0 : key < otherKey;
    }
    int row() const
    {
        if (!parent)
            return 0;
        const auto &siblings = parent->children;
        const auto it = std::partition_point(siblings.begin(), siblings.end(),
                                             [this](const std::unique_ptr<Node> &sibling) {
                                                 return sibling->lessThan(label, key);
                                             });
        return int(it - siblings.begin());
    }
};

TopicTreeModel::TopicTreeModel(const MessageStore &store, TopicOwnerLookup lookup, QObject *parent)
    : QAbstractItemModel(parent)
    , m_store(store)
    , m_lookup(std::move(lookup))
    , m_root(std::make_unique<Node>())
{
    connect(&store, &MessageStore::appended, this, &TopicTreeModel::onAppended);
    m_rateTimer.setInterval(1000);
    connect(&m_rateTimer, &QTimer::timeout, this, &TopicTreeModel::updateRates);
    m_rateTimer.start();
    m_sinceRates.start();
    if (store.size() > 0)
        onAppended(store.firstSeq(), store.endSeq());
}

TopicTreeModel::~TopicTreeModel() = default;

TopicTreeModel::Node *TopicTreeModel::nodeAt(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

QModelIndex TopicTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    return createIndex(row, column, nodeAt(parent)->children[std::size_t(row)].get());
}

QModelIndex TopicTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const Node *parent = nodeAt(child)->parent;
    return parent == m_root.get() ? QModelIndex() : indexOf(parent, 0);
}

QModelIndex TopicTreeModel::indexOf(const Node *node, int column) const
{
    if (node == m_root.get())
        return {};
    return createIndex(node->row(), column, const_cast<Node *>(node));
}

int TopicTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    return int(nodeAt(parent)->children.size());
}

int TopicTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant TopicTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node *node = nodeAt(index);
    const bool isTopic = node->topicId >= 0;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name: return node->label;
        case Messages: return QLocale().toString(node->messages);
        case Rate: return node->rate > 0 ? QLocale().toString(node->rate, 'f', 1) : QString();
        case Qos: return isTopic ? QString::number(node->qos) : QString();
        case Marker: {
            QStringList markers;
            if (node->retained)
                markers << tr("retained");
            if (node->kept)
                markers << tr("permanent");
            return markers.join(QStringLiteral(", "));
        }
        case LastPayload:
            return isTopic ? MessageLogModel::previewText(
                       std::string_view(node->lastPayload.constData(),
                                        std::size_t(node->lastPayload.size())))
                           : QString();
        }
        return {};
    case Qt::ToolTipRole:
        return index.column() == Name ? node->toolTip : QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == Messages || index.column() == Rate)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case TopicRole:
        return isTopic ? QString::fromUtf8(m_store.topics().at(std::uint32_t(node->topicId)).data(),
                                           qsizetype(m_store.topics().at(std::uint32_t(node->topicId)).size()))
                       : QString();
    case TopicIdRole:
        return node->topicId;
    default:
        return {};
    }
}

QVariant TopicTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Topic");
    case Messages: return tr("Messages");
    case Rate: return tr("Rate, /s");
    case Qos: return tr("QoS");
    case Marker: return tr("Retained, kept");
    case LastPayload: return tr("Last payload");
    default: return {};
    }
}

QModelIndex TopicTreeModel::indexOfTopic(const QString &topic) const
{
    const std::optional<std::uint32_t> id = m_store.topics().find(topic.toStdString());
    if (!id || *id >= m_nodeOfTopic.size() || !m_nodeOfTopic[*id])
        return {};
    return indexOf(m_nodeOfTopic[*id], 0);
}

void TopicTreeModel::onAppended(quint64 firstSeq, quint64 endSeq)
{
    std::unordered_set<Node *> touched;
    std::unordered_set<Node *> withMessages;
    for (std::uint64_t seq = std::max<std::uint64_t>(firstSeq, m_store.firstSeq()); seq < endSeq; ++seq) {
        const LogRecord &record = m_store.record(seq);
        if (record.kind != LogEntryKind::Message)
            continue;
        Node *node = nodeOfTopic(record.topic);
        withMessages.insert(node);
        node->lastSeq = seq + 1;
        node->qos = record.qos;
        // An empty retained message clears the slot (MQTT-3.3.1-10); so does a kept empty one.
        if (record.flags & LogRecord::Retain)
            node->retained = record.payloadSize > 0;
        if (record.flags & LogRecord::Kept)
            node->kept = record.payloadSize > 0;
        for (Node *level = node; level != m_root.get(); level = level->parent) {
            ++level->messages;
            touched.insert(level);
        }
    }
    m_active.insert(touched.begin(), touched.end());
    // The payload is copied once per topic per batch: the last one is all the tree shows.
    for (Node *node : withMessages) {
        const std::string_view payload = m_store.payload(m_store.record(node->lastSeq - 1));
        node->lastPayload = QByteArray(payload.data(), qsizetype(payload.size()));
    }
    for (Node *node : touched)
        emit dataChanged(indexOf(node, Messages), indexOf(node, LastPayload));
}

TopicTreeModel::Node *TopicTreeModel::nodeOfTopic(std::uint32_t topicId)
{
    if (topicId >= m_nodeOfTopic.size())
        m_nodeOfTopic.resize(m_store.topics().size(), nullptr);
    Node *&cached = m_nodeOfTopic[topicId];
    if (cached)
        return cached;
    const std::string_view raw = m_store.topics().at(topicId);
    const QString topic = QString::fromUtf8(raw.data(), qsizetype(raw.size()));
    QStringList labels;
    QStringList toolTips;
    const QStringList keys = groupedLevels(topic, &labels, &toolTips);
    Node *node = m_root.get();
    for (qsizetype i = 0; i < keys.size(); ++i)
        node = child(node, keys[i], labels[i], toolTips[i]);
    node->topicId = int(topicId);
    node->toolTip = topic;
    cached = node;
    return node;
}

// The tree's path for a topic: its levels, with an IoT Core id replaced by its registry's and
// device's names when the lookup knows it.
QStringList TopicTreeModel::groupedLevels(const QString &topic, QStringList *labels,
                                          QStringList *toolTips) const
{
    QStringList levels = topic.split(u'/');
    QStringList keys;
    const QString &root = levels.front();
    const bool byDevice = root == QStringLiteral("$devices") || root == QStringLiteral("$monitoring");
    const bool byRegistry = root == QStringLiteral("$registries");
    std::optional<TopicOwnerNames> owner;
    if ((byDevice || byRegistry) && levels.size() > 1 && m_lookup)
        owner = m_lookup(levels[1]);
    for (qsizetype i = 0; i < levels.size(); ++i) {
        if (i == 1 && owner) {
            const QString &id = levels[1];
            if (byDevice && !owner->device.isEmpty()) {
                keys << QStringLiteral("registry\x1f") + owner->registry;
                *labels << owner->registry;
                *toolTips << tr("registry %1").arg(owner->registry);
                keys << QStringLiteral("id\x1f") + id;
                *labels << owner->device;
                *toolTips << tr("device %1 (%2)").arg(owner->device, id);
                continue;
            }
            if (byRegistry && owner->device.isEmpty()) {
                keys << QStringLiteral("id\x1f") + id;
                *labels << owner->registry;
                *toolTips << tr("registry %1 (%2)").arg(owner->registry, id);
                continue;
            }
        }
        keys << levels[i];
        // An empty level (a/, /a or a//b) is a level all the same (MQTT 4.7.1.1).
        *labels << (levels[i].isEmpty() ? tr("(empty)") : levels[i]);
        *toolTips << QString();
    }
    return keys;
}

TopicTreeModel::Node *TopicTreeModel::child(Node *parent, const QString &key, const QString &label,
                                            const QString &toolTip)
{
    auto &children = parent->children;
    for (const std::unique_ptr<Node> &existing : children) {
        if (existing->key == key)
            return existing.get();
    }
    const auto position = std::partition_point(children.begin(), children.end(),
                                               [&](const std::unique_ptr<Node> &sibling) {
                                                   return sibling->lessThan(label, key);
                                               });
    const int row = int(position - children.begin());
    beginInsertRows(indexOf(parent, 0), row, row);
    auto node = std::make_unique<Node>();
    node->parent = parent;
    node->key = key;
    node->label = label;
    node->toolTip = toolTip;
    Node *added = node.get();
    children.insert(children.begin() + row, std::move(node));
    endInsertRows();
    return added;
}

void TopicTreeModel::updateRates()
{
    const double seconds = std::max<qint64>(m_sinceRates.restart(), 1) / 1000.0;
    for (auto it = m_active.begin(); it != m_active.end();) {
        Node *node = *it;
        const double rate = double(node->messages - node->messagesAtTick) / seconds;
        node->messagesAtTick = node->messages;
        if (rate != node->rate) {
            node->rate = rate;
            const QModelIndex index = indexOf(node, Rate);
            emit dataChanged(index, index);
        }
        it = rate == 0 ? m_active.erase(it) : std::next(it);
    }
}

} // namespace iotcore::ui
