#include "MessageLogModel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QLocale>

#include <algorithm>

namespace iotcore::ui {

namespace {

constexpr qint64 ScanSliceMs = 12;       // leaves most of a 16 ms frame to the event loop
constexpr std::uint64_t ScanStep = 8192; // records between two looks at the clock

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

bool isText(const QString &text)
{
    for (const QChar c : text) {
        if (c == QChar::ReplacementCharacter
            || (c.unicode() < 0x20 && c != u'\n' && c != u'\r' && c != u'\t'))
            return false;
    }
    return true;
}

} // namespace

struct MessageLogModel::Scan {
    std::unique_ptr<MessageFilter> filter;
    std::vector<std::uint64_t> matches;
    std::uint64_t next = 0;
    QElapsedTimer started;
};

MessageLogModel::MessageLogModel(MessageStore &store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
    , m_first(store.firstSeq())
    , m_end(store.endSeq())
{
    m_scanTimer.setSingleShot(true);
    m_scanTimer.setInterval(0);
    connect(&m_scanTimer, &QTimer::timeout, this, &MessageLogModel::continueScan);
    connect(&store, &MessageStore::appended, this, &MessageLogModel::onAppended);
    connect(&store, &MessageStore::trimmed, this, &MessageLogModel::onTrimmed);
    connect(&store, &MessageStore::deliveriesChanged, this, &MessageLogModel::onDeliveriesChanged);
    connect(&store, &MessageStore::cleared, this, &MessageLogModel::onCleared);
}

MessageLogModel::~MessageLogModel() = default;

int MessageLogModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(m_filter ? m_matches.size() : m_end - m_first);
}

int MessageLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

std::uint64_t MessageLogModel::seqAt(int row) const
{
    return m_filter ? m_matches[std::size_t(row)] : m_first + std::uint64_t(row);
}

QVariant MessageLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const std::uint64_t seq = seqAt(index.row());
    const LogRecord &record = m_store.record(seq);
    switch (role) {
    case Qt::DisplayRole:
        return displayText(record, index.column());
    case Qt::ToolTipRole:
        if (index.column() == Receivers)
            return receiversText(record, -1);
        if (index.column() == Qos)
            return deliveryText(record);
        if (index.column() == Topic)
            return fromUtf8(m_store.topic(record));
        if (index.column() == Time)
            return QLocale().toString(QDateTime::fromMSecsSinceEpoch(record.timeMs),
                                      QLocale::LongFormat);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Size)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (record.kind != LogEntryKind::Message)
            return QBrush(QColor(0xb0, 0x20, 0x20));
        return {};
    case SeqRole:
        return QVariant::fromValue<quint64>(seq);
    case IndicatorsRole:
        return QVariant::fromValue(indicators(record));
    default:
        return {};
    }
}

QVariant MessageLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Time");
    case Topic: return tr("Topic");
    case Sender: return tr("Sender");
    case Receivers: return tr("Receivers");
    case Qos: return tr("QoS");
    case Flags: return tr("Flags");
    case Size: return tr("Size");
    case Payload: return tr("Payload");
    default: return {};
    }
}

