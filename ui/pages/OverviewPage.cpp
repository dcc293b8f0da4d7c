#include "OverviewPage.h"

#include "iot/PasswordHasher.h"
#include "workspace/DemoWorkspace.h"
#include "workspace/EmbeddedBroker.h"
#include "workspace/Workspace.h"

#include <QFontDatabase>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardItemModel>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace iotcore::ui {

using namespace iotcore::broker;

namespace {

// The password to show in a command: the demo's, while the entity still has it; otherwise a
// shell variable the reader sets.
QString passwordFor(const std::vector<PasswordRecord> &passwords, const char *demoPassword,
                    const QString &variable)
{
    for (const PasswordRecord &record : passwords) {
        if (PasswordHasher::verify(demoPassword, record.hash) == PasswordHasher::Verdict::Match)
            return u'\'' + QLatin1String(demoPassword) + u'\'';
    }
    return QStringLiteral("\"$") + variable + u'"';
}

} // namespace

OverviewPage::OverviewPage(const app::Workspace &workspace, const app::EmbeddedBroker *broker,
                           QWidget *parent)
    : QWidget(parent)
    , m_workspace(workspace)
    , m_broker(broker)
    , m_summary(new QLabel)
    , m_listeners(new QStandardItemModel(0, 3, this))
    , m_commands(new QPlainTextEdit)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(12);

    auto *workspaceBox = new QGroupBox(tr("Workspace"));
    auto *workspaceLayout = new QHBoxLayout(workspaceBox);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    workspaceLayout->addWidget(m_summary, 1);
    auto *newRegistry = new QPushButton(tr("New registry…"));
    auto *newDevice = new QPushButton(tr("New device…"));
    newRegistry->setIcon(style()->standardIcon(QStyle::SP_DirIcon));
    newDevice->setIcon(style()->standardIcon(QStyle::SP_ComputerIcon));
    workspaceLayout->addWidget(newRegistry, 0, Qt::AlignTop);
    workspaceLayout->addWidget(newDevice, 0, Qt::AlignTop);
    connect(newRegistry, &QPushButton::clicked, this, &OverviewPage::newRegistryRequested);
    connect(newDevice, &QPushButton::clicked, this, &OverviewPage::newDeviceRequested);
    layout->addWidget(workspaceBox);

    auto *listenersBox = new QGroupBox(tr("Embedded broker"));
    auto *listenersLayout = new QVBoxLayout(listenersBox);
    auto *view = new QTableView;
    m_listeners->setHorizontalHeaderLabels({tr("Listener"), tr("Address"), tr("Who logs in")});
    view->setModel(m_listeners);
    view->verticalHeader()->hide();
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->horizontalHeader()->setStretchLastSection(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    view->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Every listener stays in sight when the window is short: the shell examples give way.
    view->setMinimumHeight(view->horizontalHeader()->sizeHint().height()
                           + 3 * view->verticalHeader()->defaultSectionSize() + 2 * view->frameWidth());
    listenersLayout->addWidget(view);
    layout->addWidget(listenersBox);

    auto *commandsBox = new QGroupBox(tr("Try it from a shell"));
    auto *commandsLayout = new QVBoxLayout(commandsBox);
    m_commands->setReadOnly(true);
    m_commands->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_commands->setLineWrapMode(QPlainTextEdit::NoWrap);
    commandsLayout->addWidget(m_commands);
    layout->addWidget(commandsBox, 1);

    connect(&workspace, &app::Workspace::catalogChanged, this, &OverviewPage::refresh);
    connect(&workspace, &app::Workspace::pathChanged, this, &OverviewPage::refresh);
    refresh();
    view->resizeColumnsToContents();
}

void OverviewPage::refresh()
{
    const Catalog &catalog = m_workspace.catalog();
    std::size_t devices = 0;
    for (const Registry *registry : catalog.registries())
        devices += catalog.deviceCount(registry->id);
    m_summary->setText(tr("%1\nRegistries: %2 · devices: %3 · brokers: %4. Select one in the tree "
                          "on the left to see its details, credentials and connection log.")
                           .arg(m_workspace.path())
                           .arg(catalog.registries().size())
                           .arg(devices)
                           .arg(catalog.brokers().size()));

    m_listeners->removeRows(0, m_listeners->rowCount());
    std::uint16_t iotPort = 0;
    std::uint16_t openPort = 0;
    if (m_broker) {
        for (const BoundListener &listener : m_broker->listeners()) {
            const bool open = listener.spec.mode == ListenerInfo::Mode::Open;
            const QString who = open ? tr("anyone, any topic (standard MQTT 3.1.1): for tools such as MQTT Explorer")
                : listener.spec.tls ? tr("devices, registries and brokers: password or client certificate")
                                    : tr("devices, registries and brokers: id and password");
            m_listeners->appendRow({new QStandardItem(QString::fromStdString(listener.spec.name)),
                                    new QStandardItem(QString::fromStdString(listener.url())),
                                    new QStandardItem(who)});
            if (!listener.spec.tls)
                (open ? openPort : iotPort) = listener.port;
        }
    }

    QStringList lines;
    const std::vector<const Registry *> registries = catalog.registries();
    const Registry *registry = nullptr;
    const Device *device = nullptr;
    for (const Registry *candidate : registries) {
        const std::vector<const Device *> its = catalog.devices(candidate->id);
        if (!its.empty()) {
            registry = candidate;
            // The first in the tree, which lists devices by name.
            device = *std::min_element(its.begin(), its.end(), [](const Device *a, const Device *b) {
                return a->name < b->name;
            });
            break;
        }
    }
    if (registry && iotPort) {
        const QString port = QString::number(iotPort);
        const QString registryId = QString::fromStdString(registry->id);
        const QString deviceId = QString::fromStdString(device->id);
        lines << tr("# Registry %1 reads the events of all its devices:").arg(QString::fromStdString(registry->name))
              << QStringLiteral("mosquitto_sub -h 127.0.0.1 -p %1 -u %2 -P %3 -t '$devices/#' -v")
                     .arg(port, registryId,
                          passwordFor(registry->passwords, app::DemoWorkspace::RegistryPassword,
                                      QStringLiteral("REGISTRY_PASSWORD")))
              << QString()
              << tr("# Device %1 publishes an event:").arg(QString::fromStdString(device->name))
              << QStringLiteral("mosquitto_pub -h 127.0.0.1 -p %1 -u %2 -P %3 -t '$devices/%2/events' -m '{\"value\": 1}'")
                     .arg(port, deviceId,
                          passwordFor(device->passwords, app::DemoWorkspace::DevicePassword,
                                      QStringLiteral("DEVICE_PASSWORD")));
    }
    if (openPort) {
        if (!lines.isEmpty())
            lines << QString();
        lines << tr("# Everything the broker routes, IoT Core topics included, on the open listener:")
              << QStringLiteral("mosquitto_sub -h 127.0.0.1 -p %1 -t '#' -t '$devices/#' -t '$registries/#' -v")
                     .arg(openPort);
    }
    m_commands->setPlainText(lines.join(u'\n'));
}

QString OverviewPage::commandsText() const
{
    return m_commands->toPlainText();
}

} // namespace iotcore::ui
