#include "WorkspaceSchema.h"

#include <QFile>
#include <QFileInfo>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

#include <utility>
#include <vector>

namespace iotcore::broker {

namespace {

// One step of the schema. Steps are applied in order, each once, inside the transaction that
// also records the new schema_version; a step is never edited once released, only followed by
// another one.
struct Migration {
    int version;
    std::vector<const char *> statements;
};

std::vector<Migration> migrations()
{
    return {
        {1,
         {
             // What this file is, and the schema it has.
             "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
             // The broker: retained messages (MQTT 3.3.1.3) and persistent sessions
             // (MQTT 3.1.2.4), written by SqliteBrokerStore.
             "CREATE TABLE mqtt_retained (topic TEXT PRIMARY KEY, payload BLOB NOT NULL,"
             " qos INTEGER NOT NULL, message_id INTEGER NOT NULL)",
             "CREATE TABLE mqtt_sessions (client_id TEXT PRIMARY KEY,"
             " saved_at INTEGER NOT NULL)",
             "CREATE TABLE mqtt_session_subscriptions (client_id TEXT NOT NULL,"
             " filter TEXT NOT NULL, qos INTEGER NOT NULL, PRIMARY KEY (client_id, filter))",
             // Inflight first in send order, then queued (packet_id 0); `position` keeps it.
             "CREATE TABLE mqtt_session_messages (client_id TEXT NOT NULL,"
             " position INTEGER NOT NULL, topic TEXT NOT NULL, payload BLOB NOT NULL,"
             " message_qos INTEGER NOT NULL, message_retain INTEGER NOT NULL,"
             " message_id INTEGER NOT NULL, delivery_qos INTEGER NOT NULL,"
             " retain_flag INTEGER NOT NULL, packet_id INTEGER NOT NULL,"
             " released INTEGER NOT NULL, PRIMARY KEY (client_id, position))",
             // QoS 2 identifiers received from the client and not yet released (MQTT-4.3.3-2).
             "CREATE TABLE mqtt_session_awaiting_release (client_id TEXT NOT NULL,"
             " packet_id INTEGER NOT NULL, PRIMARY KEY (client_id, packet_id))",
         }},
        {2,
         {
             // The IoT Core catalog, written by CatalogStore (IOT_CORE.md, "Resources"). One row
             // per entity or credential so that the sqlite3 CLI shows it plainly. Times are
             // RFC 3339 UTC with nine fraction digits: imported created_at values come back
             // exactly. Owners are named by kind ('registry', 'device', 'broker') and id. The
             // Catalog checks every rule when the rows are loaded; the constraints here only
             // keep the file's shape.
             "CREATE TABLE iot_registries (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL,"
             " description TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL)",
             "CREATE TABLE iot_devices (id TEXT PRIMARY KEY NOT NULL,"
             " registry_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,"
             " created_at TEXT NOT NULL)",
             "CREATE TABLE iot_brokers (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL,"
             " description TEXT NOT NULL, created_at TEXT NOT NULL)",
             "CREATE TABLE iot_labels (owner_kind TEXT NOT NULL, owner_id TEXT NOT NULL,"
             " key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (owner_kind, owner_id, key))",
             // Targets stored expanded ("{id}" replaced by the device id).
             "CREATE TABLE iot_device_topic_aliases (device_id TEXT NOT NULL,"
             " alias TEXT NOT NULL, topic TEXT NOT NULL, PRIMARY KEY (device_id, alias))",
             // A certificate belongs to one entity across the workspace: the fingerprint is
             // the key. `position` keeps each owner's order.
             "CREATE TABLE iot_certificates (fingerprint TEXT PRIMARY KEY NOT NULL,"
             " owner_kind TEXT NOT NULL, owner_id TEXT NOT NULL, position INTEGER NOT NULL,"
             " certificate_data TEXT NOT NULL, created_at TEXT NOT NULL)",
             // Only mosquitto's `$7$` PBKDF2 hash, never the text (PasswordHasher).
             "CREATE TABLE iot_passwords (owner_kind TEXT NOT NULL, owner_id TEXT NOT NULL,"
             " id TEXT NOT NULL, position INTEGER NOT NULL, hash TEXT NOT NULL,"
             " created_at TEXT NOT NULL, PRIMARY KEY (owner_kind, owner_id, id))",
         }},
        {3,
         {
             // The workspace's certificate authority (app/pki/WorkspaceAuthority): one CA per
             // workspace, made on first use, so that devices trust the file's broker wherever
             // the file goes. Keys are unencrypted PKCS#8 PEM: the workspace file is as secret
             // as the CA key it holds.
             "CREATE TABLE pki_authority (id INTEGER PRIMARY KEY CHECK (id = 1),"
             " certificate_pem TEXT NOT NULL, private_key_pem TEXT NOT NULL,"
             " created_at TEXT NOT NULL)",
             // Server certificates it issued for `serve`, one per set of host names (sorted,
             // space-separated), reused while valid.
             "CREATE TABLE pki_server_certificates (host_names TEXT PRIMARY KEY NOT NULL,"
             " certificate_pem TEXT NOT NULL, private_key_pem TEXT NOT NULL,"
             " created_at TEXT NOT NULL)",
         }},
        {4,
         {
             // IoT Core's permanent topics (IOT_CORE.md): the last message of each exact `state`
             // or `config` topic, kept across restarts, written by SqliteBrokerStore.
             "CREATE TABLE mqtt_permanent (topic TEXT PRIMARY KEY, payload BLOB NOT NULL,"
             " qos INTEGER NOT NULL, message_id INTEGER NOT NULL)",
             // Each device's, registry's and broker's connection log, in the service's wording
             // (IOT_CORE.md, "Connection log lines"). `seq` keeps the order of lines written in
             // the same instant; times are RFC 3339 UTC with nine fraction digits, so they sort
             // as text. Each owner keeps its newest 10,000 lines (BrokerTables).
             "CREATE TABLE iot_entity_logs (seq INTEGER PRIMARY KEY, owner_kind TEXT NOT NULL,"
             " owner_id TEXT NOT NULL, time TEXT NOT NULL, level TEXT NOT NULL,"
             " message TEXT NOT NULL)",
             "CREATE INDEX iot_entity_logs_by_owner ON iot_entity_logs (owner_kind, owner_id,"
             " time)",
         }},
        {5,
         {
             // The simulation (app/sim/Scenario): fleets and a timeline of faults, one JSON
             // document as `sim scenario export` writes it, so the file and the export agree.
             "CREATE TABLE sim_scenario (id INTEGER PRIMARY KEY CHECK (id = 1),"
             " document TEXT NOT NULL)",
         }},
    };
}

// What a database says about itself.
struct Identity {
    QStringList tables; // ours and foreign, without SQLite's own
    QString application;
    int version = 0; // 0: no schema yet
};

// SQLite's primary result code of a failed statement (Qt may report the extended one).
int primaryCode(const QSqlError &error)
{
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    return ok ? code & 0xff : -1;
}

constexpr int SqliteError = 1;
constexpr int SqliteCorrupt = 11;
constexpr int SqliteNotADatabase = 26;

std::string reasonOf(const QSqlError &error)
{
    const QString text = error.databaseText().isEmpty() ? error.driverText() : error.databaseText();
    return text.toStdString();
}

std::string pathText(const QString &path)
{
    return path.toStdString();
}

std::string notWorkspace(const QString &path, const std::string &why)
{
    return "workspace " + pathText(path) + " is not an IoT Core Studio workspace (" + why + ")";
}

bool readIdentity(QSqlDatabase &db, const QString &path, Identity *identity, std::string *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'"
                                   " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"))) {
        *error = WorkspaceSchema::readError(path, query.lastError());
        return false;
    }
    while (query.next())
        identity->tables.append(query.value(0).toString());
    if (!identity->tables.contains(QStringLiteral("meta")))
        return true;
    if (!query.exec(QStringLiteral("SELECT key, value FROM meta"
                                   " WHERE key IN ('application', 'schema_version')"))) {
        if (primaryCode(query.lastError()) == SqliteError)
            return true; // a meta table of other columns: another application's
        *error = WorkspaceSchema::readError(path, query.lastError());
        return false;
    }
    while (query.next()) {
        if (query.value(0).toString() == QLatin1String("application"))
            identity->application = query.value(1).toString();
        else
            identity->version = query.value(1).toInt();
    }
    return true;
}

