#pragma once

// What the first device of a fleet would read: its sensors sampled over simulated time, one row
// per period over the first ten minutes (at most every 10 s), one column per sensor. Sampled with
// the seed a run gives that device, from the fleet as compiled for a run (template merged), so
// the preview is what the simulator will publish.

#include "sim/FleetModel.h"

#include <QAbstractTableModel>

#include <memory>
#include <vector>

namespace iotcore::ui {

class SensorPreviewModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    static constexpr qint64 WindowMs = 10 * 60'000;
    static constexpr int MaxRows = 61; // 0:00 to 10:00 every 10 s at the most

    explicit SensorPreviewModel(QObject *parent = nullptr);

    // Samples `fleet`'s first device; null: an empty table.
    void preview(std::shared_ptr<const sim::FleetModel> fleet, quint64 scenarioSeed);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const sim::SensorSetModel> m_sensors;
    std::vector<qint64> m_times;
    std::vector<std::vector<sim::SensorValue>> m_rows;
};

} // namespace iotcore::ui
