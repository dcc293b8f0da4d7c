#include "EntityLogModel.h"

#include <QApplication>
#include <QStyle>

#include <algorithm>

namespace iotcore::ui {

EntityLogModel::EntityLogModel(QObject *parent) : QAbstractTableModel(parent) { }

void EntityLogModel::setLines(std::vector<broker::EntityLogLine> lines)
{
    std::reverse(lines.begin(), lines.end());
    beginResetModel();
    m_lines = std::move(lines);
    endResetModel();
}

int EntityLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

int EntityLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EntityLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_lines.size()))
        return {};
    const broker::EntityLogLine &line = m_lines[std::size_t(index.row())];
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        // As `iot … logs` prints it: "YYYY-MM-DD HH:MM:SS" in UTC.
        case TimeColumn: {
            QString shown = QString::fromStdString(line.time.substr(0, 19));
            if (shown.size() == 19)
                shown[10] = u' ';
            return role == Qt::ToolTipRole ? QString::fromStdString(line.time) : shown;
        }
        case LevelColumn: return QString::fromStdString(line.level);
        case MessageColumn: return QString::fromStdString(line.message);
        }
    }
    if (role == Qt::DecorationRole && index.column() == LevelColumn) {
        QStyle *style = QApplication::style();
        if (line.level == "ERROR")
            return style->standardIcon(QStyle::SP_MessageBoxCritical);
        if (line.level == "WARN")
            return style->standardIcon(QStyle::SP_MessageBoxWarning);
        return style->standardIcon(QStyle::SP_MessageBoxInformation);
    }
    return {};
}

QVariant EntityLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time (UTC)");
    case LevelColumn: return tr("Level");
    case MessageColumn: return tr("Message");
    }
    return {};
}

} // namespace iotcore::ui
