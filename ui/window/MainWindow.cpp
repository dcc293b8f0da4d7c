#include "MainWindow.h"

#include "BrokerStatusBar.h"
#include "RecentWorkspaces.h"

#include "charts/PayloadChartView.h"
#include "console/CommandSender.h"
#include "console/KeptMessagesView.h"
#include "console/SubscriptionPanel.h"
#include "external/ConnectionProfileDialog.h"
#include "external/ExternalBrokerView.h"
#include "sim/FleetForm.h"
#include "sim/SimulatorPanel.h"
#include "messages/BrokerEventFeed.h"
#include "messages/MessageLogView.h"
#include "messages/MessageStore.h"
#include "messages/TopicTreeView.h"
#include "pages/EntityPage.h"
#include "pages/OverviewPage.h"
#include "wizards/BundleExport.h"
#include "wizards/CredentialDialog.h"
#include "wizards/EntityEditDialog.h"
#include "wizards/EntityWizard.h"
#include "wizards/FieldMessage.h"
#include "workspace/CatalogEditor.h"
#include "workspace/EntityIcons.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceTreeModel.h"
#include "sim/EmbeddedTarget.h"
#include "sim/FleetProvisioner.h"
#include "sim/ScenarioStore.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTreeView>
#include <QUndoGroup>
#include <QVBoxLayout>

namespace iotcore::ui {

using namespace iotcore::broker;

namespace {

const QString WorkspaceFilter = QStringLiteral("IoT Core Studio workspaces (*.sqlite);;All files (*)");

// A finished `iotcore-studio import|export …` run, shown with what it printed.
void showToolResult(QWidget *parent, const QString &title, const QString &summary,
                    const QString &details)
{
    auto *dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    auto *layout = new QVBoxLayout(dialog);
    auto *label = new QLabel(summary);
    label->setWordWrap(true);
    layout->addWidget(label);
    if (!details.isEmpty()) {
        auto *text = new QPlainTextEdit(details);
        text->setReadOnly(true);
        text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        layout->addWidget(text);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog->resize(640, details.isEmpty() ? 160 : 400);
    dialog->open();
}

// Docks sharing an area are as tall as the tallest one's minimum: forms with many rows scroll
// instead, so the window still fits a 1366×768 screen.
QWidget *scrollable(QWidget *content)
{
    auto *area = new QScrollArea;
    area->setWidget(content);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    return area;
}

} // namespace

MainWindow::MainWindow(Session session, QWidget *parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_log(LogLevel::Info)
    , m_treeModel(new WorkspaceTreeModel(this))
    , m_tree(new QTreeView)
    , m_treeDock(new QDockWidget(tr("Workspace"), this))
    , m_tabs(new QTabWidget)
    , m_status(new BrokerStatusBar(statusBar()))
    , m_undoGroup(new QUndoGroup(this))
{
    setWindowIcon(entityIcon(EntityKind::Registry));
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    setCentralWidget(m_tabs);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        QWidget *page = m_tabs->widget(index);
        if (qobject_cast<EntityPage *>(page) || qobject_cast<ExternalBrokerView *>(page))
            page->deleteLater();
    });
    buildTree();
    buildMessageDocks();
    buildSimulatorDock();
    buildConsoleDocks();
    buildMenus();
    resize(1280, 800);
    if (m_session == Session::Remembered) {
        QSettings settings;
        restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
        restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    }
}

MainWindow::~MainWindow()
{
    // The simulated devices and the feed use the broker, and pages refer to the editor and the
    // broker: they go first.
    while (m_tabs->count() > 0)
        delete m_tabs->widget(0);
    tearDownBroker();
}

void MainWindow::buildMessageDocks()
{
    m_messages = std::make_unique<MessageStore>();
    m_messageLog = new MessageLogView(*m_messages);
    m_logDock = new QDockWidget(tr("Message log"), this);
    m_logDock->setObjectName(QStringLiteral("messageLogDock"));
    m_logDock->setWidget(m_messageLog);
    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);

