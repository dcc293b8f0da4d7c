#include "FleetTableModel.h"

#include "sim/Duration.h"
#include "sim/FleetModel.h"

namespace iotcore::ui {

FleetTableModel::FleetTableModel(QObject *parent) : QAbstractTableModel(parent) { }

void FleetTableModel::setFleets(std::vector<sim::Fleet> fleets)
{
    beginResetModel();
    m_fleets = std::move(fleets);
    endResetModel();
}

int FleetTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_fleets.size());
}

int FleetTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const sim::Fleet &fleet = m_fleets[std::size_t(index.row())];
    if (role == Qt::TextAlignmentRole && (index.column() == PeriodColumn || index.column() == QosColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return fleet.name;
    case TemplateColumn:
        return fleet.templateName.isEmpty() ? tr("own sensors") : fleet.templateName;
    case DevicesColumn:
        return fleet.count == 1 ? fleet.deviceNameAt(0)
                                : tr("%1 (%2 … %3)").arg(fleet.count).arg(fleet.deviceNameAt(0), fleet.deviceNameAt(fleet.count - 1));
    case IdentityColumn:
        switch (fleet.identity.kind) {
        case sim::Identity::Kind::Device:
            return tr("registry %1").arg(fleet.identity.registry);
        case sim::Identity::Kind::Broker:
            return tr("broker %1").arg(fleet.identity.broker);
        case sim::Identity::Kind::Anonymous:
            return fleet.identity.username.isEmpty() ? tr("anonymous") : tr("user %1").arg(fleet.identity.username);
        }
        break;
    case PeriodColumn:
        return sim::formatDurationMs(sim::FleetModel::periodMs(fleet));
    case QosColumn:
        return fleet.qos;
    }
    return {};
}

QVariant FleetTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Fleet");
    case TemplateColumn:
        return tr("Template");
    case DevicesColumn:
        return tr("Devices");
    case IdentityColumn:
        return tr("Identity");
    case PeriodColumn:
        return tr("Period");
    case QosColumn:
        return tr("QoS");
    }
    return {};
}

} // namespace iotcore::ui
