#include "CommandHistoryModel.h"

#include "PayloadPreview.h"

#include <QColor>
#include <QFont>

namespace iotcore::ui {

namespace {

// Top-level rows carry 0; a reply carries the serial of its send (serials start at 1).
constexpr quintptr TopLevel = 0;

QString clockTime(const QDateTime &time)
{
    return time.toString(QStringLiteral("HH:mm:ss.zzz"));
}

} // namespace

CommandHistoryModel::CommandHistoryModel(QObject *parent)
    : QAbstractItemModel(parent)
{
}

quint64 CommandHistoryModel::addSend(const CommandTarget &target, const QString &senderRegistry,
                                     const QByteArray &payload, quint8 qos, const QDateTime &time)
{
    if (m_sends.size() >= std::size_t(Capacity)) {
        const int last = int(m_sends.size()) - 1;
        beginRemoveRows({}, last, last);
        m_sends.pop_back();
        endRemoveRows();
    }
    Send send;
    send.serial = m_nextSerial++;
    send.time = time;
    send.target = target;
    send.senderRegistry = senderRegistry;
    send.payload = payload;
    send.qos = qos;
    beginInsertRows({}, 0, 0);
    m_sends.push_front(std::move(send));
    endInsertRows();
    return m_sends.front().serial;
}

int CommandHistoryModel::rowOf(quint64 serial) const
{
    for (std::size_t row = 0; row < m_sends.size(); ++row) {
        if (m_sends[row].serial == serial)
            return int(row);
    }
    return -1;
}

const CommandHistoryModel::Send *CommandHistoryModel::sendBySerial(quint64 serial) const
{
    const int row = rowOf(serial);
    return row < 0 ? nullptr : &m_sends[std::size_t(row)];
}

void CommandHistoryModel::setStatus(quint64 serial, const QString &status, bool failed)
{
    const int row = rowOf(serial);
    if (row < 0)
        return; // scrolled out of the history meanwhile
    Send &send = m_sends[std::size_t(row)];
    send.status = status;
    send.failed = failed;
    emit dataChanged(index(row, StatusColumn), index(row, StatusColumn));
}

bool CommandHistoryModel::addReply(const QString &senderRegistry, const QString &topic,
                                   const QByteArray &payload, const QDateTime &time)
{
    // Newest first: the first open window that matches is the newest send the message answers.
    for (std::size_t row = 0; row < m_sends.size(); ++row) {
        Send &send = m_sends[row];
        if (send.time.msecsTo(time) > qint64(m_replyWindowSeconds) * 1000)
            break; // this one and every older one are closed
        if (send.failed || send.senderRegistry != senderRegistry || !send.target.isReply(topic))
            continue;
        const QModelIndex parent = index(int(row), 0);
        const int position = int(send.replies.size());
        beginInsertRows(parent, position, position);
        send.replies.append({time, topic, payload});
        endInsertRows();
        return true;
    }
    return false;
}

const CommandHistoryModel::Send *CommandHistoryModel::sendAt(const QModelIndex &index) const
{
    if (!index.isValid())
        return nullptr;
    if (index.internalId() == TopLevel)
        return &m_sends[std::size_t(index.row())];
    return sendBySerial(index.internalId());
}

QModelIndex CommandHistoryModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, TopLevel);
    return createIndex(row, column, quintptr(m_sends[std::size_t(parent.row())].serial));
}

QModelIndex CommandHistoryModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == TopLevel)
        return {};
    const int row = rowOf(child.internalId());
    return row < 0 ? QModelIndex() : createIndex(row, 0, TopLevel);
}

int CommandHistoryModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_sends.size());
    if (parent.internalId() != TopLevel || parent.column() != 0)
        return 0; // replies have no children
    return int(m_sends[std::size_t(parent.row())].replies.size());
}

int CommandHistoryModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant CommandHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == TopLevel)
        return sendData(m_sends[std::size_t(index.row())], index.column(), role);
    const Send *send = sendBySerial(index.internalId());
    if (!send || index.row() >= send->replies.size())
        return {};
    return replyData(*send, send->replies[index.row()], index.column(), role);
}

QVariant CommandHistoryModel::sendData(const Send &send, int column, int role) const
{
    if (role == Qt::DisplayRole) {
        switch (column) {
        case TimeColumn: return clockTime(send.time);
        case TopicColumn: return send.target.topic();
        case PayloadColumn: return payloadPreview(send.payload);
        case StatusColumn:
            return send.replies.isEmpty()
                       ? send.status
                       : tr("%1 · replies: %2").arg(send.status).arg(send.replies.size());
        }
    }
    if (role == Qt::ToolTipRole && column == PayloadColumn)
        return QString::fromUtf8(send.payload);
    if (role == Qt::ToolTipRole && column == TopicColumn)
        return tr("QoS %1, sent as registry %2").arg(send.qos).arg(send.senderRegistry);
    if (role == Qt::ForegroundRole && column == StatusColumn && send.failed)
        return QColor(0xc0, 0x1c, 0x28);
    return {};
}

QVariant CommandHistoryModel::replyData(const Send &send, const Reply &reply, int column,
                                        int role) const
{
    if (role == Qt::DisplayRole) {
        switch (column) {
        case TimeColumn:
            return tr("+%1 s").arg(double(send.time.msecsTo(reply.time)) / 1000.0, 0, 'f', 1);
        case TopicColumn: return reply.topic;
        case PayloadColumn: return payloadPreview(reply.payload);
        case StatusColumn: return tr("reply");
        }
    }
    if (role == Qt::ToolTipRole && column == PayloadColumn)
        return QString::fromUtf8(reply.payload);
    if (role == Qt::ToolTipRole && column == TimeColumn)
        return clockTime(reply.time);
    return {};
}

QVariant CommandHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time");
    case TopicColumn: return tr("Topic");
    case PayloadColumn: return tr("Payload");
    case StatusColumn: return tr("Status");
    }
    return {};
}

} // namespace iotcore::ui
