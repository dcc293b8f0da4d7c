#pragma once

// The message log as the console shows it: a filter bar applied as you type (topic pattern,
// client, QoS, text), pause and resume, copy, the capacity, the QoS indicator legend, the table
// and a detail pane for the selected message.

#include "MessageFilter.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableView;
class QToolButton;

namespace iotcore::ui {

class MessageDetailPane;
class MessageLogModel;
class MessageStore;

class MessageLogView : public QWidget
{
    Q_OBJECT

public:
    explicit MessageLogView(MessageStore &store, QWidget *parent = nullptr);

    MessageLogModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    MessageDetailPane *detailPane() const { return m_detail; }

    // Shows only the messages of `topicPattern` (as if typed in the filter bar).
    void setTopicFilter(const QString &topicPattern);
    // The selected rows as tab-separated lines, payloads whole, on the clipboard.
    void copySelection();

private:
    void scheduleFilter();
    void applyFilter();
    void updateStatus();
    void showCurrent();

    MessageStore &m_store;
    MessageLogModel *m_model;
    QTableView *m_table;
    MessageDetailPane *m_detail;
    QLineEdit *m_topic;
    QLineEdit *m_client;
    QComboBox *m_qos;
    QLineEdit *m_text;
    QToolButton *m_pause;
    QSpinBox *m_capacity;
    QLabel *m_status;
    QTimer m_filterDelay;
    QTimer m_statusTimer;
    bool m_followTail = true;
};

} // namespace iotcore::ui
