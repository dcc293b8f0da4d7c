#pragma once

// The messages of one topic that the store still holds, oldest first: time, size and a preview.
// As long as the store's capacity, not a fixed 100 messages; kept current as messages arrive.

#include "MessageStore.h"

#include <QAbstractTableModel>

#include <deque>
#include <optional>

namespace iotcore::ui {

class TopicHistoryModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Size, Payload, ColumnCount };
    enum Role { SeqRole = Qt::UserRole + 1 };

    explicit TopicHistoryModel(const MessageStore &store, QObject *parent = nullptr);

    // `topicId` in the store's topic pool; nullopt shows nothing.
    void setTopic(std::optional<std::uint32_t> topicId);
    std::optional<std::uint32_t> topic() const { return m_topic; }
    std::uint64_t seqAt(int row) const { return m_seqs[std::size_t(row)]; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    void onAppended(quint64 firstSeq, quint64 endSeq);
    void onTrimmed(quint64 newFirstSeq);
    void collect(std::uint64_t from, std::uint64_t to, std::vector<std::uint64_t> &out) const;

    const MessageStore &m_store;
    std::optional<std::uint32_t> m_topic;
    std::deque<std::uint64_t> m_seqs;
};

} // namespace iotcore::ui