// The first line of a PRAGMA quick_check report, without its "*** in database main ***" heading.
std::string firstProblem(const QString &report)
{
    const QStringList lines = report.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        if (!line.startsWith(QLatin1String("***")))
            return line.trimmed().toStdString();
    }
    return report.simplified().toStdString();
}

// Refuses what this version must not write to. A database without tables is a new workspace.
bool acceptIdentity(const QString &path, const Identity &identity, std::string *error)
{
    if (identity.tables.isEmpty())
        return true;
    if (identity.application != QLatin1String(WorkspaceSchema::Application)) {
        *error = notWorkspace(path, "a SQLite database of another application");
        return false;
    }
    if (identity.version > WorkspaceSchema::Version) {
        *error = "workspace " + pathText(path) + " was written by a newer IoT Core Studio (schema "
            + std::to_string(identity.version) + ", this version reads up to "
            + std::to_string(WorkspaceSchema::Version) + ")";
        return false;
    }
    if (identity.version < 1) {
        *error = "workspace " + pathText(path) + " is damaged (no schema_version in its meta table)";
        return false;
    }
    return true;
}

// Everything that can be told without SQLite writing a byte: the file's header, then a read-only
// connection for PRAGMA quick_check and the meta table.
bool inspect(const QString &path, const QString &connectionName,
             std::chrono::milliseconds busyTimeout, std::string *error)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        const QFileInfo directory(info.absolutePath());
        if (!directory.isDir()) {
            *error = "cannot create workspace " + pathText(path) + ": directory "
                + pathText(directory.filePath()) + " does not exist";
            return false;
        }
        if (!directory.isWritable()) {
            *error = "cannot create workspace " + pathText(path) + ": directory "
                + pathText(directory.filePath()) + " is read-only";
            return false;
        }
        return true;
    }
    if (info.isDir()) {
        *error = "cannot open workspace " + pathText(path) + ": it is a directory";
        return false;
    }
    // The file is never opened outside SQLite: closing any descriptor of it drops every POSIX
    // lock this process holds on it, SQLite's included. A `serve` that opened the catalog after
    // the broker's store then held no lock, the next process to close its connection took itself
    // for the last one and deleted the WAL under it, and `serve` went on writing to the deleted
    // file (commits visible to no one until it stopped). SQLite itself refuses a file that is
    // not a database (SQLITE_NOTADB, see readError()).
    if (!info.isReadable()) {
        *error = "cannot read workspace " + pathText(path) + ": permission denied";
        return false;
    }
    if (info.size() == 0)
        return true; // SQLite takes an empty file for an empty database

    bool accepted = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=%1")
                                 .arg(busyTimeout.count()));
        if (!db.open()) {
            *error = WorkspaceSchema::readError(path, db.lastError());
        } else {
            QSqlQuery check(db);
            check.setForwardOnly(true);
            Identity identity;
            if (!check.exec(QStringLiteral("PRAGMA quick_check"))) {
                *error = WorkspaceSchema::readError(path, check.lastError());
            } else if (check.next() && check.value(0).toString() != QLatin1String("ok")) {
                *error = "workspace " + pathText(path) + " is damaged ("
                    + firstProblem(check.value(0).toString()) + ")";
            } else if (check.finish(); readIdentity(db, path, &identity, error)) {
                accepted = acceptIdentity(path, identity, error);
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
    if (accepted && !info.isWritable()) {
        *error = "cannot write workspace " + pathText(path) + ": the file is read-only";
        return false;
    }
    return accepted;
}

// Applies the migrations the file lacks, in one transaction taken for writing up front so that
// two processes opening a new file do not both create its tables.
bool migrate(QSqlDatabase &db, const QString &path, std::string *error)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
        *error = WorkspaceSchema::writeError(path, query.lastError());
        return false;
    }
    Identity identity;
    bool ok = readIdentity(db, path, &identity, error) && acceptIdentity(path, identity, error);
    for (const Migration &migration : migrations()) {
        if (!ok || migration.version <= identity.version)
            continue;
        for (const char *statement : migration.statements) {
            if (!query.exec(QString::fromLatin1(statement))) {
                *error = WorkspaceSchema::writeError(path, query.lastError());
                ok = false;
                break;
            }
        }
    }
    if (ok && identity.version < WorkspaceSchema::Version) {
        ok = query.prepare(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"));
        const std::pair<QString, QString> rows[] = {
            {QStringLiteral("application"), QString::fromLatin1(WorkspaceSchema::Application)},
            {QStringLiteral("schema_version"), QString::number(WorkspaceSchema::Version)},
        };
        for (const auto &[key, value] : rows) {
            query.bindValue(0, key);
            query.bindValue(1, value);
            ok = ok && query.exec();
        }
        if (!ok)
            *error = WorkspaceSchema::writeError(path, query.lastError());
    }
    if (ok && !query.exec(QStringLiteral("COMMIT"))) {
        *error = WorkspaceSchema::writeError(path, query.lastError());
        ok = false;
    }
    if (!ok)
        query.exec(QStringLiteral("ROLLBACK"));
    return ok;
}

} // namespace