QString MessageLogModel::displayText(const LogRecord &record, int column) const
{
    const bool message = record.kind == LogEntryKind::Message;
    switch (column) {
    case Time:
        return QDateTime::fromMSecsSinceEpoch(record.timeMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    case Topic:
        return fromUtf8(m_store.topic(record));
    case Sender:
        if (record.sender != 0)
            return fromUtf8(m_store.sender(record));
        return (record.flags & LogRecord::Retain) ? tr("(retained)") : tr("(broker)");
    case Receivers:
        return receiversText(record, 3);
    case Qos:
        return message ? QString::number(record.qos) : QString();
    case Flags: {
        if (record.kind == LogEntryKind::RefusedPublish)
            return tr("publish refused");
        if (record.kind == LogEntryKind::RefusedSubscribe)
            return tr("subscribe refused");
        QStringList flags;
        if (record.flags & LogRecord::Retain)
            flags << tr("retain");
        if (record.flags & LogRecord::Kept)
            flags << tr("permanent");
        return flags.join(QStringLiteral(", "));
    }
    case Size:
        return message ? QLocale().formattedDataSize(record.payloadSize) : QString();
    case Payload:
        if (!message)
            return fromUtf8(m_store.reason(record.reason));
        return previewText(m_store.payload(record));
    default:
        return {};
    }
}

QString MessageLogModel::receiversText(const LogRecord &record, int limit) const
{
    if (record.receiverCount == 0)
        return record.kind == LogEntryKind::Message ? tr("no receiver") : QString();
    QStringList names;
    for (const ReceiverRecord &receiver : m_store.receivers(record)) {
        if (limit >= 0 && names.size() == limit)
            break;
        names << fromUtf8(m_store.clients().at(receiver.client));
    }
    QString text = names.join(limit >= 0 ? QStringLiteral(", ") : QStringLiteral("\n"));
    if (limit >= 0 && record.receiverCount > names.size())
        text += tr(" +%1").arg(record.receiverCount - names.size());
    return text;
}

// The QoS indicators in words: one line per receiver.
QString MessageLogModel::deliveryText(const LogRecord &record) const
{
    if (record.kind != LogEntryKind::Message)
        return tr("refused: %1").arg(fromUtf8(m_store.reason(record.reason)));
    QStringList lines;
    m_store.anyReceiver(record, [&](const ReceiverRecord &receiver) {
        QString state;
        switch (receiver.state) {
        case DeliveryState::Sent: state = tr("sent"); break;
        case DeliveryState::Received: state = tr("PUBREC received, PUBREL sent"); break;
        case DeliveryState::Acknowledged:
            state = receiver.qos == 1 ? tr("PUBACK") : tr("PUBCOMP");
            break;
        case DeliveryState::Dropped:
            state = tr("dropped: %1").arg(fromUtf8(m_store.reason(receiver.reason)));
            break;
        }
        if (receiver.retries > 0)
            state += tr(", retried with DUP");
        lines << fromUtf8(m_store.clients().at(receiver.client)) + QStringLiteral(": ") + state;
        return false;
    });
    return lines.isEmpty() ? tr("no receiver") : lines.join(u'\n');
}

DeliveryIndicators MessageLogModel::indicators(const LogRecord &record) const
{
    DeliveryIndicators result;
    result.kind = record.kind;
    result.qos = record.qos;
    if (record.receiverCount == 0)
        return result;
    for (const ReceiverRecord &receiver : m_store.receivers(record)) {
        if (result.marks.size() == DeliveryIndicators::MaxMarks)
            break;
        result.marks.append({receiver.state, receiver.retries > 0});
    }
    result.moreReceivers = record.receiverCount - int(result.marks.size());
    return result;
}

QString MessageLogModel::previewText(std::string_view payload, int maxChars)
{
    const std::size_t bytes = std::min<std::size_t>(payload.size(), std::size_t(maxChars) * 4);
    QString text = fromUtf8(payload.substr(0, bytes));
    // A multi-byte character cut at the end of the sample is not a sign of binary data.
    if (bytes < payload.size())
        while (text.endsWith(QChar::ReplacementCharacter))
            text.chop(1);
    if (!isText(text)) {
        const std::size_t shown = std::min<std::size_t>(payload.size(), 24);
        QByteArray hex = QByteArray(payload.data(), qsizetype(shown)).toHex(' ');
        if (shown < payload.size())
            hex += " …";
        return tr("hex: %1").arg(QString::fromLatin1(hex));
    }
    text.replace(u'\n', u' ').replace(u'\r', u' ').replace(u'\t', u' ');
    if (text.size() > maxChars || bytes < payload.size())
        text = text.left(maxChars) + QStringLiteral("…");
    return text;
}

void MessageLogModel::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused)
        appendRows(m_store.endSeq());
    emit pausedChanged(paused);
}