    // $devices/<id>/… grouped under the registry's and the device's names.
    auto lookup = [this](const QString &id) -> std::optional<TopicOwnerNames> {
        if (!m_workspace)
            return std::nullopt;
        const broker::Catalog &catalog = m_workspace->catalog();
        const std::string entityId = id.toStdString();
        if (const broker::Device *device = catalog.device(entityId)) {
            const broker::Registry *registry = catalog.registry(device->registryId);
            return TopicOwnerNames{registry ? QString::fromStdString(registry->name) : QString(),
                                   QString::fromStdString(device->name)};
        }
        if (const broker::Registry *registry = catalog.registry(entityId))
            return TopicOwnerNames{QString::fromStdString(registry->name), {}};
        return std::nullopt;
    };
    m_topicTree = new TopicTreeView(*m_messages, lookup);
    m_topicDock = new QDockWidget(tr("Topics"), this);
    m_topicDock->setObjectName(QStringLiteral("topicTreeDock"));
    m_topicDock->setWidget(m_topicTree);
    // Both want width more than height: they share the bottom, the log in front.
    addDockWidget(Qt::BottomDockWidgetArea, m_topicDock);
    tabifyDockWidget(m_logDock, m_topicDock);
    m_charts = new PayloadChartView(*m_messages);
    m_chartDock = new QDockWidget(tr("Charts"), this);
    m_chartDock->setObjectName(QStringLiteral("chartDock"));
    m_chartDock->setWidget(scrollable(m_charts));
    addDockWidget(Qt::BottomDockWidgetArea, m_chartDock);
    tabifyDockWidget(m_topicDock, m_chartDock);
    m_logDock->raise();
    resizeDocks({m_logDock}, {380}, Qt::Vertical);
}

void MainWindow::chartDevice(const std::string &deviceId)
{
    m_charts->setTopicFilter(QStringLiteral("$devices/%1/events/#").arg(QString::fromStdString(deviceId)));
    m_chartDock->show();
    m_chartDock->raise();
}

void MainWindow::buildSimulatorDock()
{
    // Runs go against the broker serving the workspace at the time of the start.
    auto factory = [this](const sim::Scenario &scenario, QString *error) -> std::unique_ptr<sim::Simulation> {
        if (!m_workspace || !m_broker.broker) {
            *error = tr("the broker is not running");
            return nullptr;
        }
        sim::SimulationOptions options;
        options.sensorOptions.baseDirectory = QFileInfo(m_workspace->path()).absolutePath();
        return sim::Simulation::create(scenario, m_workspace->catalog(),
                                       sim::EmbeddedTarget::target(m_broker.broker->server(), tr("the console's broker")),
                                       options, error);
    };
    m_simulator = new SimulatorPanel(factory);
    m_simulatorDock = new QDockWidget(tr("Simulator"), this);
    m_simulatorDock->setObjectName(QStringLiteral("simulatorDock"));
    m_simulatorDock->setWidget(scrollable(m_simulator));
    addDockWidget(Qt::BottomDockWidgetArea, m_simulatorDock);
    tabifyDockWidget(m_chartDock, m_simulatorDock);
    m_logDock->raise();
}

void MainWindow::buildConsoleDocks()
{
    const auto dock = [this](const QString &title, const QString &name) {
        auto *widget = new QDockWidget(title, this);
        widget->setObjectName(name);
        addDockWidget(Qt::BottomDockWidgetArea, widget);
        tabifyDockWidget(m_simulatorDock, widget);
        return widget;
    };
    m_commandsDock = dock(tr("Commands"), QStringLiteral("commandsDock"));
    m_subscriptionsDock = dock(tr("Subscriptions"), QStringLiteral("subscriptionsDock"));
    m_keptDock = dock(tr("Kept messages"), QStringLiteral("keptMessagesDock"));
    m_logDock->raise();
}

// The console's own clients act as registries, devices and brokers of the broker serving the
// workspace: made anew for each broker, before the old one goes (they hold it).
void MainWindow::detachConsoleWidgets()
{
    for (QDockWidget *dockWidget : {m_commandsDock, m_subscriptionsDock, m_keptDock}) {
        delete dockWidget->widget();
        dockWidget->setWidget(nullptr);
    }
    m_commands = nullptr;
    m_subscriptions = nullptr;
    m_kept = nullptr;
}

