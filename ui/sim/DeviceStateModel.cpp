#include "DeviceStateModel.h"

#include <QColor>
#include <QLocale>

namespace iotcore::ui {

DeviceStateModel::DeviceStateModel(QObject *parent) : QAbstractTableModel(parent) { }

void DeviceStateModel::setDevices(std::vector<sim::DeviceSnapshot> devices)
{
    if (sameDevices(devices)) {
        m_devices = std::move(devices);
        if (!m_devices.empty())
            emit dataChanged(index(0, ConnectionColumn), index(rowCount() - 1, ValuesColumn));
        return;
    }
    beginResetModel();
    m_devices = std::move(devices);
    endResetModel();
}

void DeviceStateModel::clear()
{
    setDevices({});
}

bool DeviceStateModel::sameDevices(const std::vector<sim::DeviceSnapshot> &devices) const
{
    return std::equal(m_devices.begin(), m_devices.end(), devices.begin(), devices.end(),
                      [](const sim::DeviceSnapshot &a, const sim::DeviceSnapshot &b) {
                          return a.name == b.name && a.fleet == b.fleet;
                      });
}

int DeviceStateModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_devices.size());
}

int DeviceStateModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString DeviceStateModel::valueText(const sim::SensorSetModel &sensors, int index, const sim::SensorValue &value)
{
    QString text;
    if (const double *number = std::get_if<double>(&value)) {
        const int decimals = sensors.decimals(index);
        text = decimals >= 0 ? QString::number(*number, 'f', decimals) : QString::number(*number, 'g', 6);
    } else if (const bool *flag = std::get_if<bool>(&value)) {
        text = *flag ? tr("yes") : tr("no");
    } else if (const QString *word = std::get_if<QString>(&value)) {
        text = *word;
    } else {
        const sim::GeoPoint &point = std::get<sim::GeoPoint>(value);
        text = QStringLiteral("%1, %2").arg(point.latitude, 0, 'f', 5).arg(point.longitude, 0, 'f', 5);
    }
    const QString &unit = sensors.unit(index);
    return unit.isEmpty() ? QStringLiteral("%1 %2").arg(sensors.name(index), text)
                          : QStringLiteral("%1 %2 %3").arg(sensors.name(index), text, unit);
}

QString DeviceStateModel::connectionText(const sim::DeviceSnapshot &device) const
{
    QString text = device.connected ? tr("connected") : tr("disconnected");
    for (sim::TimelineEvent::Fault fault : device.faults)
        text += QStringLiteral(" · ") + QLatin1String(sim::faultName(fault));
    return text;
}

QString DeviceStateModel::valuesText(const sim::DeviceSnapshot &device, const QString &separator) const
{
    QStringList values;
    for (int i = 0; device.sensors && i < device.sensors->size() && i < int(device.values.size()); ++i)
        values << valueText(*device.sensors, i, device.values[std::size_t(i)]);
    return values.join(separator);
}

QVariant DeviceStateModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const sim::DeviceSnapshot &device = m_devices[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case DeviceColumn:
            return device.name;
        case FleetColumn:
            return device.fleet;
        case ConnectionColumn:
            return connectionText(device);
        case SentColumn:
            return QLocale().toString(device.sent);
        case ValuesColumn:
            return valuesText(device, QStringLiteral("   "));
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == ValuesColumn)
            return valuesText(device, QStringLiteral("\n"));
        if (index.column() == DeviceColumn && device.id != device.name)
            return tr("IoT Core device id %1").arg(device.id);
        break;
    case Qt::ForegroundRole:
        // A device that should be online and is not stands out; one taken down by a fault too.
        if (index.column() == ConnectionColumn && !device.connected)
            return QColor(0xc6, 0x28, 0x28);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == SentColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant DeviceStateModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case DeviceColumn:
        return tr("Device");
    case FleetColumn:
        return tr("Fleet");
    case ConnectionColumn:
        return tr("Connection");
    case SentColumn:
        return tr("Sent");
    case ValuesColumn:
        return tr("Last values");
    }
    return {};
}

} // namespace iotcore::ui
