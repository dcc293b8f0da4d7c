#include "SubscriptionListModel.h"

#include "PayloadPreview.h"

#include "client/MqttMessage.h"
#include "client/MqttSubscription.h"

#include <QColor>
#include <QLocale>

namespace iotcore::ui {

using app::MqttMessage;
using app::MqttSubscription;

namespace {

constexpr int RepaintIntervalMs = 100;

} // namespace

SubscriptionListModel::SubscriptionListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_repaint.setSingleShot(true);
    m_repaint.setInterval(RepaintIntervalMs);
    connect(&m_repaint, &QTimer::timeout, this, &SubscriptionListModel::repaintCounts);
}

int SubscriptionListModel::find(const ConsoleIdentity &identity, const QString &filter) const
{
    for (std::size_t row = 0; row < m_entries.size(); ++row) {
        if (m_entries[row].identity == identity && m_entries[row].filter == filter)
            return int(row);
    }
    return -1;
}

int SubscriptionListModel::add(const ConsoleIdentity &identity, const QString &filter,
                               const FilterNarrowing &narrowing, MqttSubscription *subscription)
{
    if (const int row = find(identity, filter); row >= 0) {
        m_entries[std::size_t(row)].narrowing = narrowing;
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return row;
    }
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_entries.push_back({identity, filter, narrowing, subscription, {}, 0, {}, {}, {}});
    endInsertRows();
    follow(subscription);
    return row;
}

void SubscriptionListModel::follow(MqttSubscription *subscription)
{
    const auto changed = [this, subscription] { refreshStates(subscription); };
    connect(subscription, &MqttSubscription::stateChanged, this, changed);
    connect(subscription, &MqttSubscription::qosChanged, this, changed);
    connect(subscription, &MqttSubscription::messageReceived, this,
            [this, subscription](const MqttMessage &message) { received(subscription, message); });
}

void SubscriptionListModel::remove(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    if (MqttSubscription *subscription = m_entries[std::size_t(row)].subscription)
        subscription->disconnect(this);
    beginRemoveRows({}, row, row);
    m_entries.erase(m_entries.begin() + row);
    endRemoveRows();
}

void SubscriptionListModel::setConnectionError(const ConsoleIdentity &identity,
                                               const QString &reason)
{
    for (std::size_t row = 0; row < m_entries.size(); ++row) {
        if (m_entries[row].identity == identity && m_entries[row].connectionError != reason) {
            m_entries[row].connectionError = reason;
            emit dataChanged(index(int(row), StateColumn), index(int(row), IotCoreColumn));
        }
    }
}

void SubscriptionListModel::received(MqttSubscription *subscription, const MqttMessage &message)
{
    for (Entry &entry : m_entries) {
        if (entry.subscription != subscription)
            continue;
        ++entry.received;
        entry.lastTopic = message.topic();
        entry.lastPayload = message.payload();
        entry.lastTime = QDateTime::currentDateTime();
    }
    if (!m_repaint.isActive())
        m_repaint.start();
}

void SubscriptionListModel::refreshStates(MqttSubscription *subscription)
{
    for (std::size_t row = 0; row < m_entries.size(); ++row) {
        if (m_entries[row].subscription == subscription)
            emit dataChanged(index(int(row), StateColumn), index(int(row), IotCoreColumn));
    }
}

void SubscriptionListModel::repaintCounts()
{
    if (!m_entries.empty())
        emit dataChanged(index(0, MessagesColumn), index(rowCount() - 1, LastMessageColumn));
}

int SubscriptionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int SubscriptionListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool SubscriptionListModel::isRefused(const Entry &entry) const
{
    return entry.subscription && entry.subscription->state() == MqttSubscription::State::Error;
}

QString SubscriptionListModel::stateText(const Entry &entry) const
{
    if (!entry.connectionError.isEmpty())
        return tr("not connected");
    if (!entry.subscription)
        return tr("gone");
    switch (entry.subscription->state()) {
    case MqttSubscription::State::SubscriptionPending:
        return tr("waiting for SUBACK");
    case MqttSubscription::State::Subscribed:
        return tr("granted QoS %1").arg(entry.subscription->qos());
    case MqttSubscription::State::Error:
        return tr("refused (SUBACK 0x80)");
    case MqttSubscription::State::UnsubscriptionPending:
        return tr("unsubscribing");
    case MqttSubscription::State::Unsubscribed:
        return tr("not subscribed");
    }
    return {};
}

QString SubscriptionListModel::iotCoreText(const Entry &entry) const
{
    if (!entry.connectionError.isEmpty())
        return entry.connectionError;
    if (isRefused(entry)) {
        // The broker refused what the policy allows only when the catalog changed in between.
        return entry.narrowing.allowed ? tr("Refused by the broker.") : entry.narrowing.refusal;
    }
    if (entry.identity.isOpen())
        return tr("open mode: all of MQTT 3.1.1");
    return entry.narrowing.summary();
}

QVariant SubscriptionListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Entry &entry = m_entries[std::size_t(index.row())];
    const int column = index.column();
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (column) {
        case IdentityColumn:
            return role == Qt::ToolTipRole && !entry.identity.isOpen()
                       ? QVariant(entry.identity.id) : QVariant(entry.identity.label);
        case FilterColumn:
            return entry.filter;
        case StateColumn:
            return stateText(entry);
        case IotCoreColumn:
            return iotCoreText(entry);
        case MessagesColumn:
            return QLocale().toString(entry.received);
        case LastMessageColumn:
            if (entry.received == 0)
                return QVariant();
            return role == Qt::ToolTipRole
                       ? entry.lastTopic + u'\n' + entry.lastTime.toString(Qt::ISODateWithMs)
                       : entry.lastTopic + QStringLiteral("  ") + payloadPreview(entry.lastPayload);
        }
    }
    if (role == Qt::ForegroundRole && (column == StateColumn || column == IotCoreColumn)
        && (isRefused(entry) || !entry.connectionError.isEmpty()))
        return QColor(0xc0, 0x1c, 0x28);
    if (role == Qt::TextAlignmentRole && column == MessagesColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant SubscriptionListModel::headerData(int section, Qt::Orientation orientation,
                                           int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdentityColumn: return tr("Acting as");
    case FilterColumn: return tr("Filter");
    case StateColumn: return tr("State");
    case IotCoreColumn: return tr("IoT Core");
    case MessagesColumn: return tr("Messages");
    case LastMessageColumn: return tr("Last message");
    }
    return {};
}

} // namespace iotcore::ui