void MainWindow::attachConsoleWidgets()
{
    detachConsoleWidgets();
    if (!m_broker.broker || !m_workspace)
        return;
    broker::BrokerServer &server = m_broker.broker->server();
    const IdentityConnections::Listeners listeners{QLatin1String(ConsoleBroker::AssertedListener),
                                                   QLatin1String(sim::EmbeddedTarget::OpenListener)};
    app::Workspace *workspace = m_workspace.get();
    const CatalogLookup catalog = [workspace]() -> const broker::Catalog & { return workspace->catalog(); };
    m_commands = new CommandSender(server, listeners, catalog);
    m_subscriptions = new SubscriptionPanel(server, listeners, catalog);
    m_kept = new KeptMessagesView(server, catalog);
    m_commandsDock->setWidget(scrollable(m_commands));
    m_subscriptionsDock->setWidget(scrollable(m_subscriptions));
    m_keptDock->setWidget(scrollable(m_kept));
    connect(workspace, &app::Workspace::catalogChanged, m_commands, &CommandSender::refreshTargets);
    connect(workspace, &app::Workspace::catalogChanged, m_subscriptions, &SubscriptionPanel::refreshIdentities);
    connect(workspace, &app::Workspace::catalogChanged, m_kept, &KeptMessagesView::refreshRegistries);
}

void MainWindow::watchRegistry(const QString &registryName)
{
    const broker::Registry *registry = m_workspace ? m_workspace->catalog().registryByName(registryName.toStdString())
                                                   : nullptr;
    if (!registry || !m_subscriptions || !m_subscriptions->setIdentity(QString::fromStdString(registry->id)))
        return;
    m_subscriptions->subscribeTo(QStringLiteral("$devices/#"), 1);
}

void MainWindow::connectExternalBroker()
{
    QSettings settings;
    ConnectionProfileDialog dialog(settings, this);
    connect(&dialog, &ConnectionProfileDialog::connectRequested, this, [this](const ConnectionProfile &profile) {
        auto *view = new ExternalBrokerView(profile);
        m_tabs->setCurrentIndex(m_tabs->addTab(view, style()->standardIcon(QStyle::SP_DriveNetIcon), profile.name));
    });
    dialog.exec();
}

void MainWindow::loadScenario()
{
    QString error;
    std::unique_ptr<sim::ScenarioStore> store = sim::ScenarioStore::open(m_workspace->path(), false, &error);
    std::optional<sim::Scenario> scenario = store ? store->load(&error) : std::nullopt;
    if (!scenario) {
        statusBar()->showMessage(tr("The workspace's scenario cannot be read: %1").arg(error));
        scenario = sim::Scenario();
    }
    m_simulator->setScenario(std::move(*scenario));
}

sim::Simulation *MainWindow::simulation() const
{
    return m_simulator->simulation();
}

bool MainWindow::startSimulation(QString *error)
{
    if (m_simulator->scenario().fleets.empty()) {
        *error = tr("the workspace has no fleets to simulate");
        return false;
    }
    if (!m_simulator->start()) {
        *error = tr("see the simulator dock");
        return false;
    }
    return true;
}

void MainWindow::newFleet()
{
    if (!m_workspace)
        return;
    FleetForm form(m_workspace->catalog(), m_simulator->scenario(), this);
    if (form.exec() != QDialog::Accepted || !form.fleet())
        return;
    sim::Fleet fleet = *form.fleet();
    QString error;
    // The catalog first (devices without their fleet are harmless; a fleet whose devices are
    // missing could not log in), through the workspace so the edit is saved and undoable.
    const bool provisioned = m_workspace->edit(
        [&fleet](broker::Catalog &catalog) {
            sim::FleetProvisioner::Report report;
            QString problem;
            return sim::FleetProvisioner(catalog).provision(fleet, &report, &problem) ? std::string()
                                                                                     : problem.toStdString();
        },
        &error);
    sim::Scenario scenario = m_simulator->scenario();
    scenario.fleets.push_back(fleet);
    std::unique_ptr<sim::ScenarioStore> store
        = provisioned ? sim::ScenarioStore::open(m_workspace->path(), false, &error) : nullptr;
    if (!store || !store->save(scenario, &error)) {
        QMessageBox::warning(this, tr("New fleet"), tr("The fleet was not added: %1").arg(error));
        return;
    }
    m_simulator->setScenario(std::move(scenario));
    m_simulatorDock->show();
    m_simulatorDock->raise();
}

