#include "KeptMessagesView.h"

#include "PayloadPreview.h"

#include "core/Broker.h"
#include "iot/Catalog.h"
#include "net/BrokerServer.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <unordered_map>

namespace iotcore::ui {

namespace {

constexpr int PollIntervalMs = 2000;

// Who owns the kept slots under each prefix: "$devices/<id>/" → "device boiler".
using Owners = std::unordered_map<std::string, QString>;

Owners ownersOf(const broker::Catalog &catalog, const std::string &registryId)
{
    Owners owners;
    const broker::Registry *registry = catalog.registry(registryId);
    if (!registry)
        return owners;
    owners.emplace("$registries/" + registryId + "/",
                   QCoreApplication::translate("KeptMessagesView", "registry %1")
                       .arg(QString::fromStdString(registry->name)));
    for (const broker::Device *device : catalog.devices(registryId)) {
        owners.emplace("$devices/" + device->id + "/",
                       QCoreApplication::translate("KeptMessagesView", "device %1")
                           .arg(QString::fromStdString(device->name)));
    }
    return owners;
}

// The owner of a kept topic ("$devices/<id>/state/…"): its first two levels.
const QString *ownerOf(const Owners &owners, const std::string &topic)
{
    const std::size_t first = topic.find('/');
    const std::size_t second = first == std::string::npos ? first : topic.find('/', first + 1);
    if (second == std::string::npos)
        return nullptr;
    const auto found = owners.find(topic.substr(0, second + 1));
    return found == owners.end() ? nullptr : &found->second;
}

} // namespace

void KeptMessagesModel::setMessages(std::vector<Kept> messages)
{
    std::sort(messages.begin(), messages.end(),
              [](const Kept &a, const Kept &b) { return a.topic < b.topic; });
    // Merged row by row rather than reset, so that a refresh keeps the user's selection.
    std::size_t row = 0;
    std::size_t next = 0;
    while (row < m_messages.size() || next < messages.size()) {
        const bool gone = next == messages.size()
            || (row < m_messages.size() && m_messages[row].topic < messages[next].topic);
        if (gone) {
            beginRemoveRows({}, int(row), int(row));
            m_messages.erase(m_messages.begin() + std::ptrdiff_t(row));
            endRemoveRows();
            continue;
        }
        if (row == m_messages.size() || messages[next].topic < m_messages[row].topic) {
            beginInsertRows({}, int(row), int(row));
            m_messages.insert(m_messages.begin() + std::ptrdiff_t(row), std::move(messages[next]));
            endInsertRows();
        } else if (m_messages[row].payload != messages[next].payload
                   || m_messages[row].owner != messages[next].owner) {
            m_messages[row] = std::move(messages[next]);
            emit dataChanged(index(int(row), 0), index(int(row), ColumnCount - 1));
        }
        ++row;
        ++next;
    }
}

int KeptMessagesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_messages.size());
}

int KeptMessagesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant KeptMessagesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Kept &kept = m_messages[std::size_t(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TopicColumn: return kept.topic;
        case OwnerColumn: return kept.owner;
        case SizeColumn: return QLocale().formattedDataSize(kept.payload.size());
        case PayloadColumn: return payloadPreview(kept.payload);
        }
    }
    if (role == Qt::ToolTipRole && index.column() == PayloadColumn)
        return QString::fromUtf8(kept.payload);
    if (role == Qt::TextAlignmentRole && index.column() == SizeColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant KeptMessagesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TopicColumn: return tr("Topic");
    case OwnerColumn: return tr("Owner");
    case SizeColumn: return tr("Size");
    case PayloadColumn: return tr("Kept payload");
    }
    return {};
}

