#pragma once

// The workspaces the console opened, newest first, kept in the user's settings.

#include <QStringList>

namespace iotcore::ui {

class RecentWorkspaces
{
public:
    static constexpr int MaxEntries = 8;

    QStringList paths() const; // only files that still exist
    QString mostRecent() const;
    void add(const QString &path);
    void clear();
};

} // namespace iotcore::ui
