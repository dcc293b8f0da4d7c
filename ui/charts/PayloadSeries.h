#pragma once

// The numeric fields of the JSON payloads on one topic filter, as time series for charts. Fed
// by a MessageStore: it reads the records the store still holds when the filter is set, then
// each batch the store appends. Only records whose topic matches are parsed (a topic's match is
// decided once per interned topic), so the other traffic costs one table look-up per message.
//
// Each field is a row, named by its topic and its path in the payload ("env.temperature"),
// found as messages show it; a field keeps its own copy of its points, so a chart's window may
// outlast the log's capacity. Memory is bounded: at most MaxFields fields, each with at most
// pointLimit() points no older than retentionMs() before the newest point. The check state of a
// row says whether it is plotted. GUI thread only (the store's thread).

#include <QAbstractListModel>
#include <QHash>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace iotcore::ui {

class MessageStore;
struct LogRecord;

struct SeriesPoint {
    qint64 timeMs = 0; // milliseconds since the Unix epoch, when the broker took the message
    double value = 0;
};

struct SeriesField {
    QString topic;
    QString path;  // in the payload, "a.b"; empty when the payload is a bare number
    QString label; // what a legend shows (see PayloadSeries::setTopicFilter)
    QString unit;  // suggested by the name; empty when it suggests none
    std::deque<SeriesPoint> points; // oldest first
    quint64 revision = 0;           // changes whenever the points do
    bool plotted = false;

    // "temperature (°C)", or the label alone without a unit.
    QString title() const;
};

class PayloadSeries : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        TopicRole = Qt::UserRole + 1,
        PathRole,
        UnitRole,
        LastValueRole,  // the newest point's value; invalid without points
        PointCountRole,
    };

    static constexpr int MaxFields = 64;
    static constexpr std::size_t DefaultPointLimit = 20'000;
    static constexpr qint64 DefaultRetentionMs = 60 * 60 * 1000;

    explicit PayloadSeries(const MessageStore &store, QObject *parent = nullptr);

    // Collects the fields of messages on topics matching `filter`, an MQTT topic filter or topic
    // name, starting with those the store holds; an empty filter collects nothing. A filter that
    // is not valid is refused with the reason in `error`, and the previous one stays.
    // Labels are the payload paths, prefixed with the topic's levels from the filter's first
    // wildcard on: with "$devices/abc/events/#", "climate: temperature" for the "temperature"
    // field of "$devices/abc/events/climate", and just "temperature" for "$devices/abc/events".
    bool setTopicFilter(const QString &filter, QString *error = nullptr);
    QString topicFilter() const { return m_filter; }
    // Why `filter` would be refused; empty for a valid filter or none.
    static QString filterError(const QString &filter);

    // How long points are kept, counted back from the newest point of any field.
    void setRetention(qint64 ms);
    qint64 retentionMs() const { return m_retentionMs; }
    // At most this many points per field (at least 1): the oldest go first.
    void setPointLimit(std::size_t points);
    std::size_t pointLimit() const { return m_pointLimit; }

    int fieldCount() const { return int(m_fields.size()); }
    const SeriesField &field(int row) const { return m_fields[std::size_t(row)]; }
    // The row of `path` on `topic`; -1 when not seen (yet).
    int indexOf(const QString &topic, const QString &path) const;
    // True once new fields are being ignored because MaxFields are known.
    bool fieldLimitReached() const { return m_fieldLimitReached; }

    std::vector<int> plottedFields() const;
    void setPlotted(int row, bool plotted);

    // The newest point's time over all fields; 0 when there is none.
    qint64 newestTimeMs() const { return m_newestMs; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

signals:
    // Points were added (once per store batch that added any).
    void pointsAdded();

private:
    enum class TopicMatch : std::uint8_t { Unknown, Yes, No };

    void onAppended(quint64 firstSeq, quint64 endSeq);
    void onCleared();
    // Adds the points of [from, to); returns whether any was added.
    bool collect(std::uint64_t from, std::uint64_t to, bool announceRows);
    bool matches(std::uint32_t topicId);
    bool addMessage(const LogRecord &record, bool announceRows);
    int fieldFor(std::uint32_t topicId, const QString &path, bool announceRows);
    QString labelFor(const QString &topic, const QString &path) const;
    void trim();

    const MessageStore &m_store;
    QString m_filter;
    std::string m_filterUtf8;
    int m_filterLiteralLevels = 0; // levels before the first wildcard
    qint64 m_retentionMs = DefaultRetentionMs;
    std::size_t m_pointLimit = DefaultPointLimit;
    std::vector<SeriesField> m_fields;
    QHash<std::pair<quint32, QString>, int> m_fieldIndex; // (topic id, path) -> row
    std::vector<TopicMatch> m_topicMatch;                 // by the store's topic id
    qint64 m_newestMs = 0;
    bool m_fieldLimitReached = false;
};

} // namespace iotcore::ui
