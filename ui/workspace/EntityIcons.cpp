#include "EntityIcons.h"

#include <QApplication>
#include <QStyle>

namespace iotcore::ui {

QIcon entityIcon(broker::EntityKind kind)
{
    QStyle *style = QApplication::style();
    switch (kind) {
    case broker::EntityKind::Registry: return style->standardIcon(QStyle::SP_DirIcon);
    case broker::EntityKind::Device: return style->standardIcon(QStyle::SP_ComputerIcon);
    case broker::EntityKind::Broker: return style->standardIcon(QStyle::SP_DriveNetIcon);
    }
    return {};
}

QIcon groupIcon()
{
    return QApplication::style()->standardIcon(QStyle::SP_DirOpenIcon);
}

} // namespace iotcore::ui
