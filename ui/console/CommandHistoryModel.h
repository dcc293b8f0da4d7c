#pragma once

// The commands and configs the console sent (the last 50, newest first), each with what became
// of it (waiting for the connection, sent, acknowledged, not sent and why) and, as its children,
// the device's replies: what the device published on its events or state topics within the
// reply window after the send. A reply belongs to the newest send to that device (or to its
// registry as a whole) whose window is still open.

#include "CommandTarget.h"

#include <QAbstractItemModel>
#include <QByteArray>
#include <QDateTime>
#include <QList>

#include <deque>

namespace iotcore::ui {

class CommandHistoryModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    static constexpr int Capacity = 50;

    enum Column { TimeColumn, TopicColumn, PayloadColumn, StatusColumn, ColumnCount };

    struct Reply {
        QDateTime time;
        QString topic;
        QByteArray payload;
    };
    struct Send {
        quint64 serial = 0;
        QDateTime time;
        CommandTarget target;
        QString senderRegistry;
        QByteArray payload;
        quint8 qos = 0;
        QString status;
        bool failed = false;
        QList<Reply> replies;
    };

    explicit CommandHistoryModel(QObject *parent = nullptr);

    // How long after a send the device's messages count as its replies.
    void setReplyWindowSeconds(int seconds) { m_replyWindowSeconds = seconds; }
    int replyWindowSeconds() const { return m_replyWindowSeconds; }

    // A new send at the top; the oldest beyond Capacity goes. Returns its serial.
    quint64 addSend(const CommandTarget &target, const QString &senderRegistry,
                    const QByteArray &payload, quint8 qos, const QDateTime &time);
    void setStatus(quint64 serial, const QString &status, bool failed = false);
    // A message the registry received at `time`: listed under the send it answers, if any.
    // Returns whether it was.
    bool addReply(const QString &senderRegistry, const QString &topic, const QByteArray &payload,
                  const QDateTime &time);

    // The send a row of the top level, or a reply under it, belongs to; null for an invalid index.
    const Send *sendAt(const QModelIndex &index) const;
    const Send *sendBySerial(quint64 serial) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    int rowOf(quint64 serial) const;
    QVariant sendData(const Send &send, int column, int role) const;
    QVariant replyData(const Send &send, const Reply &reply, int column, int role) const;

    std::deque<Send> m_sends; // newest first
    quint64 m_nextSerial = 1;
    int m_replyWindowSeconds = 5;
};

} // namespace iotcore::ui
