#include "SubscriptionPanel.h"

#include "FilterNarrowing.h"
#include "SubscriptionListModel.h"

#include "client/MqttClient.h"
#include "mqtt/Topic.h"
#include "wizards/FieldMessage.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace iotcore::ui {

using app::MqttClient;

SubscriptionPanel::SubscriptionPanel(broker::BrokerServer &server,
                                     IdentityConnections::Listeners listeners,
                                     CatalogLookup catalog, QWidget *parent)
    : QWidget(parent)
    , m_connections(server, std::move(listeners), QStringLiteral("console-subscriptions"))
    , m_catalog(std::move(catalog))
    , m_identity(new QComboBox(this))
    , m_filter(new QLineEdit(this))
    , m_filterMessage(new FieldMessage(this))
    , m_qos(new QComboBox(this))
    , m_subscribe(new QPushButton(tr("Subscribe"), this))
    , m_unsubscribe(new QPushButton(tr("Unsubscribe"), this))
    , m_table(new QTableView(this))
    , m_model(new SubscriptionListModel(this))
{
    m_identity->setObjectName(QStringLiteral("identity"));
    m_identity->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_filter->setObjectName(QStringLiteral("filter"));
    m_filter->setPlaceholderText(QStringLiteral("$devices/#"));
    m_filter->setClearButtonEnabled(true);
    m_filterMessage->setObjectName(QStringLiteral("filterMessage"));
    m_qos->setObjectName(QStringLiteral("qos"));
    m_qos->addItem(tr("QoS 0"), 0);
    m_qos->addItem(tr("QoS 1"), 1);
    m_qos->addItem(tr("QoS 2"), 2);
    m_qos->setCurrentIndex(1);
    m_qos->setToolTip(tr("IoT Core identities are granted QoS 1 at most."));
    m_subscribe->setObjectName(QStringLiteral("subscribe"));
    m_subscribe->setDefault(true);
    m_unsubscribe->setObjectName(QStringLiteral("unsubscribe"));
    m_unsubscribe->setEnabled(false);

    m_table->setObjectName(QStringLiteral("subscriptions"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    // The IoT Core column says why a filter was refused: it takes the room left and wraps, so
    // that the reason is read whole.
    m_table->setWordWrap(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(SubscriptionListModel::IotCoreColumn, QHeaderView::Stretch);
    m_table->setColumnWidth(SubscriptionListModel::IdentityColumn, 190);
    m_table->setColumnWidth(SubscriptionListModel::FilterColumn, 190);
    m_table->setColumnWidth(SubscriptionListModel::StateColumn, 150);
    m_table->setColumnWidth(SubscriptionListModel::MessagesColumn, 80);
    m_table->setColumnWidth(SubscriptionListModel::LastMessageColumn, 200);

    auto *form = new QGridLayout;
    form->addWidget(new QLabel(tr("Act as:"), this), 0, 0);
    form->addWidget(m_identity, 0, 1, 1, 3);
    form->addWidget(new QLabel(tr("Filter:"), this), 1, 0);
    form->addWidget(m_filter, 1, 1);
    form->addWidget(m_qos, 1, 2);
    form->addWidget(m_subscribe, 1, 3);
    form->addWidget(m_filterMessage, 2, 1, 1, 3);
    form->setColumnStretch(1, 1);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_unsubscribe);
    buttons->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);

    connect(m_identity, &QComboBox::currentIndexChanged, this, &SubscriptionPanel::checkFilter);
    connect(m_filter, &QLineEdit::textChanged, this, &SubscriptionPanel::checkFilter);
    connect(m_filter, &QLineEdit::returnPressed, this, &SubscriptionPanel::subscribe);
    connect(m_subscribe, &QPushButton::clicked, this, &SubscriptionPanel::subscribe);
    connect(m_unsubscribe, &QPushButton::clicked, this, &SubscriptionPanel::unsubscribeSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        m_unsubscribe->setEnabled(m_table->selectionModel()->hasSelection());
    });
    refreshIdentities();
}