void MainWindow::stopSimulation()
{
    m_simulator->stopNow();
}

void MainWindow::tearDownBroker()
{
    // Everything that holds the broker goes before it: the simulated devices (they say goodbye
    // and wait for their acknowledgements), the feed from its tap, the console's identities.
    stopSimulation();
    m_feed.reset();
    detachConsoleWidgets();
    m_broker = {};
}

void MainWindow::buildTree()
{
    m_tree->setModel(m_treeModel);
    m_tree->setHeaderHidden(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->setUniformRowHeights(true);
    m_treeDock->setObjectName(QStringLiteral("workspaceDock"));
    m_treeDock->setWidget(m_tree);
    m_treeDock->setMinimumWidth(220);
    addDockWidget(Qt::LeftDockWidgetArea, m_treeDock);
    resizeDocks({m_treeDock}, {280}, Qt::Horizontal);
    connect(m_tree, &QTreeView::activated, this, [this](const QModelIndex &index) {
        if (const std::optional<EntityRef> entity = m_treeModel->entityAt(index))
            openEntityPage(*entity);
    });
    connect(m_tree, &QTreeView::clicked, this, [this](const QModelIndex &index) {
        if (const std::optional<EntityRef> entity = m_treeModel->entityAt(index))
            openEntityPage(*entity);
    });
    connect(m_tree, &QTreeView::customContextMenuRequested, this, &MainWindow::showTreeMenu);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(style()->standardIcon(QStyle::SP_FileIcon), tr("&New workspace…"),
                    QKeySequence::New, this, &MainWindow::newWorkspace);
    file->addAction(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open workspace…"),
                    QKeySequence::Open, this, &MainWindow::openWorkspaceDialog);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    m_saveAction = file->addAction(style()->standardIcon(QStyle::SP_DialogSaveButton), tr("&Save"),
                                   QKeySequence::Save, this, &MainWindow::saveWorkspace);
    file->addAction(tr("Save &as…"), QKeySequence::SaveAs, this, &MainWindow::saveWorkspaceAs);
    file->addSeparator();
    file->addAction(tr("&Import from Yandex Cloud…"), this, &MainWindow::importFromYandexCloud);
    file->addAction(tr("&Export to mosquitto…"), this, &MainWindow::exportToMosquitto);
    file->addSeparator();
    file->addAction(style()->standardIcon(QStyle::SP_DriveNetIcon), tr("Connect to an e&xternal broker…"),
                    this, &MainWindow::connectExternalBroker);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    m_editMenu = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_undoGroup->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_undoGroup->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    m_editMenu->addAction(undo);
    m_editMenu->addAction(redo);
    m_editMenu->addSeparator();
    m_editMenu->addAction(entityIcon(EntityKind::Registry), tr("New &registry…"), this,
                          [this] { runWizard(EntityKind::Registry); });
    m_editMenu->addAction(entityIcon(EntityKind::Device), tr("New &device…"),
                          QKeySequence(Qt::CTRL | Qt::Key_D), this, [this] {
                              const std::optional<EntityRef> selected
                                  = m_treeModel->entityAt(m_tree->currentIndex());
                              QString registry;
                              if (selected && selected->kind == EntityKind::Registry)
                                  registry = QString::fromStdString(selected->id);
                              else if (selected && selected->kind == EntityKind::Device)
                                  registry = QString::fromStdString(
                                      m_editor->catalog().device(selected->id)->registryId);
                              runWizard(EntityKind::Device, registry);
                          });
    m_editMenu->addAction(tr("New simulated &fleet…"), this, &MainWindow::newFleet);
    m_editMenu->addSeparator();
    m_editMenu->addAction(tr("&Edit selected…"), this,
                          [this] { selectedEntityAction(&MainWindow::editEntity); });
    m_editMenu->addAction(tr("Add &credential to selected…"), this,
                          [this] { selectedEntityAction(&MainWindow::addCredential); });
    m_editMenu->addAction(style()->standardIcon(QStyle::SP_TrashIcon), tr("De&lete selected"),
                          QKeySequence::Delete, this,
                          [this] { selectedEntityAction(&MainWindow::requestDelete); });

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->addAction(m_treeDock->toggleViewAction());
    m_viewMenu->addAction(m_logDock->toggleViewAction());
    m_viewMenu->addAction(m_topicDock->toggleViewAction());
    m_viewMenu->addAction(m_chartDock->toggleViewAction());
    m_viewMenu->addAction(m_simulatorDock->toggleViewAction());
    for (QDockWidget *dockWidget : {m_commandsDock, m_subscriptionsDock, m_keptDock})
        m_viewMenu->addAction(dockWidget->toggleViewAction());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About IoT Core Studio"), this, &MainWindow::about);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

bool MainWindow::openWorkspace(const QString &path, QString *error)
{
    std::unique_ptr<app::Workspace> workspace = app::Workspace::open(path, error);
    if (!workspace)
        return false;
    // The old workspace's pages and broker go before the new ones come (the ports are reused).
    while (m_tabs->count() > 0)
        delete m_tabs->widget(0);
    m_overview = nullptr;
    tearDownBroker();
    m_status->setBroker(nullptr, {});
    m_editor.reset();
    m_workspace = std::move(workspace);
    m_editor = std::make_unique<CatalogEditor>(*m_workspace);
    m_undoGroup->addStack(&m_editor->undoStack());
    m_undoGroup->setActiveStack(&m_editor->undoStack());

    connect(m_workspace.get(), &app::Workspace::catalogChanged, this, [this] {
        const std::optional<EntityRef> selected = m_treeModel->entityAt(m_tree->currentIndex());
        m_treeModel->setCatalog(m_workspace->catalog());
        m_tree->expandAll();
        if (selected)
            m_tree->setCurrentIndex(m_treeModel->indexOf(selected->kind, QString::fromStdString(selected->id)));
        if (m_broker.broker)
            m_broker.broker->reloadCatalog();
    });
    connect(m_workspace.get(), &app::Workspace::saveFailed, this, &MainWindow::showSaveFailure);
    connect(m_workspace.get(), &app::Workspace::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_workspace.get(), &app::Workspace::pathChanged, this, [this](const QString &newPath) {
        if (m_session == Session::Remembered)
            RecentWorkspaces().add(newPath);
        updateTitle();
        startBroker();
    });
    if (m_session == Session::Remembered)
        RecentWorkspaces().add(path);
    startBroker();
    return true;
}

void MainWindow::startBroker()
{
    while (m_tabs->count() > 0)
        delete m_tabs->widget(0);
    m_overview = nullptr;
    tearDownBroker();
    m_messages->clear();
    QString error;
    m_broker = ConsoleBroker::start(m_workspace->path(), m_log, &error);
    if (m_broker.broker)
        m_feed = std::make_unique<BrokerEventFeed>(m_broker.broker->server().tap(), *m_messages);
    attachConsoleWidgets();
    m_status->setBroker(m_broker.broker.get(), m_broker.broker ? m_broker.notes : QStringList{error});
    showWorkspace();
}

void MainWindow::showWorkspace()
{
    if (!m_overview) {
        m_overview = new OverviewPage(*m_workspace, m_broker.broker.get());
        connect(m_overview, &OverviewPage::newRegistryRequested, this,
                [this] { runWizard(EntityKind::Registry); });
        connect(m_overview, &OverviewPage::newDeviceRequested, this,
                [this] { runWizard(EntityKind::Device); });
        m_tabs->insertTab(0, m_overview, style()->standardIcon(QStyle::SP_FileDialogInfoView), tr("Overview"));
        m_tabs->tabBar()->setTabButton(0, QTabBar::RightSide, nullptr);
    }
    m_treeModel->setCatalog(m_workspace->catalog());
    m_tree->expandAll();
    if (!m_simulator->isRunning())
        loadScenario();
    updateTitle();
}

void MainWindow::updateTitle()
{
    if (!m_workspace)
        return;
    setWindowFilePath(m_workspace->path());
    setWindowTitle(QStringLiteral("%1[*]").arg(QFileInfo(m_workspace->path()).fileName()));
    setWindowModified(m_workspace->isModified());
    m_saveAction->setEnabled(m_workspace->isModified());
}

EntityPage *MainWindow::openEntityPage(const EntityRef &entity)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        auto *page = qobject_cast<EntityPage *>(m_tabs->widget(i));
        if (page && page->entity() == entity) {
            m_tabs->setCurrentIndex(i);
            return page;
        }
    }
    if (!m_workspace->catalog().entity(entity.id))
        return nullptr;
    auto *page = new EntityPage(entity, *m_editor, m_broker.broker.get());
    connect(page, &EntityPage::gone, page, &QObject::deleteLater);
    connect(page, &EntityPage::editRequested, this, &MainWindow::editEntity);
    connect(page, &EntityPage::deleteRequested, this, &MainWindow::requestDelete);
    connect(page, &EntityPage::addCredentialRequested, this, &MainWindow::addCredential);
    connect(page, &EntityPage::newDeviceRequested, this,
            [this](const QString &registryId) { runWizard(EntityKind::Device, registryId); });
    connect(page, &EntityPage::bundleRequested, this, [this](const std::string &deviceId) {
        exportConnectionBundle(this, *m_workspace, m_broker.broker.get(), deviceId);
    });
    connect(page, &EntityPage::openRequested, this, &MainWindow::openEntityPage);
    const int index = m_tabs->addTab(page, entityIcon(entity.kind), page->title());
    connect(m_workspace.get(), &app::Workspace::catalogChanged, page, [this, page] {
        const int at = m_tabs->indexOf(page);
        if (at >= 0)
            m_tabs->setTabText(at, page->title());
    });
    m_tabs->setTabToolTip(index, QString::fromStdString(entity.id));
    m_tabs->setCurrentIndex(index);
    return page;
}

