#pragma once

// The workspace file: one SQLite database a user can copy and mail, shared by the broker's store
// and the IoT Core catalog (registries, devices, credentials). This is the one place that
// recognises such a file and creates or migrates its tables: a new table is a new numbered
// migration appended to the list in WorkspaceSchema.cpp.
//
// A file is a workspace when its `meta` table says `application=iotcore-studio`; its
// `schema_version` is the number of the last migration applied to it.

#include <QSqlDatabase>
#include <QSqlError>
#include <QString>

#include <chrono>
#include <string>

namespace iotcore::broker {

class WorkspaceSchema
{
public:
    static constexpr int Version = 5;
    static constexpr const char *Application = "iotcore-studio";

    // Opens the workspace at `path` as the connection `connectionName`, to be used on the calling
    // thread only: creates the file when it is absent (or empty), brings its schema up to
    // Version, and turns on WAL journaling. A file that is not a SQLite database, is damaged,
    // belongs to another application or comes from a newer version is refused before anything
    // is written to it. On failure returns an invalid database, removes the connection and puts
    // one line in *error. `busyTimeout` is how long a statement waits for another connection
    // (another process) that holds the file locked.
    static QSqlDatabase open(const QString &path, const QString &connectionName,
                             std::chrono::milliseconds busyTimeout, std::string *error);

    // "cannot write workspace PATH: REASON", the wording of every failed write.
    static std::string writeError(const QString &path, const QSqlError &error);
    // The same for a failed read; a damaged file is told apart from a locked one.
    static std::string readError(const QString &path, const QSqlError &error);
};

} // namespace iotcore::broker
