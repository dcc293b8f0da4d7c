#pragma once

// The topic tree beside the selected topic's history; picking a message of the history shows
// what changed since the one before it.

#include "TopicTreeModel.h"

#include <QWidget>

class QLabel;
class QTableView;
class QTextEdit;
class QTreeView;

namespace iotcore::ui {

class TopicHistoryModel;

class TopicTreeView : public QWidget
{
    Q_OBJECT

public:
    explicit TopicTreeView(const MessageStore &store, TopicOwnerLookup lookup = {},
                           QWidget *parent = nullptr);

    TopicTreeModel *model() const { return m_model; }
    TopicHistoryModel *history() const { return m_history; }
    QTreeView *tree() const { return m_tree; }
    QTableView *historyTable() const { return m_historyTable; }

    // Selects the topic's node (expanding its parents); false when it was never seen.
    bool selectTopic(const QString &topic);

private:
    void showTopic(const QModelIndex &current);
    void showDiff();

    const MessageStore &m_store;
    TopicTreeModel *m_model;
    TopicHistoryModel *m_history;
    QTreeView *m_tree;
    QLabel *m_topicTitle;
    QTableView *m_historyTable;
    QTextEdit *m_diff;
};

} // namespace iotcore::ui
