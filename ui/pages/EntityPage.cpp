#include "EntityPage.h"

#include "EntityLogModel.h"

#include "store/EntityLogStore.h"
#include "wizards/FieldMessage.h"
#include "wizards/LabelsText.h"
#include "workspace/CatalogEditor.h"
#include "workspace/EmbeddedBroker.h"
#include "workspace/EntityIcons.h"

#include <QDateTime>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <chrono>

namespace iotcore::ui {

using namespace iotcore::broker;

namespace {

constexpr std::size_t LogLines = 500;

QString shownTime(Timestamp time)
{
    if (time == Timestamp{})
        return EntityPage::tr("never");
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
    return QDateTime::fromMSecsSinceEpoch(ms.count(), Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
}

QLabel *valueLabel(const QString &text, bool wrap = false)
{
    auto *label = new QLabel(text);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(wrap);
    return label;
}

QPushButton *button(const QString &text, QStyle::StandardPixmap icon = QStyle::SP_CustomBase)
{
    auto *result = new QPushButton(text);
    if (icon != QStyle::SP_CustomBase)
        result->setIcon(result->style()->standardIcon(icon));
    return result;
}

} // namespace

EntityPage::EntityPage(const EntityRef &entity, CatalogEditor &editor, app::EmbeddedBroker *broker,
                       QWidget *parent)
    : QWidget(parent)
    , m_entity(entity)
    , m_editor(editor)
    , m_broker(broker)
    , m_title(new QLabel)
    , m_subtitle(new QLabel)
    , m_details(new QFormLayout)
    , m_credentials(new QStandardItemModel(0, 3, this))
    , m_removeCredential(button(tr("Remove"), QStyle::SP_TrashIcon))
    , m_log(new EntityLogModel(this))
{
    const bool device = entity.kind == EntityKind::Device;
    const bool registry = entity.kind == EntityKind::Registry;
    const QString id = QString::fromStdString(entity.id);

    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    outer->addWidget(scroll);
    auto *content = new QWidget;
    scroll->setWidget(content);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(12);

    // Header: icon, name, kind and id; the actions on the right.
    auto *header = new QHBoxLayout;
    auto *icon = new QLabel;
    icon->setPixmap(entityIcon(entity.kind).pixmap(40, 40));
    header->addWidget(icon);
    auto *titles = new QVBoxLayout;
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    big.setBold(true);
    m_title->setFont(big);
    m_subtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    titles->addWidget(m_title);
    titles->addWidget(m_subtitle);
    header->addLayout(titles, 1);
    auto *edit = button(tr("Edit…"), QStyle::SP_FileDialogDetailedView);
    connect(edit, &QPushButton::clicked, this, [this] { emit editRequested(m_entity.id); });
    header->addWidget(edit);
    if (registry) {
        auto *newDevice = button(tr("New device…"), QStyle::SP_FileDialogNewFolder);
        connect(newDevice, &QPushButton::clicked, this, [this, id] { emit newDeviceRequested(id); });
        header->addWidget(newDevice);
        m_status = button(tr("Disable"));
        connect(m_status, &QPushButton::clicked, this, &EntityPage::toggleRegistryStatus);
        header->addWidget(m_status);
    }
    if (device) {
        auto *bundle = button(tr("Connection bundle…"), QStyle::SP_DialogSaveButton);
        connect(bundle, &QPushButton::clicked, this, [this] { emit bundleRequested(m_entity.id); });
        header->addWidget(bundle);
    }
    auto *remove = button(tr("Delete"), QStyle::SP_TrashIcon);
    remove->setObjectName(QStringLiteral("delete"));
    connect(remove, &QPushButton::clicked, this, [this] { emit deleteRequested(m_entity.id); });
    header->addWidget(remove);
    layout->addLayout(header);

    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(12);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    auto *details = new QGroupBox(tr("Details"));
    details->setLayout(m_details);
    m_details->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    grid->addWidget(details, 0, 0);

    m_credentials->setHorizontalHeaderLabels({tr("Type"), tr("Fingerprint or id"), tr("Created")});
    QGroupBox *credentials = makeTable(tr("Credentials"), m_credentials, &m_credentialView);
    auto *credentialButtons = new QHBoxLayout;
    auto *add = button(tr("Add…"), QStyle::SP_FileDialogNewFolder);
    connect(add, &QPushButton::clicked, this, [this] { emit addCredentialRequested(m_entity.id); });
    connect(m_removeCredential, &QPushButton::clicked, this, &EntityPage::removeSelectedCredential);
    credentialButtons->addStretch();
    credentialButtons->addWidget(add);
    credentialButtons->addWidget(m_removeCredential);
    qobject_cast<QVBoxLayout *>(credentials->layout())->addLayout(credentialButtons);
    grid->addWidget(credentials, 0, 1);

    if (device) {
        auto *monitoring = new QGroupBox(tr("Monitoring"));
        m_monitoring = new QFormLayout(monitoring);
        grid->addWidget(monitoring, 1, 0);
        m_aliases = new QStandardItemModel(0, 2, this);
        m_aliases->setHorizontalHeaderLabels({tr("Alias"), tr("Topic")});
        QTableView *aliasView = nullptr;
        grid->addWidget(makeTable(tr("Topic aliases"), m_aliases, &aliasView), 1, 1);
        if (m_broker)
            connect(m_broker, &app::EmbeddedBroker::monitoringReady, this, &EntityPage::showMonitoring);
        showMonitoring(id, {});
    }
    if (registry) {
        m_devices = new QStandardItemModel(0, 3, this);
        m_devices->setHorizontalHeaderLabels({tr("Name"), tr("ID"), tr("Description")});
        QGroupBox *devices = makeTable(tr("Devices"), m_devices, &m_deviceView);
        connect(m_deviceView, &QTableView::activated, this, [this](const QModelIndex &index) {
            emit openRequested(EntityRef{EntityKind::Device,
                                         m_devices->item(index.row(), 1)->text().toStdString()});
        });
        grid->addWidget(devices, 1, 0, 1, 2);
    }
    layout->addLayout(grid);

    QGroupBox *log = makeTable(tr("Connection log"), nullptr, &m_logView);
    m_logView->setModel(m_log);
    m_logView->horizontalHeader()->setSectionResizeMode(EntityLogModel::TimeColumn, QHeaderView::ResizeToContents);
    m_logView->horizontalHeader()->setSectionResizeMode(EntityLogModel::LevelColumn, QHeaderView::ResizeToContents);
    m_logView->setSizeAdjustPolicy(QAbstractScrollArea::AdjustIgnored);
    m_logView->setMinimumHeight(200);
    layout->addWidget(log, 1);

    connect(&editor.workspace(), &app::Workspace::catalogChanged, this, &EntityPage::refresh);
    connect(&m_activity, &QTimer::timeout, this, [this] {
        if (isVisible())
            refreshActivity();
    });
    m_activity.start(2000);
    refresh();
}

QGroupBox *EntityPage::makeTable(const QString &title, QStandardItemModel *model, QTableView **view)
{
    auto *box = new QGroupBox(title);
    auto *layout = new QVBoxLayout(box);
    *view = new QTableView;
    if (model)
        (*view)->setModel(model);
    (*view)->setSelectionBehavior(QAbstractItemView::SelectRows);
    (*view)->setEditTriggers(QAbstractItemView::NoEditTriggers);
    (*view)->setAlternatingRowColors(true);
    (*view)->verticalHeader()->hide();
    (*view)->horizontalHeader()->setStretchLastSection(true);
    // Small tables take the room their rows need; the connection log takes the rest.
    (*view)->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    (*view)->setMinimumHeight((*view)->verticalHeader()->defaultSectionSize() * 3);
    layout->addWidget(*view);
    return box;
}

QString EntityPage::title() const
{
    return m_title->text();
}

void EntityPage::refresh()
{
    const Catalog &catalog = m_editor.catalog();
    const QString id = QString::fromStdString(m_entity.id);
    const char *kind = entityKindName(m_entity.kind);
    QString name;
    if (const Registry *registry = catalog.registry(m_entity.id)) {
        name = QString::fromStdString(registry->name);
        fillCredentials(registry->certificates, registry->passwords);
        const bool disabled = registry->status == RegistryStatus::Disabled;
        m_status->setText(disabled ? tr("Enable") : tr("Disable"));
        m_devices->removeRows(0, m_devices->rowCount());
        std::vector<const Device *> devices = catalog.devices(registry->id);
        std::sort(devices.begin(), devices.end(),
                  [](const Device *a, const Device *b) { return a->name < b->name; }); // as the tree
        for (const Device *device : devices) {
            m_devices->appendRow({new QStandardItem(entityIcon(EntityKind::Device),
                                                    QString::fromStdString(device->name)),
                                  new QStandardItem(QString::fromStdString(device->id)),
                                  new QStandardItem(QString::fromStdString(device->description))});
        }
        m_deviceView->resizeColumnToContents(0);
        m_deviceView->resizeColumnToContents(1);
    } else if (const Device *device = catalog.device(m_entity.id)) {
        name = QString::fromStdString(device->name);
        fillCredentials(device->certificates, device->passwords);
        m_aliases->removeRows(0, m_aliases->rowCount());
        for (const auto &[alias, target] : device->topicAliases)
            m_aliases->appendRow({new QStandardItem(QString::fromStdString(alias)),
                                  new QStandardItem(QString::fromStdString(target))});
    } else if (const IotBroker *broker = catalog.broker(m_entity.id)) {
        name = QString::fromStdString(broker->name);
        fillCredentials(broker->certificates, broker->passwords);
    } else {
        emit gone();
        return;
    }
    m_title->setText(name);
    m_subtitle->setText(tr("%1 · %2").arg(QLatin1String(kind), id));
    fillDetails();
}

void EntityPage::fillDetails()
{
    while (m_details->rowCount() > 0)
        m_details->removeRow(0);
    const Catalog &catalog = m_editor.catalog();
    auto row = [this](const QString &field, const QString &value, bool wrap = false) {
        QLabel *shown = valueLabel(value.isEmpty() ? tr("none") : value, wrap);
        shown->setObjectName(field);
        m_details->addRow(field + u':', shown);
    };
    auto common = [&](const auto &entity) {
        row(tr("ID"), QString::fromStdString(entity.id));
        row(tr("Name"), QString::fromStdString(entity.name));
        row(tr("Description"), QString::fromStdString(entity.description), true);
        row(tr("Labels"), formatLabels(entity.labels));
        row(tr("Created"), shownTime(entity.createdAt));
    };
    if (const Registry *registry = catalog.registry(m_entity.id)) {
        common(*registry);
        row(tr("Status"), QLatin1String(registryStatusName(registry->status)));
        row(tr("Devices"), QString::number(catalog.deviceCount(registry->id)));
    } else if (const Device *device = catalog.device(m_entity.id)) {
        common(*device);
        const Registry *owner = catalog.registry(device->registryId);
        row(tr("Registry"), owner ? QStringLiteral("%1 (%2)").arg(QString::fromStdString(owner->name),
                                                                  QString::fromStdString(owner->id))
                                  : QString::fromStdString(device->registryId));
    } else if (const IotBroker *broker = catalog.broker(m_entity.id)) {
        common(*broker);
    }
}

QString EntityPage::detail(const QString &field) const
{
    const auto *label = findChild<QLabel *>(field);
    return label ? label->text() : QString();
}

void EntityPage::fillCredentials(const std::vector<Certificate> &certificates,
                                 const std::vector<PasswordRecord> &passwords)
{
    m_credentials->removeRows(0, m_credentials->rowCount());
    for (const Certificate &certificate : certificates) {
        auto *type = new QStandardItem(tr("Certificate"));
        type->setData(QStringLiteral("certificate"), Qt::UserRole);
        m_credentials->appendRow({type, new QStandardItem(QString::fromStdString(certificate.fingerprint)),
                                  new QStandardItem(shownTime(certificate.createdAt))});
    }
    for (const PasswordRecord &password : passwords) {
        auto *type = new QStandardItem(tr("Password"));
        type->setData(QStringLiteral("password"), Qt::UserRole);
        m_credentials->appendRow({type, new QStandardItem(QString::fromStdString(password.id)),
                                  new QStandardItem(shownTime(password.createdAt))});
    }
    m_credentialView->resizeColumnToContents(0);
    m_credentialView->resizeColumnToContents(1);
    m_removeCredential->setEnabled(m_credentials->rowCount() > 0);
}

void EntityPage::removeSelectedCredential()
{
    const QModelIndexList rows = m_credentialView->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const int row = rows.first().row();
    const bool certificate = m_credentials->item(row, 0)->data(Qt::UserRole).toString()
        == QLatin1String("certificate");
    const std::string key = m_credentials->item(row, 1)->text().toStdString();
    const std::string id = m_entity.id;
    QString error;
    const bool removed = m_editor.apply(
        certificate ? tr("Remove certificate %1").arg(QString::fromStdString(key))
                    : tr("Remove password %1").arg(QString::fromStdString(key)),
        [=](Catalog &catalog) {
            return certificate ? catalog.removeCertificate(id, key).error
                               : catalog.removePassword(id, key).error;
        },
        &error);
    if (!removed)
        QMessageBox::warning(this, tr("Remove credential"), sentence(error.toStdString()));
}

void EntityPage::toggleRegistryStatus()
{
    const Registry *registry = m_editor.catalog().registry(m_entity.id);
    if (!registry)
        return;
    const RegistryStatus next = registry->status == RegistryStatus::Active ? RegistryStatus::Disabled
                                                                           : RegistryStatus::Active;
    const std::string id = m_entity.id;
    QString error;
    const QString name = QString::fromStdString(registry->name);
    if (!m_editor.apply(next == RegistryStatus::Disabled ? tr("Disable registry %1").arg(name)
                                                         : tr("Enable registry %1").arg(name),
                        [=](Catalog &catalog) { return catalog.setRegistryStatus(id, next).error; },
                        &error))
        QMessageBox::warning(this, tr("Registry status"), sentence(error.toStdString()));
}

void EntityPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refreshActivity();
}

void EntityPage::refreshActivity()
{
    if (m_entity.kind == EntityKind::Device && m_broker)
        m_broker->requestMonitoring(QString::fromStdString(m_entity.id));
    EntityLogStore::Query query;
    query.ownerKind = entityKindName(m_entity.kind);
    query.ownerId = m_entity.id;
    query.limit = LogLines;
    std::string error;
    std::optional<std::vector<EntityLogLine>> lines
        = EntityLogStore::read(m_editor.workspace().path(), query, &error);
    if (lines)
        m_log->setLines(std::move(*lines));
}

void EntityPage::showMonitoring(const QString &deviceId, const IotAuthenticator::Monitoring &monitoring)
{
    if (!m_monitoring || deviceId.toStdString() != m_entity.id)
        return;
    while (m_monitoring->rowCount() > 0)
        m_monitoring->removeRow(0);
    auto row = [this](const QString &field, const QString &value) {
        QLabel *shown = valueLabel(value);
        shown->setObjectName(field);
        m_monitoring->addRow(field + u':', shown);
    };
    row(tr("Last login"), shownTime(monitoring.lastAuth));
    row(tr("Last login from"), monitoring.lastAuthIp.empty() ? tr("none")
                                                             : QString::fromStdString(monitoring.lastAuthIp));
    row(tr("Last publish"), shownTime(monitoring.lastPublish));
    row(tr("Last subscribe"), shownTime(monitoring.lastSubscribe));
    row(tr("Last online"), shownTime(monitoring.lastOnline));
    row(tr("Last disconnect"), shownTime(monitoring.lastDisconnect));
}

} // namespace iotcore::ui