std::uint64_t MessageLogModel::heldBack() const
{
    return m_store.endSeq() - std::max(m_end, m_store.firstSeq());
}

void MessageLogModel::onAppended(quint64, quint64 endSeq)
{
    if (!m_paused)
        appendRows(endSeq);
}

void MessageLogModel::appendRows(std::uint64_t endSeq)
{
    if (endSeq <= m_end)
        return;
    if (!m_filter) {
        const int first = rowCount();
        beginInsertRows({}, first, first + int(endSeq - m_end) - 1);
        m_end = endSeq;
        endInsertRows();
        return;
    }
    std::vector<std::uint64_t> found;
    m_filter->scan(m_end, endSeq, found);
    m_end = endSeq;
    if (found.empty())
        return;
    const int first = rowCount();
    beginInsertRows({}, first, first + int(found.size()) - 1);
    m_matches.insert(m_matches.end(), found.begin(), found.end());
    endInsertRows();
}

void MessageLogModel::onTrimmed(quint64 newFirstSeq)
{
    const int gone = rowOfSeq(newFirstSeq);
    if (gone > 0) {
        beginRemoveRows({}, 0, gone - 1);
        if (m_filter)
            m_matches.erase(m_matches.begin(), m_matches.begin() + gone);
        m_first = newFirstSeq;
        endRemoveRows();
    }
    m_first = std::max<std::uint64_t>(m_first, newFirstSeq);
    m_end = std::max<std::uint64_t>(m_end, newFirstSeq);
}

void MessageLogModel::onDeliveriesChanged(quint64 firstSeq, quint64 lastSeq)
{
    const int first = rowOfSeq(firstSeq);
    const int last = rowOfSeq(lastSeq + 1) - 1;
    if (first <= last)
        emit dataChanged(index(first, Receivers), index(last, Qos));
}

void MessageLogModel::onCleared()
{
    beginResetModel();
    m_first = m_end = m_store.endSeq();
    m_matches.clear();
    if (m_scan) {
        m_scan->matches.clear();
        m_scan->next = m_end;
    }
    endResetModel();
}

int MessageLogModel::rowOfSeq(std::uint64_t seq) const
{
    if (m_filter)
        return int(std::lower_bound(m_matches.begin(), m_matches.end(), seq) - m_matches.begin());
    return int(std::clamp(seq, m_first, m_end) - m_first);
}

QString MessageLogModel::setFilter(const MessageFilterCriteria &criteria)
{
    auto filter = std::make_unique<MessageFilter>(m_store, criteria);
    if (!filter->error().isEmpty())
        return filter->error();
    m_criteria = criteria;
    m_scan = std::make_unique<Scan>();
    m_scan->started.start();
    if (!criteria.isEmpty())
        m_scan->filter = std::move(filter);
    m_scan->next = m_store.firstSeq();
    continueScan();
    return {};
}

void MessageLogModel::continueScan()
{
    if (!m_scan)
        return;
    Scan &scan = *m_scan;
    const std::uint64_t target = m_paused ? std::max(m_end, m_store.firstSeq()) : m_store.endSeq();
    if (scan.filter) {
        QElapsedTimer slice;
        slice.start();
        scan.next = std::max(scan.next, m_store.firstSeq());
        while (scan.next < target && slice.elapsed() < ScanSliceMs) {
            const std::uint64_t to = std::min(target, scan.next + ScanStep);
            scan.filter->scan(scan.next, to, scan.matches);
            scan.next = to;
        }
        if (scan.next < target) {
            m_scanTimer.start();
            return;
        }
    }
    beginResetModel();
    m_filter = std::move(scan.filter);
    m_first = m_store.firstSeq();
    m_end = target;
    m_matches.clear();
    const auto live = std::lower_bound(scan.matches.begin(), scan.matches.end(), m_first);
    m_matches.insert(m_matches.end(), live, scan.matches.end());
    const qint64 elapsed = scan.started.elapsed();
    m_scan.reset();
    endResetModel();
    emit filterFinished(elapsed, rowCount());
}

} // namespace iotcore::ui
