#pragma once

// The simulated devices of a run as a table: device, fleet, connection (with the faults acting
// on it), messages sent and the last sampled values. Fed with the snapshots a Simulation answers
// (Simulation::requestSnapshot); a snapshot of the same devices updates the rows in place, so a
// view keeps its selection and scroll position while the values move.

#include "sim/Simulation.h"

#include <QAbstractTableModel>

#include <vector>

namespace iotcore::ui {

class DeviceStateModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { DeviceColumn, FleetColumn, ConnectionColumn, SentColumn, ValuesColumn, ColumnCount };

    explicit DeviceStateModel(QObject *parent = nullptr);

    void setDevices(std::vector<sim::DeviceSnapshot> devices);
    void clear();
    const sim::DeviceSnapshot &device(int row) const { return m_devices[std::size_t(row)]; }

    // "temperature 21.4 °C", "open no", "track 55.75123, 37.61842": one sensor's value as shown.
    static QString valueText(const sim::SensorSetModel &sensors, int index, const sim::SensorValue &value);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    bool sameDevices(const std::vector<sim::DeviceSnapshot> &devices) const;
    QString connectionText(const sim::DeviceSnapshot &device) const;
    QString valuesText(const sim::DeviceSnapshot &device, const QString &separator) const;

    std::vector<sim::DeviceSnapshot> m_devices;
};

} // namespace iotcore::ui
