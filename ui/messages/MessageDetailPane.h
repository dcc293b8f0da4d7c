#pragma once

// Everything about one log record: a header (topic, time, sender, QoS, flags, size), the payload
// whole (JSON re-indented, text as is, never cut), a hex dump, the numbers in it that look like
// Unix times shown as dates, and each receiver's delivery steps.

#include <QWidget>

#include <cstdint>

class QLabel;
class QPlainTextEdit;
class QTabWidget;

namespace iotcore::ui {

class MessageStore;
struct LogRecord;

class MessageDetailPane : public QWidget
{
    Q_OBJECT

public:
    explicit MessageDetailPane(const MessageStore &store, QWidget *parent = nullptr);

    // Shows record `seq`, or nothing when the store no longer holds it.
    void showRecord(std::uint64_t seq);
    void clear();

    // One line per receiver: client, QoS and packet id, then its steps with times after the
    // message's: "sent +0 ms → PUBREC +2 ms, PUBREL sent → PUBCOMP +3 ms".
    static QString deliverySteps(const MessageStore &store, const LogRecord &record);

private:
    void showHexIfVisible();

    const MessageStore &m_store;
    std::uint64_t m_seq = 0;
    bool m_hexStale = false;
    QLabel *m_header;
    QLabel *m_timestamps;
    QTabWidget *m_tabs;
    QPlainTextEdit *m_payload;
    QPlainTextEdit *m_hex;
    QPlainTextEdit *m_delivery;
};

} // namespace iotcore::ui
