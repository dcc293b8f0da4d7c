#include "ScenarioStore.h"

#include "store/WorkspaceSchema.h"

#include <QAtomicInteger>
#include <QFile>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QVariant>

#include <chrono>

namespace iotcore::sim {

using broker::WorkspaceSchema;

namespace {

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("iotcore-scenario-%1").arg(counter.fetchAndAddRelaxed(1));
}

} // namespace

ScenarioStore::ScenarioStore(QString path, QString connectionName)
    : m_path(std::move(path)), m_connectionName(std::move(connectionName))
{ }

ScenarioStore::~ScenarioStore()
{
    QSqlDatabase::database(m_connectionName, false).close();
    QSqlDatabase::removeDatabase(m_connectionName);
}

std::unique_ptr<ScenarioStore> ScenarioStore::open(const QString &path, bool create, QString *error)
{
    if (!create && !QFile::exists(path)) {
        *error = QStringLiteral("workspace \"%1\" does not exist").arg(path);
        return {};
    }
    const QString name = nextConnectionName();
    std::string reason;
    QSqlDatabase db = WorkspaceSchema::open(path, name, std::chrono::milliseconds(5000), &reason);
    if (!db.isValid()) {
        *error = QString::fromStdString(reason);
        return {};
    }
    return std::unique_ptr<ScenarioStore>(new ScenarioStore(path, name));
}

std::optional<Scenario> ScenarioStore::load(QString *error)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(QStringLiteral("SELECT document FROM sim_scenario WHERE id = 1"))) {
        *error = QString::fromStdString(WorkspaceSchema::readError(m_path, query.lastError()));
        return std::nullopt;
    }
    if (!query.next())
        return Scenario();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(query.value(0).toByteArray(), &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("workspace %1: the stored scenario is damaged (%2)")
                     .arg(m_path, parseError.errorString());
        return std::nullopt;
    }
    QString problem;
    std::optional<Scenario> scenario = Scenario::fromJson(document.object(), &problem);
    if (!scenario)
        *error = QStringLiteral("workspace %1: the stored scenario is refused: %2").arg(m_path, problem);
    return scenario;
}

bool ScenarioStore::save(const Scenario &scenario, QString *error)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral("INSERT INTO sim_scenario (id, document) VALUES (1, ?)"
                                 " ON CONFLICT (id) DO UPDATE SET document = excluded.document"));
    query.addBindValue(QString::fromUtf8(QJsonDocument(scenario.toJson()).toJson(QJsonDocument::Indented)));
    if (!query.exec()) {
        *error = QString::fromStdString(WorkspaceSchema::writeError(m_path, query.lastError()));
        return false;
    }
    return true;
}

} // namespace iotcore::sim
