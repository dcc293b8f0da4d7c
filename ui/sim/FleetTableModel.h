#pragma once

// The fleets of a scenario as a table: name, template, devices (count and name range),
// identity, period and QoS, as `sim fleet list` prints them.

#include "sim/Scenario.h"

#include <QAbstractTableModel>

namespace iotcore::ui {

class FleetTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, TemplateColumn, DevicesColumn, IdentityColumn, PeriodColumn, QosColumn, ColumnCount };

    explicit FleetTableModel(QObject *parent = nullptr);

    void setFleets(std::vector<sim::Fleet> fleets);
    const std::vector<sim::Fleet> &fleets() const { return m_fleets; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<sim::Fleet> m_fleets;
};

} // namespace iotcore::ui
