#include "BrokerTables.h"

#include "WorkspaceSchema.h"

#include "iot/CatalogTypes.h"

#include <QByteArray>
#include <QDateTime>
#include <QUuid>
#include <QVariant>

#include <utility>

namespace iotcore::broker {

namespace {

QString text(const std::string &utf8)
{
    return QString::fromStdString(utf8);
}

// A view of the bytes without a copy: Qt SQL hands the pointer to SQLite for the statement's
// execution only, while the message is held by the batch.
QByteArray blob(const std::string &bytes)
{
    return QByteArray::fromRawData(bytes.data(), qsizetype(bytes.size()));
}

std::string bytes(const QVariant &value)
{
    const QByteArray array = value.toByteArray();
    return std::string(array.constData(), std::size_t(array.size()));
}

// A message stored in several rows (retained, and queued for several sessions) comes back as one
// shared Message, as the broker held it. Identifiers are compared with the content, in case two
// messages were given the same one.
class MessageCache
{
public:
    MessagePtr get(Message message)
    {
        if (message.id == 0)
            return std::make_shared<Message>(std::move(message));
        MessagePtr &slot = m_byId[message.id];
        if (slot && slot->topic == message.topic && slot->payload == message.payload
            && slot->qos == message.qos && slot->retain == message.retain)
            return slot;
        auto made = std::make_shared<Message>(std::move(message));
        if (!slot)
            slot = made;
        return made;
    }

private:
    std::unordered_map<std::uint64_t, MessagePtr> m_byId;
};

} // namespace

BrokerTables::BrokerTables(QString path)
    : m_path(std::move(path))
    , m_connectionName(QLatin1String("iotcore-broker-store-")
                       + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

BrokerTables::~BrokerTables()
{
    if (!m_db.isValid())
        return;
    // Qt SQL wants every query and copy of the connection gone before the connection is removed.
    m_statements.reset();
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool BrokerTables::open(std::chrono::milliseconds busyTimeout, std::string *error)
{
    m_db = WorkspaceSchema::open(m_path, m_connectionName, busyTimeout, error);
    return m_db.isValid();
}

BrokerTables::Statements::Statements(const QSqlDatabase &db)
    : begin(db), commit(db), rollback(db), saveRetained(db), removeRetained(db),
      removeSession(db), removeSubscriptions(db), removeMessages(db), removeAwaitingRelease(db),
      insertSession(db), insertSubscription(db), insertMessage(db), insertAwaitingRelease(db),
      savePermanent(db), removePermanent(db), insertLog(db), countLogs(db), trimLogs(db)
{
}

bool BrokerTables::prepare(std::string *error)
{
    Statements &s = m_statements.emplace(m_db);
    const std::pair<QSqlQuery *, const char *> statements[] = {
        {&s.begin, "BEGIN IMMEDIATE"},
        {&s.commit, "COMMIT"},
        {&s.rollback, "ROLLBACK"},
        {&s.saveRetained, "INSERT OR REPLACE INTO mqtt_retained (topic, payload, qos, message_id)"
                          " VALUES (?, ?, ?, ?)"},
        {&s.removeRetained, "DELETE FROM mqtt_retained WHERE topic = ?"},
        {&s.removeSession, "DELETE FROM mqtt_sessions WHERE client_id = ?"},
        {&s.removeSubscriptions, "DELETE FROM mqtt_session_subscriptions WHERE client_id = ?"},
        {&s.removeMessages, "DELETE FROM mqtt_session_messages WHERE client_id = ?"},
        {&s.removeAwaitingRelease, "DELETE FROM mqtt_session_awaiting_release WHERE client_id = ?"},
        {&s.insertSession, "INSERT INTO mqtt_sessions (client_id, saved_at) VALUES (?, ?)"},
        {&s.insertSubscription, "INSERT INTO mqtt_session_subscriptions (client_id, filter, qos)"
                                " VALUES (?, ?, ?)"},
        {&s.insertMessage, "INSERT INTO mqtt_session_messages (client_id, position, topic, payload,"
                           " message_qos, message_retain, message_id, delivery_qos, retain_flag,"
                           " packet_id, released) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
        {&s.insertAwaitingRelease, "INSERT INTO mqtt_session_awaiting_release (client_id, packet_id)"
                                   " VALUES (?, ?)"},
        {&s.savePermanent, "INSERT OR REPLACE INTO mqtt_permanent (topic, payload, qos, message_id)"
                           " VALUES (?, ?, ?, ?)"},
        {&s.removePermanent, "DELETE FROM mqtt_permanent WHERE topic = ?"},
        {&s.insertLog, "INSERT INTO iot_entity_logs (owner_kind, owner_id, time, level, message)"
                       " VALUES (?, ?, ?, ?, ?)"},
        {&s.countLogs, "SELECT count(*) FROM iot_entity_logs WHERE owner_kind = ? AND owner_id = ?"},
        // Everything older than the owner's newest EntityLogCapacity lines.
        {&s.trimLogs, "DELETE FROM iot_entity_logs WHERE owner_kind = ? AND owner_id = ?"
                      " AND seq <= (SELECT seq FROM iot_entity_logs WHERE owner_kind = ?"
                      " AND owner_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)"},
    };
    for (const auto &[query, sql] : statements) {
        if (!query->prepare(QString::fromLatin1(sql))) {
            *error = WorkspaceSchema::writeError(m_path, query->lastError());
            m_statements.reset();
            return false;
        }
    }
    return true;
}

bool BrokerTables::run(QSqlQuery &query)
{
    if (query.exec())
        return true;
    m_failed = query.lastError();
    return false;
}

bool BrokerTables::write(const RetainedWrites &retained, const SessionWrites &sessions,
                         const PermanentWrites &permanent, const std::vector<EntityLogEntry> &logs,
                         std::string *error)
{
    if (!m_statements && !prepare(error))
        return false;
    Statements &s = *m_statements;
    if (!run(s.begin)) {
        *error = WorkspaceSchema::writeError(m_path, m_failed);
        return false;
    }
    bool ok = true;
    for (auto it = retained.begin(); ok && it != retained.end(); ++it)
        ok = writeRetained(it->first, it->second);
    const qint64 savedAt = QDateTime::currentMSecsSinceEpoch();
    for (auto it = sessions.begin(); ok && it != sessions.end(); ++it)
        ok = writeSession(it->first, it->second, savedAt);
    for (auto it = permanent.begin(); ok && it != permanent.end(); ++it)
        ok = writePermanent(it->first, it->second);
    ok = ok && writeLogs(logs);
    if (ok && run(s.commit))
        return true;
    *error = WorkspaceSchema::writeError(m_path, m_failed);
    m_logRows.clear(); // counted again after the rollback
    // What the file held before the batch stays as it was.
    s.rollback.exec();
    return false;
}

bool BrokerTables::writeRetained(const std::string &topic, const MessagePtr &message)
{
    Statements &s = *m_statements;
    if (!message) {
        s.removeRetained.bindValue(0, text(topic));
        return run(s.removeRetained);
    }
    s.saveRetained.bindValue(0, text(topic));
    s.saveRetained.bindValue(1, blob(message->payload));
    s.saveRetained.bindValue(2, int(message->qos));
    s.saveRetained.bindValue(3, qint64(message->id));
    return run(s.saveRetained);
}

bool BrokerTables::writePermanent(const std::string &topic, const MessagePtr &message)
{
    Statements &s = *m_statements;
    if (!message) {
        s.removePermanent.bindValue(0, text(topic));
        return run(s.removePermanent);
    }
    // An empty payload is kept like any other (IOT_CORE.md, "Permanent topics").
    s.savePermanent.bindValue(0, text(topic));
    s.savePermanent.bindValue(1, message->payload.empty() ? QByteArray("") : blob(message->payload));
    s.savePermanent.bindValue(2, int(message->qos));
    s.savePermanent.bindValue(3, qint64(message->id));
    return run(s.savePermanent);
}

bool BrokerTables::writeLogs(const std::vector<EntityLogEntry> &logs)
{
    Statements &s = *m_statements;
    std::unordered_map<std::string, std::pair<const EntityLogEntry *, std::int64_t>> owners;
    for (const EntityLogEntry &entry : logs) {
        s.insertLog.bindValue(0, text(entry.ownerKind));
        s.insertLog.bindValue(1, text(entry.ownerId));
        s.insertLog.bindValue(2, text(formatRfc3339Nanos(entry.time)));
        s.insertLog.bindValue(3, QString::fromLatin1(entityLogLevelName(entry.level)));
        s.insertLog.bindValue(4, text(entry.message));
        if (!run(s.insertLog))
            return false;
        auto &[owner, added] = owners[entry.ownerKind + '/' + entry.ownerId];
        owner = &entry;
        ++added;
    }
    for (const auto &[key, added] : owners) {
        const EntityLogEntry &entry = *added.first;
        auto rows = m_logRows.find(key);
        if (rows == m_logRows.end()) {
            s.countLogs.bindValue(0, text(entry.ownerKind));
            s.countLogs.bindValue(1, text(entry.ownerId));
            if (!run(s.countLogs))
                return false;
            const std::int64_t count = s.countLogs.next() ? s.countLogs.value(0).toLongLong() : 0;
            s.countLogs.finish();
            rows = m_logRows.emplace(key, count).first; // this batch's rows included
        } else {
            rows->second += added.second;
        }
        if (rows->second <= EntityLogCapacity + EntityLogCapacity / 10)
            continue;
        for (int i : {0, 2}) {
            s.trimLogs.bindValue(i, text(entry.ownerKind));
            s.trimLogs.bindValue(i + 1, text(entry.ownerId));
        }
        s.trimLogs.bindValue(4, qint64(EntityLogCapacity));
        if (!run(s.trimLogs))
            return false;
        rows->second = EntityLogCapacity;
    }
    return true;
}

// A saved session replaces every row of its client id.
bool BrokerTables::writeSession(const std::string &clientId,
                                const std::optional<StoredSession> &session, qint64 savedAt)
{
    Statements &s = *m_statements;
    const QString id = text(clientId);
    for (QSqlQuery *remove : {&s.removeSession, &s.removeSubscriptions, &s.removeMessages,
                              &s.removeAwaitingRelease}) {
        remove->bindValue(0, id);
        if (!run(*remove))
            return false;
    }
    if (!session)
        return true;

    s.insertSession.bindValue(0, id);
    s.insertSession.bindValue(1, savedAt);
    if (!run(s.insertSession))
        return false;
    for (const StoredSubscription &subscription : session->subscriptions) {
        s.insertSubscription.bindValue(0, id);
        s.insertSubscription.bindValue(1, text(subscription.filter));
        s.insertSubscription.bindValue(2, int(subscription.qos));
        if (!run(s.insertSubscription))
            return false;
    }
    int position = 0;
    for (const StoredOutgoingMessage &outgoing : session->outgoing) {
        const Message &message = *outgoing.message;
        QSqlQuery &insert = s.insertMessage;
        insert.bindValue(0, id);
        insert.bindValue(1, position++);
        insert.bindValue(2, text(message.topic));
        insert.bindValue(3, blob(message.payload));
        insert.bindValue(4, int(message.qos));
        insert.bindValue(5, message.retain);
        insert.bindValue(6, qint64(message.id));
        insert.bindValue(7, int(outgoing.qos));
        insert.bindValue(8, outgoing.retain);
        insert.bindValue(9, int(outgoing.packetId));
        insert.bindValue(10, outgoing.released);
        if (!run(insert))
            return false;
    }
    for (const std::uint16_t packetId : session->awaitingRelease) {
        s.insertAwaitingRelease.bindValue(0, id);
        s.insertAwaitingRelease.bindValue(1, int(packetId));
        if (!run(s.insertAwaitingRelease))
            return false;
    }
    return true;
}

bool BrokerTables::load(StoredBrokerState *state, std::string *error)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    const auto select = [&](const char *sql) {
        if (query.exec(QString::fromLatin1(sql)))
            return true;
        *error = WorkspaceSchema::readError(m_path, query.lastError());
        return false;
    };
    MessageCache messages;

    if (!select("SELECT topic, payload, qos, message_id FROM mqtt_retained ORDER BY topic"))
        return false;
    while (query.next()) {
        // MQTT-3.3.1-8: a retained message keeps its RETAIN flag.
        state->retained.push_back(messages.get(
            Message{query.value(0).toString().toStdString(), bytes(query.value(1)),
                    std::uint8_t(query.value(2).toUInt()), true,
                    std::uint64_t(query.value(3).toLongLong())}));
    }

    if (!select("SELECT topic, payload, qos, message_id FROM mqtt_permanent ORDER BY topic"))
        return false;
    while (query.next()) {
        state->permanent.push_back(std::make_shared<Message>(
            Message{query.value(0).toString().toStdString(), bytes(query.value(1)),
                    std::uint8_t(query.value(2).toUInt()), false,
                    std::uint64_t(query.value(3).toLongLong())}));
    }

    std::unordered_map<std::string, std::size_t> sessionIndex;
    if (!select("SELECT client_id FROM mqtt_sessions ORDER BY client_id"))
        return false;
    while (query.next()) {
        StoredSession &session = state->sessions.emplace_back();
        session.clientId = query.value(0).toString().toStdString();
        sessionIndex.emplace(session.clientId, state->sessions.size() - 1);
    }
    // Rows of a client id without a session row are left over by nothing we write; skip them.
    const auto sessionOf = [&](const QVariant &clientId) -> StoredSession * {
        const auto it = sessionIndex.find(clientId.toString().toStdString());
        return it == sessionIndex.end() ? nullptr : &state->sessions[it->second];
    };

    if (!select("SELECT client_id, filter, qos FROM mqtt_session_subscriptions"
                " ORDER BY client_id, filter"))
        return false;
    while (query.next()) {
        if (StoredSession *session = sessionOf(query.value(0)))
            session->subscriptions.push_back({query.value(1).toString().toStdString(),
                                              std::uint8_t(query.value(2).toUInt())});
    }

    if (!select("SELECT client_id, topic, payload, message_qos, message_retain, message_id,"
                " delivery_qos, retain_flag, packet_id, released FROM mqtt_session_messages"
                " ORDER BY client_id, position"))
        return false;
    while (query.next()) {
        StoredSession *session = sessionOf(query.value(0));
        if (!session)
            continue;
        StoredOutgoingMessage outgoing;
        outgoing.message = messages.get(
            Message{query.value(1).toString().toStdString(), bytes(query.value(2)),
                    std::uint8_t(query.value(3).toUInt()), query.value(4).toBool(),
                    std::uint64_t(query.value(5).toLongLong())});
        outgoing.qos = std::uint8_t(query.value(6).toUInt());
        outgoing.retain = query.value(7).toBool();
        outgoing.packetId = std::uint16_t(query.value(8).toUInt());
        outgoing.released = query.value(9).toBool();
        session->outgoing.push_back(std::move(outgoing));
    }

    if (!select("SELECT client_id, packet_id FROM mqtt_session_awaiting_release"
                " ORDER BY client_id, packet_id"))
        return false;
    while (query.next()) {
        if (StoredSession *session = sessionOf(query.value(0)))
            session->awaitingRelease.push_back(std::uint16_t(query.value(1).toUInt()));
    }
    query.finish();
    return true;
}

} // namespace iotcore::broker