QSqlDatabase WorkspaceSchema::open(const QString &path, const QString &connectionName,
                                   std::chrono::milliseconds busyTimeout, std::string *error)
{
    if (!inspect(path, connectionName + QLatin1String("-inspect"), busyTimeout, error))
        return {};

    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(busyTimeout.count()));
        if (!db.open()) {
            *error = "cannot open workspace " + pathText(path) + ": " + reasonOf(db.lastError());
        } else {
            // WAL: readers (the catalog, a second tool) do not wait for the broker's writes, and
            // a commit is one append. NORMAL: a power cut may lose the last commits, never the
            // file's consistency.
            QSqlQuery query(db);
            ok = query.exec(QStringLiteral("PRAGMA journal_mode=WAL"))
                && query.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
            if (!ok)
                *error = writeError(path, query.lastError());
            query.finish();
            ok = ok && migrate(db, path, error);
        }
        if (ok)
            return db;
        db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
    return {};
}

std::string WorkspaceSchema::writeError(const QString &path, const QSqlError &error)
{
    return "cannot write workspace " + pathText(path) + ": " + reasonOf(error);
}

std::string WorkspaceSchema::readError(const QString &path, const QSqlError &error)
{
    switch (primaryCode(error)) {
    case SqliteNotADatabase:
        return notWorkspace(path, "file is not a database");
    case SqliteCorrupt:
        return "workspace " + pathText(path) + " is damaged (" + reasonOf(error) + ")";
    default:
        return "cannot read workspace " + pathText(path) + ": " + reasonOf(error);
    }
}

} // namespace iotcore::broker
