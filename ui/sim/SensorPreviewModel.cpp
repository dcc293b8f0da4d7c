#include "SensorPreviewModel.h"

#include "DeviceStateModel.h"

#include "sim/Random.h"
#include "sim/SensorSet.h"

#include <algorithm>

namespace iotcore::ui {

SensorPreviewModel::SensorPreviewModel(QObject *parent) : QAbstractTableModel(parent) { }

void SensorPreviewModel::preview(std::shared_ptr<const sim::FleetModel> fleet, quint64 scenarioSeed)
{
    beginResetModel();
    m_sensors.reset();
    m_times.clear();
    m_rows.clear();
    if (fleet) {
        // The seed and name Simulation gives the fleet's first device.
        const QString device = fleet->fleet().deviceNameAt(0);
        m_sensors = fleet->sensorsShared();
        sim::SensorSet sensors(m_sensors, sim::sensorSeed(scenarioSeed, device, fleet->fleet().name), device);
        // One row per period, or rows spread evenly when the window holds more periods.
        const qint64 periodMs = std::max<qint64>(fleet->schedule().periodMs, 1);
        const qint64 stepMs = std::max<qint64>(periodMs, WindowMs / (MaxRows - 1));
        for (qint64 atMs = 0; atMs <= WindowMs && int(m_rows.size()) < MaxRows; atMs += stepMs) {
            sensors.sample(atMs);
            m_times.push_back(atMs);
            m_rows.push_back(sensors.values());
        }
    }
    endResetModel();
}

int SensorPreviewModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SensorPreviewModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_sensors ? 0 : m_sensors->size() + 1;
}

QVariant SensorPreviewModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role == Qt::TextAlignmentRole)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    const std::size_t row = std::size_t(index.row());
    if (index.column() == 0) {
        const qint64 ms = m_times[row];
        const QString clock = QStringLiteral("%1:%2").arg(ms / 60'000).arg(ms / 1000 % 60, 2, 10, QLatin1Char('0'));
        return ms % 1000 ? clock + QStringLiteral(".%1").arg(ms % 1000, 3, 10, QLatin1Char('0')) : clock;
    }
    const int sensor = index.column() - 1;
    // The value without its name: the column header carries it.
    const QString text = DeviceStateModel::valueText(*m_sensors, sensor, m_rows[row][std::size_t(sensor)]);
    return text.mid(m_sensors->name(sensor).size() + 1);
}

QVariant SensorPreviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    if (section == 0)
        return tr("Time");
    return m_sensors && section <= m_sensors->size() ? QVariant(m_sensors->name(section - 1)) : QVariant();
}

} // namespace iotcore::ui
