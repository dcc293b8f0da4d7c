#pragma once

// One icon per kind of thing in the workspace, from the current style, so that the tree, the
// tabs and the wizards agree.

#include "iot/CatalogTypes.h"

#include <QIcon>

class QStyle;

namespace iotcore::ui {

QIcon entityIcon(broker::EntityKind kind);
QIcon groupIcon();

} // namespace iotcore::ui
