#pragma once

// The broker's tables in the workspace: mqtt_retained, mqtt_sessions and the rows of each session
// (subscriptions, messages to deliver, QoS 2 identifiers awaiting release). One connection and
// its statements, prepared once and reused by every batch. SqliteBrokerStore's writer thread
// alone uses it: a Qt SQL connection belongs to the thread that opened it.

#include "core/BrokerPersistence.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

namespace iotcore::broker {

class BrokerTables
{
public:
    using RetainedWrites = std::unordered_map<std::string, MessagePtr>; // null: remove the topic
    using SessionWrites = std::unordered_map<std::string, std::optional<StoredSession>>; // empty: remove

    explicit BrokerTables(QString path);
    ~BrokerTables();
    BrokerTables(const BrokerTables &) = delete;
    BrokerTables &operator=(const BrokerTables &) = delete;

    // See WorkspaceSchema::open().
    bool open(std::chrono::milliseconds busyTimeout, std::string *error);

    // Writes every operation in one transaction. On failure the transaction is rolled back, so
    // the file keeps what it held, and *error says why in one line.
    bool write(const RetainedWrites &retained, const SessionWrites &sessions, std::string *error);

    // Everything stored; outgoing messages in their stored order.
    bool load(StoredBrokerState *state, std::string *error);

private:
    struct Statements {
        explicit Statements(const QSqlDatabase &db);
        QSqlQuery begin, commit, rollback;
        QSqlQuery saveRetained, removeRetained;
        QSqlQuery removeSession, removeSubscriptions, removeMessages, removeAwaitingRelease;
        QSqlQuery insertSession, insertSubscription, insertMessage, insertAwaitingRelease;
    };

    bool prepare(std::string *error);
    // These leave the error of the failing statement in m_failed.
    bool run(QSqlQuery &query);
    bool writeRetained(const std::string &topic, const MessagePtr &message);
    bool writeSession(const std::string &clientId, const std::optional<StoredSession> &session,
                      qint64 savedAt);

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::optional<Statements> m_statements;
    QSqlError m_failed;
};

} // namespace iotcore::broker
