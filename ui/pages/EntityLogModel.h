#pragma once

// A registry's, device's or broker's connection log (the lines `iot … logs` prints, in the
// service's wording), newest first, as read from the workspace file.

#include "store/EntityLogStore.h"

#include <QAbstractTableModel>

#include <vector>

namespace iotcore::ui {

class EntityLogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, LevelColumn, MessageColumn, ColumnCount };

    explicit EntityLogModel(QObject *parent = nullptr);

    // `lines` oldest first, as EntityLogStore reads them.
    void setLines(std::vector<broker::EntityLogLine> lines);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<broker::EntityLogLine> m_lines; // newest first
};

} // namespace iotcore::ui