EntityWizard *MainWindow::createWizard(EntityKind kind, const QString &registryId)
{
    auto *wizard = new EntityWizard(kind, *m_editor, m_broker.broker.get(), this);
    if (!registryId.isEmpty())
        wizard->setRegistry(registryId);
    return wizard;
}

void MainWindow::runWizard(EntityKind kind, const QString &registryId)
{
    if (kind == EntityKind::Device && m_workspace->catalog().registries().empty()) {
        QMessageBox::information(this, tr("New device"),
                                 tr("A device belongs to a registry: create a registry first."));
        return;
    }
    EntityWizard *wizard = createWizard(kind, registryId);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(wizard, &QWizard::finished, this, [this, wizard, kind] {
        if (wizard->isCreated())
            openEntityPage(EntityRef{kind, wizard->entityId()});
    });
    wizard->open();
}

void MainWindow::editEntity(const std::string &id)
{
    auto *dialog = new EntityEditDialog(*m_editor, id, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::addCredential(const std::string &id)
{
    auto *dialog = new CredentialDialog(*m_editor, id, m_broker.broker.get(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

bool MainWindow::deleteEntity(const std::string &id, QString *refusal)
{
    const std::optional<EntityRef> entity = m_workspace->catalog().entity(id);
    if (!entity) {
        *refusal = tr("It no longer exists.");
        return false;
    }
    QString name;
    if (const Registry *registry = m_workspace->catalog().registry(id))
        name = QString::fromStdString(registry->name);
    else if (const Device *device = m_workspace->catalog().device(id))
        name = QString::fromStdString(device->name);
    else if (const IotBroker *broker = m_workspace->catalog().broker(id))
        name = QString::fromStdString(broker->name);
    const EntityKind kind = entity->kind;
    QString error;
    const bool deleted = m_editor->apply(
        tr("Delete %1 %2").arg(QLatin1String(entityKindName(kind)), name),
        [id, kind](Catalog &catalog) {
            switch (kind) {
            case EntityKind::Registry: return catalog.deleteRegistry(id).error;
            case EntityKind::Device: return catalog.deleteDevice(id).error;
            case EntityKind::Broker: return catalog.deleteBroker(id).error;
            }
            return std::string();
        },
        &error);
    if (!deleted)
        *refusal = sentence(error.toStdString());
    return deleted;
}

void MainWindow::requestDelete(const std::string &id)
{
    const Catalog &catalog = m_workspace->catalog();
    const std::optional<EntityRef> entity = catalog.entity(id);
    if (!entity)
        return;
    QString refusal;
    // IoT Core refuses to delete a registry that has devices: say so instead of asking.
    if (entity->kind == EntityKind::Registry && catalog.deviceCount(id) > 0) {
        deleteEntity(id, &refusal);
        QMessageBox::information(this, tr("Delete registry"),
                                 refusal + u'\n' + tr("Delete or move its devices first."));
        return;
    }
    const QString question = tr("Delete %1 %2? Its credentials go with it; Edit › Undo brings it "
                                "back.")
                                 .arg(QLatin1String(entityKindName(entity->kind)),
                                      QString::fromStdString(id));
    if (QMessageBox::question(this, tr("Delete"), question) != QMessageBox::Yes)
        return;
    if (!deleteEntity(id, &refusal))
        QMessageBox::warning(this, tr("Delete"), refusal);
}

void MainWindow::selectedEntityAction(void (MainWindow::*action)(const std::string &))
{
    std::optional<EntityRef> entity = m_treeModel->entityAt(m_tree->currentIndex());
    if (auto *page = qobject_cast<EntityPage *>(m_tabs->currentWidget()); !entity && page)
        entity = page->entity();
    if (entity)
        (this->*action)(entity->id);
    else
        statusBar()->showMessage(tr("Select a registry, device or broker in the workspace tree first."), 5000);
}

void MainWindow::showTreeMenu(const QPoint &position)
{
    const QModelIndex index = m_tree->indexAt(position);
    const std::optional<EntityRef> entity = m_treeModel->entityAt(index);
    QMenu menu;
    if (!entity || entity->kind == EntityKind::Registry) {
        menu.addAction(entityIcon(EntityKind::Registry), tr("New registry…"), this,
                       [this] { runWizard(EntityKind::Registry); });
    }
    if (entity && entity->kind == EntityKind::Registry) {
        const QString id = QString::fromStdString(entity->id);
        menu.addAction(entityIcon(EntityKind::Device), tr("New device…"), this,
                       [this, id] { runWizard(EntityKind::Device, id); });
    }
    if (entity) {
        const std::string id = entity->id;
        menu.addSeparator();
        menu.addAction(tr("Open"), this, [this, entity] { openEntityPage(*entity); });
        menu.addAction(tr("Edit…"), this, [this, id] { editEntity(id); });
        menu.addAction(tr("Add credential…"), this, [this, id] { addCredential(id); });
        if (entity->kind == EntityKind::Device) {
            menu.addAction(tr("Connection bundle…"), this, [this, id] {
                exportConnectionBundle(this, *m_workspace, m_broker.broker.get(), id);
            });
            menu.addAction(tr("Chart its events"), this, [this, id] { chartDevice(id); });
        }
        menu.addSeparator();
        menu.addAction(style()->standardIcon(QStyle::SP_TrashIcon), tr("Delete"), this,
                       [this, id] { requestDelete(id); });
    }
    menu.exec(m_tree->viewport()->mapToGlobal(position));
}

void MainWindow::newWorkspace()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("New workspace"), QString(), WorkspaceFilter);
    if (path.isEmpty())
        return;
    // The dialog asked whether to replace an existing file.
    if (QFileInfo::exists(path) && !QFile::remove(path)) {
        QMessageBox::warning(this, tr("New workspace"), tr("Cannot replace %1.").arg(path));
        return;
    }
    QString error;
    if (!openWorkspace(path, &error))
        QMessageBox::warning(this, tr("New workspace"), error);
}

void MainWindow::openWorkspaceDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open workspace"),
                                                      QFileInfo(m_workspace->path()).absolutePath(),
                                                      WorkspaceFilter);
    if (!path.isEmpty())
        openRecent(path);
}

void MainWindow::openRecent(const QString &path)
{
    QString error;
    if (!openWorkspace(path, &error))
        QMessageBox::warning(this, tr("Open workspace"), error);
}

void MainWindow::fillRecentMenu()
{
    m_recentMenu->clear();
    const QStringList paths = RecentWorkspaces().paths();
    for (const QString &path : paths)
        m_recentMenu->addAction(path, this, [this, path] { openRecent(path); });
    if (paths.isEmpty())
        m_recentMenu->addAction(tr("No recent workspaces"))->setEnabled(false);
}

void MainWindow::saveWorkspace()
{
    QString error;
    if (m_workspace->save(&error))
        statusBar()->showMessage(tr("Saved %1").arg(m_workspace->path()), 5000);
    else
        showSaveFailure(error);
}

void MainWindow::saveWorkspaceAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save workspace as"),
                                                      m_workspace->path(), WorkspaceFilter);
    if (path.isEmpty())
        return;
    QString error;
    if (!m_workspace->saveAs(path, &error))
        showSaveFailure(error);
}

