#pragma once

// The first tab: what the workspace holds, where the broker listens and who logs in where, and
// commands to copy that show the traffic at once (the demo's own passwords when they are still
// the demo's).

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QStandardItemModel;

namespace iotcore::app {
class EmbeddedBroker;
class Workspace;
}

namespace iotcore::ui {

class OverviewPage : public QWidget
{
    Q_OBJECT

public:
    OverviewPage(const app::Workspace &workspace, const app::EmbeddedBroker *broker,
                 QWidget *parent = nullptr);

    void refresh();
    QString commandsText() const;

signals:
    void newRegistryRequested();
    void newDeviceRequested();

private:
    const app::Workspace &m_workspace;
    const app::EmbeddedBroker *m_broker;
    QLabel *m_summary;
    QStandardItemModel *m_listeners;
    QPlainTextEdit *m_commands;
};

} // namespace iotcore::ui