void SubscriptionPanel::refreshIdentities()
{
    const ConsoleIdentity chosen = chosenIdentity();
    m_identities = ConsoleIdentity::allOf(m_catalog());
    const QSignalBlocker quiet(m_identity);
    m_identity->clear();
    for (const ConsoleIdentity &identity : std::as_const(m_identities))
        m_identity->addItem(identity.label, identity.id);
    m_identity->setCurrentIndex(std::max<qsizetype>(0, m_identities.indexOf(chosen)));
    checkFilter();
}

bool SubscriptionPanel::setIdentity(const QString &id)
{
    for (qsizetype i = 0; i < m_identities.size(); ++i) {
        if (m_identities[i].id == id) {
            m_identity->setCurrentIndex(int(i));
            return true;
        }
    }
    return false;
}

ConsoleIdentity SubscriptionPanel::chosenIdentity() const
{
    const int index = m_identity->currentIndex();
    return index >= 0 && index < m_identities.size() ? m_identities[index] : ConsoleIdentity::open();
}

void SubscriptionPanel::checkFilter()
{
    const QString filter = m_filter->text();
    if (filter.isEmpty()) {
        m_filterMessage->setError({});
        m_filterMessage->setHint(tr("A topic filter: levels separated by /, + for one level, # "
                                    "for the rest."));
        m_subscribe->setEnabled(false);
        return;
    }
    const FilterNarrowing narrowing = FilterNarrowing::of(m_catalog(), chosenIdentity(), filter);
    const bool malformed = !narrowing.allowed && !broker::isValidTopicFilter(filter.toStdString());
    m_subscribe->setEnabled(!malformed);
    if (malformed) {
        m_filterMessage->setError(narrowing.refusal);
        return;
    }
    m_filterMessage->setError({});
    if (chosenIdentity().isOpen())
        m_filterMessage->setHint(tr("Open mode: the filter as it is, all of MQTT 3.1.1."));
    else if (narrowing.allowed)
        m_filterMessage->setHint(tr("IoT Core: %1.").arg(narrowing.summary()));
    else
        m_filterMessage->setHint(tr("IoT Core will refuse it: %1").arg(narrowing.refusal));
}

void SubscriptionPanel::subscribe()
{
    const QString filter = m_filter->text();
    const ConsoleIdentity identity = chosenIdentity();
    if (!broker::isValidTopicFilter(filter.toStdString()))
        return;
    const FilterNarrowing narrowing = FilterNarrowing::of(m_catalog(), identity, filter);
    MqttClient &client = m_connections.clientFor(identity);
    app::MqttSubscription *subscription = client.subscribe(filter, quint8(m_qos->currentData().toUInt()));
    watchConnection(identity);
    const int row = m_model->add(identity, filter, narrowing, subscription);
    m_table->selectRow(row);
}

void SubscriptionPanel::subscribeTo(const QString &filter, int qos)
{
    m_filter->setText(filter);
    m_qos->setCurrentIndex(m_qos->findData(qos));
    subscribe();
}

void SubscriptionPanel::watchConnection(const ConsoleIdentity &identity)
{
    if (m_watched.contains(identity.id))
        return;
    m_watched.insert(identity.id);
    MqttClient &client = m_connections.clientFor(identity);
    connect(&client, &MqttClient::disconnected, this, [this, identity](const QString &reason) {
        m_model->setConnectionError(identity, reason);
    });
    connect(&client, &MqttClient::connected, this,
            [this, identity] { m_model->setConnectionError(identity, {}); });
}

void SubscriptionPanel::unsubscribeSelected()
{
    QList<int> rows;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        rows.append(index.row());
    std::sort(rows.begin(), rows.end(), std::greater<>());
    for (const int row : std::as_const(rows)) {
        const SubscriptionListModel::Entry &entry = m_model->entry(row);
        if (MqttClient *client = m_connections.existingClient(entry.identity))
            client->unsubscribe(entry.filter);
        m_model->remove(row);
    }
}

} // namespace iotcore::ui