void MainWindow::showSaveFailure(const QString &error)
{
    updateTitle();
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Workspace not saved"),
                                tr("The change is kept in this window but could not be written "
                                   "to %1:\n%2\n\nFile › Save tries again; File › Save as writes "
                                   "the workspace somewhere else.")
                                    .arg(m_workspace->path(), error),
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

// The command line's own `import yc` does the work, in a process of its own: the same rules and
// messages as in a shell, and the window stays responsive. The workspace then reloads the file.
void MainWindow::importFromYandexCloud()
{
    if (m_workspace->isModified()) {
        QMessageBox::warning(this, tr("Import"), tr("Save the workspace first (File › Save or Save as)."));
        return;
    }
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Import what yc printed (--format json or yaml)"), QString(),
        tr("yc output (*.json *.yaml *.yml);;All files (*)"));
    if (files.isEmpty())
        return;
    auto *process = new QProcess(this);
    connect(process, &QProcess::finished, this, [this, process](int exitCode) {
        process->deleteLater();
        const QString printed = QString::fromUtf8(process->readAllStandardOutput());
        const QString summary = QString::fromUtf8(process->readAllStandardError()).trimmed();
        if (exitCode != 0) {
            showToolResult(this, tr("Import failed"), tr("Nothing was imported.\n%1").arg(summary), {});
            return;
        }
        m_workspace->reloadIfChanged();
        showToolResult(this, tr("Imported"),
                       printed.isEmpty() ? summary
                                         : summary + u'\n'
                               + tr("Generated passwords (\"<id> <password>\"), shown only now:"),
                       printed);
    });
    process->start(QCoreApplication::applicationFilePath(),
                   QStringList{QStringLiteral("import"), QStringLiteral("yc"), QStringLiteral("-w"),
                               m_workspace->path()} + files);
}