KeptMessagesView::KeptMessagesView(broker::BrokerServer &server, CatalogLookup catalog,
                                   QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_catalog(std::move(catalog))
    , m_registry(new QComboBox(this))
    , m_summary(new QLabel(this))
    , m_table(new QTableView(this))
    , m_refresh(new QPushButton(tr("Refresh"), this))
    , m_clear(new QPushButton(tr("Clear Selected"), this))
    , m_model(new KeptMessagesModel(this))
{
    m_registry->setObjectName(QStringLiteral("registry"));
    m_registry->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_summary->setObjectName(QStringLiteral("summary"));
    m_refresh->setObjectName(QStringLiteral("refresh"));
    m_clear->setObjectName(QStringLiteral("clear"));
    m_clear->setEnabled(false);
    m_clear->setToolTip(tr("Empties the slot: devices that subscribe later get nothing there "
                           "until the next message."));
    m_table->setObjectName(QStringLiteral("kept"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(KeptMessagesModel::TopicColumn, 380);
    m_table->setColumnWidth(KeptMessagesModel::OwnerColumn, 170);
    m_table->setColumnWidth(KeptMessagesModel::SizeColumn, 90);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Registry:"), this));
    top->addWidget(m_registry);
    top->addSpacing(12);
    top->addWidget(m_summary, 1);
    top->addWidget(m_refresh);

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_clear);
    bottom->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
    layout->addLayout(bottom);

    m_poll.setInterval(PollIntervalMs);
    connect(&m_poll, &QTimer::timeout, this, &KeptMessagesView::refresh);
    connect(m_registry, &QComboBox::currentIndexChanged, this, &KeptMessagesView::refresh);
    connect(m_refresh, &QPushButton::clicked, this, &KeptMessagesView::refresh);
    connect(m_clear, &QPushButton::clicked, this, &KeptMessagesView::clearSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        m_clear->setEnabled(m_table->selectionModel()->hasSelection());
    });
    connect(this, &KeptMessagesView::refreshed, this, [this] {
        m_summary->setText(tr("Kept messages in the state and config topics of the registry and "
                              "its devices: %1.").arg(m_model->rowCount()));
    });
    refreshRegistries();
}

void KeptMessagesView::refreshRegistries()
{
    const QString chosen = m_registry->currentData().toString();
    {
        const QSignalBlocker quiet(m_registry);
        m_registry->clear();
        for (const broker::Registry *registry : m_catalog().registries())
            m_registry->addItem(QString::fromStdString(registry->name),
                                QString::fromStdString(registry->id));
        m_registry->setCurrentIndex(std::max(0, m_registry->findData(chosen)));
    }
    refresh();
}

bool KeptMessagesView::setRegistry(const QString &id)
{
    const int index = m_registry->findData(id);
    if (index < 0)
        return false;
    m_registry->setCurrentIndex(index);
    return true;
}

void KeptMessagesView::refresh()
{
    if (!m_server.isRunning())
        return;
    Owners owners = ownersOf(m_catalog(), m_registry->currentData().toString().toStdString());
    // The answer comes back through the application object, which outlives every view; the
    // guard is only read on the GUI thread.
    QPointer<KeptMessagesView> guard(this);
    m_server.post([guard, owners = std::move(owners)](broker::Broker &broker) {
        std::vector<KeptMessagesModel::Kept> kept;
        broker.permanentTopics().forEach([&](const broker::MessagePtr &message) {
            if (const QString *owner = ownerOf(owners, message->topic))
                kept.push_back({QString::fromStdString(message->topic), *owner,
                                QByteArray::fromStdString(message->payload)});
        });
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [guard, kept = std::move(kept)]() mutable {
                if (!guard)
                    return;
                guard->m_model->setMessages(std::move(kept));
                emit guard->refreshed();
            },
            Qt::QueuedConnection);
    });
}

void KeptMessagesView::clearSelected()
{
    std::vector<std::string> topics;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        topics.push_back(m_model->at(index.row()).topic.toStdString());
    if (topics.empty())
        return;
    m_server.post([topics = std::move(topics)](broker::Broker &broker) {
        for (const std::string &topic : topics)
            broker.clearPermanentTopic(topic);
    });
    refresh(); // posted after the clear, so it reads what the clear left
}

void KeptMessagesView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_poll.start();
}

void KeptMessagesView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_poll.stop();
}

} // namespace iotcore::ui
