#pragma once

// The registry console's main window: the workspace tree dock on the left, a tab per registry,
// device or broker in the centre (after the overview), the embedded broker's state in the status
// bar, and the File, Edit, View and Help menus. Docks can be moved and are restored on the next
// start. The window owns the open workspace, its undo history and the broker serving it.

#include "ConsoleBroker.h"

#include "iot/CatalogTypes.h"
#include "observe/Log.h"

#include <QMainWindow>

#include <memory>
#include <string>

class QDockWidget;
class QMenu;
class QTabWidget;
class QTreeView;
class QUndoGroup;

namespace iotcore::app {
class Workspace;
}
namespace iotcore::sim {
class Simulation;
}

namespace iotcore::ui {

class BrokerEventFeed;
class BrokerStatusBar;
class MessageLogView;
class MessageStore;
class PayloadChartView;
class SimulatorPanel;
class CommandSender;
class KeptMessagesView;
class SubscriptionPanel;
class TopicTreeView;
class CatalogEditor;
class EntityPage;
class EntityWizard;
class OverviewPage;
class WorkspaceTreeModel;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // FreshLayout ignores (and does not save) the layout and recent files of earlier sessions:
    // screenshots and tests look the same everywhere.
    enum class Session { Remembered, FreshLayout };

    explicit MainWindow(Session session = Session::Remembered, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens the workspace (created when the file does not exist) and serves it. On failure the
    // current workspace stays open and `error` says why.
    bool openWorkspace(const QString &path, QString *error);

    app::Workspace *workspace() const { return m_workspace.get(); }
    CatalogEditor *editor() const { return m_editor.get(); }
    app::EmbeddedBroker *broker() const { return m_broker.broker.get(); }
    WorkspaceTreeModel *treeModel() const { return m_treeModel; }
    QTreeView *treeView() const { return m_tree; }
    QTabWidget *tabs() const { return m_tabs; }
    BrokerStatusBar *brokerStatus() const { return m_status; }
    OverviewPage *overviewPage() const { return m_overview; }
    // Every message the broker routes, with what became of it for each receiver; the log and
    // the topic tree docks show it.
    MessageStore *messageStore() const { return m_messages.get(); }
    MessageLogView *messageLog() const { return m_messageLog; }
    TopicTreeView *topicTree() const { return m_topicTree; }
    PayloadChartView *charts() const { return m_charts; }
    // Plots the numeric fields of a device's events in the charts dock, brought to the front.
    void chartDevice(const std::string &deviceId);

    // Runs the workspace's scenario (its fleets of simulated devices) against the console's
    // broker, in process, from the simulator dock. False with one line in `error` (no fleets, a
    // fleet that cannot run).
    bool startSimulation(QString *error);
    void stopSimulation();
    sim::Simulation *simulation() const;
    SimulatorPanel *simulatorPanel() const { return m_simulator; }
    SubscriptionPanel *subscriptions() const { return m_subscriptions; }
    CommandSender *commandSender() const { return m_commands; }
    KeptMessagesView *keptMessages() const { return m_kept; }
    // Asks for a new fleet (FleetForm), provisions its identities in the catalog and adds it to
    // the workspace's scenario.
    void newFleet();
    // Subscribes the console, as the registry named `registryName`, to its devices' events and
    // state (Subscriptions dock), so the log shows each message's delivery to the console.
    void watchRegistry(const QString &registryName);
    // File › Connect to an external broker: a tab with the log, topics and charts of a broker
    // that is not the embedded one, through a connection profile.
    void connectExternalBroker();

    // The entity's tab, opened if needed and made current.
    EntityPage *openEntityPage(const broker::EntityRef &entity);
    // A wizard for a new registry or device (in `registryId`, if given), not yet shown.
    EntityWizard *createWizard(broker::EntityKind kind, const QString &registryId = {});
    // Deletes by the IoT Core rules, without asking; false with the catalog's reason (a registry
    // with devices cannot be deleted).
    bool deleteEntity(const std::string &id, QString *refusal);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void buildTree();
    void buildMessageDocks();
    void buildSimulatorDock();
    // The docks that act as identities on the running broker: rebuilt with each broker.
    void buildConsoleDocks();
    void attachConsoleWidgets();
    void detachConsoleWidgets();
    void tearDownBroker();
    void loadScenario();
    void startBroker();
    void showWorkspace();
    void updateTitle();
    void fillRecentMenu();

    void newWorkspace();
    void openWorkspaceDialog();
    void saveWorkspace();
    void saveWorkspaceAs();
    void importFromYandexCloud();
    void exportToMosquitto();
    void runWizard(broker::EntityKind kind, const QString &registryId = {});
    void editEntity(const std::string &id);
    void addCredential(const std::string &id);
    void requestDelete(const std::string &id);
    void showTreeMenu(const QPoint &position);
    void selectedEntityAction(void (MainWindow::*action)(const std::string &));
    void about();
    void showSaveFailure(const QString &error);
    void openRecent(const QString &path);

    Session m_session;
    broker::Log m_log;
    std::unique_ptr<app::Workspace> m_workspace;
    std::unique_ptr<CatalogEditor> m_editor;
    ConsoleBroker m_broker;
    std::unique_ptr<MessageStore> m_messages;
    std::unique_ptr<BrokerEventFeed> m_feed; // from m_broker's tap into m_messages
    MessageLogView *m_messageLog = nullptr;
    TopicTreeView *m_topicTree = nullptr;
    QDockWidget *m_logDock = nullptr;
    QDockWidget *m_topicDock = nullptr;
    PayloadChartView *m_charts = nullptr;
    SimulatorPanel *m_simulator = nullptr;
    SubscriptionPanel *m_subscriptions = nullptr;
    CommandSender *m_commands = nullptr;
    KeptMessagesView *m_kept = nullptr;
    QDockWidget *m_subscriptionsDock = nullptr;
    QDockWidget *m_commandsDock = nullptr;
    QDockWidget *m_keptDock = nullptr;
    QDockWidget *m_simulatorDock = nullptr;
    QDockWidget *m_chartDock = nullptr;
    WorkspaceTreeModel *m_treeModel;
    QTreeView *m_tree;
    QDockWidget *m_treeDock;
    QTabWidget *m_tabs;
    OverviewPage *m_overview = nullptr;
    BrokerStatusBar *m_status;
    QMenu *m_editMenu = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QAction *m_saveAction = nullptr;
    QUndoGroup *m_undoGroup;
};

} // namespace iotcore::ui
