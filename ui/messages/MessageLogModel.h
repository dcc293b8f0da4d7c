#pragma once

// The message log as a table over a MessageStore: one row per record, display text computed only
// for the rows a view asks about. Rows come and go in batches, as the store announces them.
//
// Filtering is not a proxy over a million rows: the model scans the store's compact records
// itself, in slices of a few milliseconds on the GUI thread so that the event loop keeps running,
// and swaps the result in when the scan has caught up with the store.

#include "MessageFilter.h"
#include "MessageStore.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QTimer>

#include <deque>
#include <memory>

namespace iotcore::ui {

// One receiver's mark on the QoS indicator.
struct DeliveryMark {
    DeliveryState state = DeliveryState::Sent;
    bool retried = false;
};

// What the QoS column's delegate paints for one row.
struct DeliveryIndicators {
    LogEntryKind kind = LogEntryKind::Message;
    int qos = 0;
    QList<DeliveryMark> marks; // at most MaxMarks, in delivery order
    int moreReceivers = 0;     // receivers beyond the marks

    static constexpr int MaxMarks = 8;
};

class MessageLogModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_PROPERTY(bool paused READ isPaused WRITE setPaused NOTIFY pausedChanged)

public:
    enum Column { Time, Topic, Sender, Receivers, Qos, Flags, Size, Payload, ColumnCount };
    enum Role {
        SeqRole = Qt::UserRole + 1, // quint64: the row's record in the store
        IndicatorsRole,             // DeliveryIndicators
    };

    explicit MessageLogModel(MessageStore &store, QObject *parent = nullptr);
    ~MessageLogModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    std::uint64_t seqAt(int row) const;
    const MessageStore &store() const { return m_store; }

    // While paused, new records stay in the store but get no rows; old ones still leave at the
    // store's capacity.
    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    // Records that arrived while paused and have no row yet.
    std::uint64_t heldBack() const;

    // Starts filtering (asynchronously, see filterFinished). An invalid criteria leaves the rows
    // as they are and returns the one-line error; otherwise returns an empty string.
    QString setFilter(const MessageFilterCriteria &criteria);
    const MessageFilterCriteria &filter() const { return m_criteria; }
    bool isFiltering() const { return m_scan != nullptr; }

    // Payload preview: the first bytes as text, or as hex when they are not text.
    static QString previewText(std::string_view payload, int maxChars = 160);

signals:
    void pausedChanged(bool paused);
    // The rows now follow the filter; `elapsedMs` from setFilter() to the swap.
    void filterFinished(qint64 elapsedMs, int rows);

private:
    struct Scan;

    void onAppended(quint64 firstSeq, quint64 endSeq);
    void onTrimmed(quint64 newFirstSeq);
    void onDeliveriesChanged(quint64 firstSeq, quint64 lastSeq);
    void onCleared();
    void continueScan();
    void appendRows(std::uint64_t endSeq);
    int rowOfSeq(std::uint64_t seq) const; // the first row at or after seq
    QString displayText(const LogRecord &record, int column) const;
    QString receiversText(const LogRecord &record, int limit) const;
    QString deliveryText(const LogRecord &record) const;
    DeliveryIndicators indicators(const LogRecord &record) const;

    MessageStore &m_store;
    MessageFilterCriteria m_criteria;
    std::unique_ptr<MessageFilter> m_filter; // null: every record has a row
    // Unfiltered: rows are [m_first, m_end). Filtered: rows are m_matches.
    std::uint64_t m_first = 0;
    std::uint64_t m_end = 0;
    std::deque<std::uint64_t> m_matches;
    bool m_paused = false;
    std::unique_ptr<Scan> m_scan;
    QTimer m_scanTimer;
};

} // namespace iotcore::ui

Q_DECLARE_METATYPE(iotcore::ui::DeliveryIndicators)
