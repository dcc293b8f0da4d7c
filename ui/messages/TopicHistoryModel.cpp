#include "TopicHistoryModel.h"

#include "MessageLogModel.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

namespace iotcore::ui {

TopicHistoryModel::TopicHistoryModel(const MessageStore &store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
{
    connect(&store, &MessageStore::appended, this, &TopicHistoryModel::onAppended);
    connect(&store, &MessageStore::trimmed, this, &TopicHistoryModel::onTrimmed);
    connect(&store, &MessageStore::cleared, this, [this] { setTopic(m_topic); });
}

void TopicHistoryModel::setTopic(std::optional<std::uint32_t> topicId)
{
    beginResetModel();
    m_topic = topicId;
    m_seqs.clear();
    if (m_topic) {
        std::vector<std::uint64_t> found;
        collect(m_store.firstSeq(), m_store.endSeq(), found);
        m_seqs.assign(found.begin(), found.end());
    }
    endResetModel();
}

void TopicHistoryModel::collect(std::uint64_t from, std::uint64_t to,
                                std::vector<std::uint64_t> &out) const
{
    for (std::uint64_t seq = std::max(from, m_store.firstSeq()); seq < to; ++seq) {
        const LogRecord &record = m_store.record(seq);
        if (record.topic == *m_topic && record.kind == LogEntryKind::Message)
            out.push_back(seq);
    }
}

void TopicHistoryModel::onAppended(quint64 firstSeq, quint64 endSeq)
{
    if (!m_topic)
        return;
    std::vector<std::uint64_t> found;
    collect(firstSeq, endSeq, found);
    if (found.empty())
        return;
    const int first = rowCount();
    beginInsertRows({}, first, first + int(found.size()) - 1);
    m_seqs.insert(m_seqs.end(), found.begin(), found.end());
    endInsertRows();
}

void TopicHistoryModel::onTrimmed(quint64 newFirstSeq)
{
    const auto live = std::lower_bound(m_seqs.begin(), m_seqs.end(), newFirstSeq);
    const int gone = int(live - m_seqs.begin());
    if (gone == 0)
        return;
    beginRemoveRows({}, 0, gone - 1);
    m_seqs.erase(m_seqs.begin(), live);
    endRemoveRows();
}

int TopicHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_seqs.size());
}

int TopicHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TopicHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const std::uint64_t seq = seqAt(index.row());
    const LogRecord &record = m_store.record(seq);
    if (role == SeqRole)
        return QVariant::fromValue<quint64>(seq);
    if (role == Qt::TextAlignmentRole && index.column() == Size)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Time:
        return QDateTime::fromMSecsSinceEpoch(record.timeMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    case Size:
        return QLocale().formattedDataSize(record.payloadSize);
    case Payload:
        return MessageLogModel::previewText(m_store.payload(record));
    default:
        return {};
    }
}

QVariant TopicHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Time");
    case Size: return tr("Size");
    case Payload: return tr("Payload");
    default: return {};
    }
}

} // namespace iotcore::ui
