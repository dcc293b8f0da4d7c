#include "PayloadSeries.h"

#include "FieldUnits.h"
#include "NumericFields.h"

#include "messages/MessageStore.h"
#include "mqtt/Topic.h"

#include <QLocale>

#include <algorithm>

namespace iotcore::ui {

QString SeriesField::title() const
{
    return unit.isEmpty() ? label : QStringLiteral("%1 (%2)").arg(label, unit);
}

PayloadSeries::PayloadSeries(const MessageStore &store, QObject *parent)
    : QAbstractListModel(parent)
    , m_store(store)
{
    // The store's trimming is not followed: each field keeps its own window of points, so a
    // chart of the last hour survives a log that holds only the last minute at high rates.
    connect(&store, &MessageStore::appended, this, &PayloadSeries::onAppended);
    connect(&store, &MessageStore::cleared, this, &PayloadSeries::onCleared);
}

QString PayloadSeries::filterError(const QString &filter)
{
    std::string reason;
    if (filter.isEmpty() || broker::isValidTopicFilter(filter.toStdString(), &reason))
        return {};
    return tr("Topic filter \"%1\": %2").arg(filter, QString::fromStdString(reason));
}

bool PayloadSeries::setTopicFilter(const QString &filter, QString *error)
{
    if (const QString refused = filterError(filter); !refused.isEmpty()) {
        if (error)
            *error = refused;
        return false;
    }
    beginResetModel();
    m_filter = filter;
    m_filterUtf8 = filter.toStdString();
    const QStringList levels = filter.split(u'/');
    m_filterLiteralLevels = int(std::find_if(levels.begin(), levels.end(), [](const QString &level) {
                                    return level == u"+" || level == u"#";
                                }) - levels.begin());
    m_fields.clear();
    m_fieldIndex.clear();
    m_topicMatch.clear();
    m_newestMs = 0;
    m_fieldLimitReached = false;
    if (!m_filter.isEmpty() && collect(m_store.firstSeq(), m_store.endSeq(), false))
        trim();
    endResetModel();
    return true;
}

void PayloadSeries::setRetention(qint64 ms)
{
    m_retentionMs = std::max<qint64>(ms, 1);
    trim();
}

void PayloadSeries::setPointLimit(std::size_t points)
{
    m_pointLimit = std::max<std::size_t>(points, 1);
    trim();
}

int PayloadSeries::indexOf(const QString &topic, const QString &path) const
{
    const std::optional<std::uint32_t> topicId = m_store.topics().find(topic.toStdString());
    if (!topicId)
        return -1;
    return m_fieldIndex.value({*topicId, path}, -1);
}

std::vector<int> PayloadSeries::plottedFields() const
{
    std::vector<int> rows;
    for (int row = 0; row < fieldCount(); ++row) {
        if (m_fields[std::size_t(row)].plotted)
            rows.push_back(row);
    }
    return rows;
}

void PayloadSeries::setPlotted(int row, bool plotted)
{
    if (row < 0 || row >= fieldCount() || m_fields[std::size_t(row)].plotted == plotted)
        return;
    m_fields[std::size_t(row)].plotted = plotted;
    const QModelIndex changed = index(row);
    emit dataChanged(changed, changed, {Qt::CheckStateRole});
}

void PayloadSeries::onAppended(quint64 firstSeq, quint64 endSeq)
{
    if (m_filter.isEmpty() || !collect(firstSeq, endSeq, true))
        return;
    trim();
    emit dataChanged(index(0), index(fieldCount() - 1),
                     {LastValueRole, PointCountRole, Qt::ToolTipRole});
    emit pointsAdded();
}

void PayloadSeries::onCleared()
{
    // The fields and the choice of what is plotted stay; only the points go, as in the log.
    for (SeriesField &field : m_fields) {
        field.points.clear();
        ++field.revision;
    }
    m_newestMs = 0;
    if (!m_fields.empty())
        emit dataChanged(index(0), index(fieldCount() - 1),
                         {LastValueRole, PointCountRole, Qt::ToolTipRole});
}

bool PayloadSeries::collect(std::uint64_t from, std::uint64_t to, bool announceRows)
{
    bool added = false;
    for (std::uint64_t seq = std::max<std::uint64_t>(from, m_store.firstSeq()); seq < to; ++seq) {
        const LogRecord &record = m_store.record(seq);
        // A replayed record is an old retained or kept message delivered again, or the broker's
        // own: its time is the delivery's, not the measurement's.
        if (record.kind != LogEntryKind::Message || (record.flags & LogRecord::Replayed))
            continue;
        if (matches(record.topic))
            added |= addMessage(record, announceRows);
    }
    return added;
}

bool PayloadSeries::matches(std::uint32_t topicId)
{
    if (topicId >= m_topicMatch.size())
        m_topicMatch.resize(std::max<std::size_t>(m_store.topics().size(), topicId + 1),
                            TopicMatch::Unknown);
    TopicMatch &match = m_topicMatch[topicId];
    if (match == TopicMatch::Unknown)
        match = broker::topicMatchesFilter(m_filterUtf8, m_store.topics().at(topicId))
            ? TopicMatch::Yes : TopicMatch::No;
    return match == TopicMatch::Yes;
}

bool PayloadSeries::addMessage(const LogRecord &record, bool announceRows)
{
    const std::string_view payload = m_store.payload(record);
    bool added = false;
    for (const NumericField &found :
         numericFields(QByteArrayView(payload.data(), qsizetype(payload.size())), MaxFields)) {
        const int row = fieldFor(record.topic, found.path, announceRows);
        if (row < 0)
            continue;
        std::deque<SeriesPoint> &points = m_fields[std::size_t(row)].points;
        const SeriesPoint point{record.timeMs, found.value};
        // Broker times only step back when the wall clock does; keep the points sorted anyway.
        if (points.empty() || points.back().timeMs <= point.timeMs)
            points.push_back(point);
        else
            points.insert(std::upper_bound(points.begin(), points.end(), point.timeMs,
                                           [](qint64 time, const SeriesPoint &p) { return time < p.timeMs; }),
                          point);
        ++m_fields[std::size_t(row)].revision;
        m_newestMs = std::max(m_newestMs, point.timeMs);
        added = true;
    }
    return added;
}

int PayloadSeries::fieldFor(std::uint32_t topicId, const QString &path, bool announceRows)
{
    const std::pair<quint32, QString> key{topicId, path};
    if (const auto found = m_fieldIndex.constFind(key); found != m_fieldIndex.cend())
        return *found;
    if (fieldCount() >= MaxFields) {
        m_fieldLimitReached = true;
        return -1;
    }
    SeriesField field;
    field.topic = QString::fromStdString(std::string(m_store.topics().at(topicId)));
    field.path = path;
    field.label = labelFor(field.topic, path);
    field.unit = unitSuggestedBy(path.isEmpty() ? field.label : path);
    const int row = fieldCount();
    if (announceRows)
        beginInsertRows({}, row, row);
    m_fields.push_back(std::move(field));
    m_fieldIndex.insert(key, row);
    if (announceRows)
        endInsertRows();
    return row;
}

QString PayloadSeries::labelFor(const QString &topic, const QString &path) const
{
    const QStringList levels = topic.split(u'/');
    const QString own = levels.mid(m_filterLiteralLevels).join(u'/');
    if (own.isEmpty())
        return path.isEmpty() ? levels.last() : path;
    return path.isEmpty() ? own : QStringLiteral("%1: %2").arg(own, path);
}

void PayloadSeries::trim()
{
    const qint64 cutoff = m_newestMs - m_retentionMs;
    for (SeriesField &field : m_fields) {
        std::deque<SeriesPoint> &points = field.points;
        const std::size_t before = points.size();
        while (!points.empty() && (points.size() > m_pointLimit || points.front().timeMs < cutoff))
            points.pop_front();
        if (points.size() != before)
            ++field.revision;
    }
}

int PayloadSeries::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : fieldCount();
}

