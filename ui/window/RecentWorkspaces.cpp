#include "RecentWorkspaces.h"

#include <QFileInfo>
#include <QSettings>

namespace iotcore::ui {

namespace {
const QString Key = QStringLiteral("workspace/recent");
}

QStringList RecentWorkspaces::paths() const
{
    QStringList existing;
    for (const QString &path : QSettings().value(Key).toStringList()) {
        if (QFileInfo::exists(path))
            existing.append(path);
    }
    return existing;
}

QString RecentWorkspaces::mostRecent() const
{
    return paths().value(0);
}

void RecentWorkspaces::add(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = QSettings().value(Key).toStringList();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > MaxEntries)
        list.removeLast();
    QSettings().setValue(Key, list);
}

void RecentWorkspaces::clear()
{
    QSettings().remove(Key);
}

} // namespace iotcore::ui
