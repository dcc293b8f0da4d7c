#pragma once

// The broker's tables in the workspace: mqtt_retained, mqtt_sessions and the rows of each session
// (subscriptions, messages to deliver, QoS 2 identifiers awaiting release), mqtt_permanent (IoT
// Core's kept messages) and iot_entity_logs (each device's and registry's connection log). One connection and
// its statements, prepared once and reused by every batch. SqliteBrokerStore's writer thread
// alone uses it: a Qt SQL connection belongs to the thread that opened it.

#include "core/BrokerPersistence.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace iotcore::broker {

class BrokerTables
{
public:
    using RetainedWrites = std::unordered_map<std::string, MessagePtr>; // null: remove the topic
    using SessionWrites = std::unordered_map<std::string, std::optional<StoredSession>>; // empty: remove
    using PermanentWrites = std::unordered_map<std::string, MessagePtr>; // null: remove the topic

    // Each entity's log keeps its newest lines only.
    static constexpr std::int64_t EntityLogCapacity = 10'000;

    explicit BrokerTables(QString path);
    ~BrokerTables();
    BrokerTables(const BrokerTables &) = delete;
    BrokerTables &operator=(const BrokerTables &) = delete;

    // See WorkspaceSchema::open().
    bool open(std::chrono::milliseconds busyTimeout, std::string *error);

    // Writes every operation in one transaction. On failure the transaction is rolled back, so
    // the file keeps what it held, and *error says why in one line.
    bool write(const RetainedWrites &retained, const SessionWrites &sessions,
               const PermanentWrites &permanent, const std::vector<EntityLogEntry> &logs,
               std::string *error);

    // Everything stored; outgoing messages in their stored order.
    bool load(StoredBrokerState *state, std::string *error);

private:
    struct Statements {
        explicit Statements(const QSqlDatabase &db);
        QSqlQuery begin, commit, rollback;
        QSqlQuery saveRetained, removeRetained;
        QSqlQuery removeSession, removeSubscriptions, removeMessages, removeAwaitingRelease;
        QSqlQuery insertSession, insertSubscription, insertMessage, insertAwaitingRelease;
        QSqlQuery savePermanent, removePermanent;
        QSqlQuery insertLog, countLogs, trimLogs;
    };

    bool prepare(std::string *error);
    // These leave the error of the failing statement in m_failed.
    bool run(QSqlQuery &query);
    bool writeRetained(const std::string &topic, const MessagePtr &message);
    bool writeSession(const std::string &clientId, const std::optional<StoredSession> &session,
                      qint64 savedAt);
    bool writePermanent(const std::string &topic, const MessagePtr &message);
    bool writeLogs(const std::vector<EntityLogEntry> &logs);

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::optional<Statements> m_statements;
    QSqlError m_failed;
    // Rows of each entity's log ("kind/id"), counted once and then followed, so that a batch
    // trims a log only when it has grown a tenth past its capacity.
    std::unordered_map<std::string, std::int64_t> m_logRows;
};

} // namespace iotcore::broker
