#include "EntityLogStore.h"

#include "WorkspaceSchema.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>
#include <QUuid>
#include <QVariant>

#include <algorithm>

namespace iotcore::broker {

std::optional<std::vector<EntityLogLine>> EntityLogStore::read(const QString &path,
                                                              const Query &query,
                                                              std::string *error)
{
    const QString connectionName = QLatin1String("iotcore-entity-logs-")
        + QUuid::createUuid().toString(QUuid::WithoutBraces);
    std::optional<std::vector<EntityLogLine>> lines;
    {
        QSqlDatabase db = WorkspaceSchema::open(path, connectionName, std::chrono::seconds(5), error);
        if (!db.isValid())
            return std::nullopt;
        QString sql = QStringLiteral("SELECT time, level, message FROM iot_entity_logs"
                                     " WHERE owner_kind = ? AND owner_id = ?");
        QVariantList values{QString::fromStdString(query.ownerKind),
                            QString::fromStdString(query.ownerId)};
        if (!query.since.empty()) {
            sql += QStringLiteral(" AND time >= ?");
            values.append(QString::fromStdString(query.since));
        }
        if (!query.until.empty()) {
            sql += QStringLiteral(" AND time < ?");
            values.append(QString::fromStdString(query.until));
        }
        if (!query.levels.empty()) {
            QStringList marks;
            for (const std::string &level : query.levels) {
                marks.append(QStringLiteral("?"));
                values.append(QString::fromStdString(level));
            }
            sql += QStringLiteral(" AND level IN (%1)").arg(marks.join(QLatin1Char(',')));
        }
        // Newest first so that a limit keeps the newest lines; turned around below.
        sql += QStringLiteral(" ORDER BY time DESC, seq DESC");
        if (query.limit > 0)
            sql += QStringLiteral(" LIMIT %1").arg(qulonglong(query.limit));
        QSqlQuery select(db);
        select.setForwardOnly(true);
        bool ok = select.prepare(sql);
        for (int i = 0; ok && i < values.size(); ++i)
            select.bindValue(i, values[i]);
        ok = ok && select.exec();
        if (!ok) {
            *error = WorkspaceSchema::readError(path, select.lastError());
        } else {
            lines.emplace();
            while (select.next()) {
                lines->push_back({select.value(0).toString().toStdString(),
                                  select.value(1).toString().toStdString(),
                                  select.value(2).toString().toStdString()});
            }
            std::reverse(lines->begin(), lines->end());
        }
        select.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
    return lines;
}

} // namespace iotcore::broker