QVariant PayloadSeries::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SeriesField &field = m_fields[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return field.title();
    case Qt::CheckStateRole:
        return field.plotted ? Qt::Checked : Qt::Unchecked;
    case Qt::ToolTipRole: {
        const QLocale locale;
        QString tip = field.topic;
        if (!field.path.isEmpty())
            tip += u'\n' + tr("Field: %1").arg(field.path);
        tip += u'\n' + tr("%n point(s) kept", nullptr, int(field.points.size()));
        if (!field.points.empty())
            tip += u'\n' + tr("Last value: %1 %2").arg(locale.toString(field.points.back().value, 'g', 10), field.unit).trimmed();
        return tip;
    }
    case TopicRole:
        return field.topic;
    case PathRole:
        return field.path;
    case UnitRole:
        return field.unit;
    case LastValueRole:
        return field.points.empty() ? QVariant() : QVariant(field.points.back().value);
    case PointCountRole:
        return qulonglong(field.points.size());
    default:
        return {};
    }
}

bool PayloadSeries::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::CheckStateRole
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    setPlotted(index.row(), Qt::CheckState(value.toInt()) == Qt::Checked);
    return true;
}

Qt::ItemFlags PayloadSeries::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable
        | Qt::ItemNeverHasChildren;
}

} // namespace iotcore::ui