void MainWindow::exportToMosquitto()
{
    if (m_workspace->isModified()) {
        QMessageBox::warning(this, tr("Export"), tr("Save the workspace first (File › Save or Save as)."));
        return;
    }
    const QString directory = QFileDialog::getExistingDirectory(
        this, tr("Export to mosquitto: a new or empty folder, or an earlier export"));
    if (directory.isEmpty())
        return;
    auto *process = new QProcess(this);
    connect(process, &QProcess::finished, this, [this, process](int exitCode) {
        process->deleteLater();
        const QString out = QString::fromUtf8(process->readAllStandardOutput()).trimmed();
        const QString err = QString::fromUtf8(process->readAllStandardError()).trimmed();
        showToolResult(this, exitCode == 0 ? tr("Exported") : tr("Export failed"),
                       exitCode == 0 ? out + u'\n' + tr("Run it with: mosquitto -c <folder>/mosquitto.conf")
                                     : err,
                       {});
    });
    process->start(QCoreApplication::applicationFilePath(),
                   {QStringLiteral("export"), QStringLiteral("mosquitto"), QStringLiteral("-w"),
                    m_workspace->path(), directory});
}

void MainWindow::about()
{
    QMessageBox::about(this, tr("About IoT Core Studio"),
                       tr("<h3>IoT Core Studio %1</h3>"
                          "<p>A local Yandex Cloud IoT Core: an MQTT 3.1.1 broker that behaves like "
                          "the service, and its registry console.</p>"
                          "<p>Workspace: %2</p>")
                           .arg(QCoreApplication::applicationVersion(),
                                m_workspace ? m_workspace->path().toHtmlEscaped() : QString()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_workspace && m_workspace->isModified()) {
        const auto answer = QMessageBox::warning(
            this, tr("Workspace not saved"),
            tr("The last changes could not be written to %1. Quit anyway and lose them?")
                .arg(m_workspace->path()),
            QMessageBox::Discard | QMessageBox::Cancel);
        if (answer != QMessageBox::Discard) {
            event->ignore();
            return;
        }
    }
    if (m_session == Session::Remembered) {
        QSettings settings;
        settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
        settings.setValue(QStringLiteral("window/state"), saveState());
    }
    QMainWindow::closeEvent(event);
}

} // namespace iotcore::ui
