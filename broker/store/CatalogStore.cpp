#include "CatalogStore.h"

#include "WorkspaceSchema.h"
#include "iot/PasswordHasher.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

#include <ctime>
#include <map>
#include <unordered_map>
#include <utility>

namespace iotcore::broker {

namespace {

QString text(const std::string &utf8)
{
    return QString::fromStdString(utf8);
}

std::string utf8(const QVariant &value)
{
    return value.toString().toStdString();
}

std::string inQuotes(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

// A hand-edited value may hold line breaks; every message stays one line.
std::string oneLine(std::string message)
{
    for (char &c : message)
        if (c == '\n' || c == '\r')
            c = ' ';
    return message;
}

// Times are stored as formatRfc3339Nanos() writes them; a hand edit may drop the fraction or
// shorten it. Anything else, and impossible dates, are refused.
std::optional<Timestamp> parseStoredTime(std::string_view text)
{
    // 2026-05-01T12:00:00.123456789Z
    const auto number = [&](std::size_t from, std::size_t count, int *value) {
        *value = 0;
        for (std::size_t i = from; i < from + count; ++i) {
            if (i >= text.size() || text[i] < '0' || text[i] > '9')
                return false;
            *value = *value * 10 + (text[i] - '0');
        }
        return true;
    };
    const auto at = [&](std::size_t i, char c) { return i < text.size() && text[i] == c; };
    int year, month, day, hour, minute, second;
    if (!number(0, 4, &year) || !at(4, '-') || !number(5, 2, &month) || !at(7, '-')
        || !number(8, 2, &day) || !at(10, 'T') || !number(11, 2, &hour) || !at(13, ':')
        || !number(14, 2, &minute) || !at(16, ':') || !number(17, 2, &second))
        return std::nullopt;
    std::size_t pos = 19;
    long long nanos = 0;
    if (at(pos, '.')) {
        int digits = 0;
        for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits)
            nanos = nanos * 10 + (text[pos] - '0');
        if (digits == 0 || digits > 9)
            return std::nullopt;
        for (; digits < 9; ++digits)
            nanos *= 10;
    }
    if (pos + 1 != text.size() || text[pos] != 'Z')
        return std::nullopt;

    std::tm fields{};
    fields.tm_year = year - 1900;
    fields.tm_mon = month - 1;
    fields.tm_mday = day;
    fields.tm_hour = hour;
    fields.tm_min = minute;
    fields.tm_sec = second;
    const std::time_t whole = timegm(&fields);
    std::tm back{};
    gmtime_r(&whole, &back);
    // timegm normalises 31 April into 1 May: a date that does not come back unchanged is invalid.
    if (back.tm_year != year - 1900 || back.tm_mon != month - 1 || back.tm_mday != day
        || back.tm_hour != hour || back.tm_min != minute || back.tm_sec != second)
        return std::nullopt;
    return std::chrono::system_clock::from_time_t(whole)
        + std::chrono::duration_cast<Timestamp::duration>(std::chrono::nanoseconds(nanos));
}

QString storedTime(Timestamp time)
{
    return text(formatRfc3339Nanos(time));
}

// Rows of the credential and label tables, gathered by owner before the entities are created.
// Each entity takes its own; whatever is left names an owner that is not in the file.
struct OwnedRows {
    std::map<std::string, Labels> labels;                           // "kind id" → labels
    std::map<std::string, std::vector<Certificate>> certificates;    // in stored order
    std::map<std::string, std::vector<PasswordRecord>> passwords;    // in stored order
    std::map<std::string, TopicAliases> aliases;                     // device id → aliases

    template <typename T>
    static T take(std::map<std::string, T> &rows, const std::string &key)
    {
        const auto found = rows.find(key);
        if (found == rows.end())
            return {};
        T taken = std::move(found->second);
        rows.erase(found);
        return taken;
    }
};

std::string ownerKey(EntityKind kind, const std::string &id)
{
    return std::string(entityKindName(kind)) + " " + id;
}

std::string ownerKey(const QVariant &kind, const QVariant &id)
{
    return utf8(kind) + " " + utf8(id);
}

// What the failing entity is, for the message: the kind, the stored name and id.
std::string describeRow(EntityKind kind, const std::string &name, const std::string &id)
{
    return std::string(entityKindName(kind)) + " " + inQuotes(name) + " (" + id + ")";
}

// The insert statements of save(), prepared once per save.
struct Inserts {
    explicit Inserts(const QSqlDatabase &db)
        : registry(db), device(db), broker(db), label(db), alias(db), certificate(db), password(db)
    {
    }
    QSqlQuery registry, device, broker, label, alias, certificate, password;
};

} // namespace

// ---- opening ---------------------------------------------------------------------------------

std::unique_ptr<CatalogStore> CatalogStore::open(const std::string &path, bool create,
                                                 std::string *error)
{
    return open(path, create, Options{}, error);
}

std::unique_ptr<CatalogStore> CatalogStore::open(const std::string &path, bool create,
                                                 const Options &options, std::string *error)
{
    std::string reason;
    const QString filePath = text(path);
    if (!create && !QFileInfo::exists(filePath)) {
        reason = "no workspace at " + path;
    } else {
        // Qt SQL names connections process-wide: each store takes a name of its own.
        const QString name = QLatin1String("iotcore-catalog-store-")
            + QUuid::createUuid().toString(QUuid::WithoutBraces);
        QSqlDatabase db = WorkspaceSchema::open(filePath, name, options.busyTimeout, &reason);
        if (db.isValid()) {
            std::unique_ptr<CatalogStore> store(new CatalogStore(path, name, std::move(db)));
            QSqlError failed;
            if (store->dataVersion(&failed)) { // the file answers
                store->m_changes = store->readGeneration();
                return store;
            }
            reason = WorkspaceSchema::readError(filePath, failed);
        }
    }
    if (error)
        *error = reason;
    return nullptr;
}

CatalogStore::CatalogStore(std::string path, QString connectionName, QSqlDatabase db)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
    , m_db(std::move(db))
{
}

CatalogStore::~CatalogStore()
{
    // Qt SQL wants every copy of the connection gone before the connection is removed.
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

// ---- loading ---------------------------------------------------------------------------------

std::optional<Catalog> CatalogStore::load(std::string *error)
{
    const QString path = text(m_path);
    const std::string failedLoad = "cannot load workspace " + m_path + ": ";
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    std::string reason;
    const auto select = [&](const char *sql) {
        if (query.exec(QString::fromLatin1(sql)))
            return true;
        reason = WorkspaceSchema::readError(path, query.lastError());
        return false;
    };
    const auto fail = [&](std::string message) -> std::optional<Catalog> {
        query.finish();
        QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
        if (error)
            *error = oneLine(std::move(message));
        return std::nullopt;
    };
    const auto timeOf = [&](const QVariant &value, std::string *message,
                            const std::string &what) -> Timestamp {
        const std::string stored = utf8(value);
        const auto time = parseStoredTime(stored);
        if (!time && message->empty())
            *message = what + ": created_at " + inQuotes(stored) + " is not an RFC 3339 UTC time";
        return time.value_or(Timestamp{});
    };

    // One read transaction: a save by another process between two SELECTs is seen entirely or
    // not at all.
    if (!select("BEGIN"))
        return fail(reason);

    OwnedRows owned;
    std::string problem;
    if (!select("SELECT owner_kind, owner_id, key, value FROM iot_labels"))
        return fail(reason);
    while (query.next())
        owned.labels[ownerKey(query.value(0), query.value(1))][utf8(query.value(2))] =
            utf8(query.value(3));
    if (!select("SELECT device_id, alias, topic FROM iot_device_topic_aliases"))
        return fail(reason);
    while (query.next())
        owned.aliases[utf8(query.value(0))][utf8(query.value(1))] = utf8(query.value(2));
    if (!select("SELECT owner_kind, owner_id, fingerprint, certificate_data, created_at"
                " FROM iot_certificates ORDER BY owner_kind, owner_id, position"))
        return fail(reason);
    while (query.next()) {
        const std::string fingerprint = utf8(query.value(2));
        const Timestamp createdAt = timeOf(query.value(4), &problem, "certificate " + fingerprint);
        owned.certificates[ownerKey(query.value(0), query.value(1))].push_back(
            Certificate{fingerprint, utf8(query.value(3)), createdAt});
    }
    if (!select("SELECT owner_kind, owner_id, id, hash, created_at FROM iot_passwords"
                " ORDER BY owner_kind, owner_id, position"))
        return fail(reason);
    while (query.next()) {
        const std::string id = utf8(query.value(2));
        const Timestamp createdAt = timeOf(query.value(4), &problem, "password " + inQuotes(id));
        owned.passwords[ownerKey(query.value(0), query.value(1))].push_back(
            PasswordRecord{id, utf8(query.value(3)), createdAt});
    }
    if (!problem.empty())
        return fail(failedLoad + problem);

    // Through the public API, owners first, so that every rule is checked as for a new entity.
    Catalog catalog;
    if (!select("SELECT id, name, description, status, created_at FROM iot_registries"
                " ORDER BY id"))
        return fail(reason);
    while (query.next()) {
        Registry draft;
        draft.id = utf8(query.value(0));
        draft.name = utf8(query.value(1));
        draft.description = utf8(query.value(2));
        const std::string what = describeRow(EntityKind::Registry, draft.name, draft.id);
        const std::string status = utf8(query.value(3));
        if (status == registryStatusName(RegistryStatus::Active))
            draft.status = RegistryStatus::Active;
        else if (status == registryStatusName(RegistryStatus::Disabled))
            draft.status = RegistryStatus::Disabled;
        else
            return fail(failedLoad + what + ": status " + inQuotes(status)
                        + " is neither ACTIVE nor DISABLED");
        draft.createdAt = timeOf(query.value(4), &problem, what);
        if (!problem.empty())
            return fail(failedLoad + problem);
        const std::string key = ownerKey(EntityKind::Registry, draft.id);
        draft.labels = OwnedRows::take(owned.labels, key);
        draft.certificates = OwnedRows::take(owned.certificates, key);
        draft.passwords = OwnedRows::take(owned.passwords, key);
        if (const auto created = catalog.createRegistry(std::move(draft)); !created)
            return fail(failedLoad + what + ": " + created.error);
    }

    if (!select("SELECT id, registry_id, name, description, created_at FROM iot_devices"
                " ORDER BY id"))
        return fail(reason);
    while (query.next()) {
        Device draft;
        draft.id = utf8(query.value(0));
        draft.registryId = utf8(query.value(1));
        draft.name = utf8(query.value(2));
        draft.description = utf8(query.value(3));
        const std::string what = describeRow(EntityKind::Device, draft.name, draft.id);
        draft.createdAt = timeOf(query.value(4), &problem, what);
        if (!problem.empty())
            return fail(failedLoad + problem);
        const std::string key = ownerKey(EntityKind::Device, draft.id);
        draft.labels = OwnedRows::take(owned.labels, key);
        draft.certificates = OwnedRows::take(owned.certificates, key);
        draft.passwords = OwnedRows::take(owned.passwords, key);
        draft.topicAliases = OwnedRows::take(owned.aliases, draft.id);
        if (const auto created = catalog.createDevice(std::move(draft)); !created)
            return fail(failedLoad + what + ": " + created.error);
    }

    if (!select("SELECT id, name, description, created_at FROM iot_brokers ORDER BY id"))
        return fail(reason);
    while (query.next()) {
        IotBroker draft;
        draft.id = utf8(query.value(0));
        draft.name = utf8(query.value(1));
        draft.description = utf8(query.value(2));
        const std::string what = describeRow(EntityKind::Broker, draft.name, draft.id);
        draft.createdAt = timeOf(query.value(3), &problem, what);
        if (!problem.empty())
            return fail(failedLoad + problem);
        const std::string key = ownerKey(EntityKind::Broker, draft.id);
        draft.labels = OwnedRows::take(owned.labels, key);
        draft.certificates = OwnedRows::take(owned.certificates, key);
        draft.passwords = OwnedRows::take(owned.passwords, key);
        if (const auto created = catalog.createBroker(std::move(draft)); !created)
            return fail(failedLoad + what + ": " + created.error);
    }

    // Rows whose owner is not in the file (or is named with the wrong kind).
    if (!owned.labels.empty())
        return fail(failedLoad + "labels of " + owned.labels.begin()->first
                    + ", which is not in the workspace");
    if (!owned.certificates.empty())
        return fail(failedLoad + "certificate "
                    + owned.certificates.begin()->second.front().fingerprint + " of "
                    + owned.certificates.begin()->first + ", which is not in the workspace");
    if (!owned.passwords.empty())
        return fail(failedLoad + "password " + inQuotes(owned.passwords.begin()->second.front().id)
                    + " of " + owned.passwords.begin()->first + ", which is not in the workspace");
    if (!owned.aliases.empty())
        return fail(failedLoad + "topic aliases of device " + owned.aliases.begin()->first
                    + ", which is not in the workspace");

    query.finish();
    if (!select("COMMIT"))
        return fail(reason);
    return catalog;
}

// ---- saving ----------------------------------------------------------------------------------

bool CatalogStore::save(const Catalog &catalog, std::string *error)
{
    const QString path = text(m_path);
    QSqlError failed;
    const auto run = [&](QSqlQuery &query) {
        if (query.exec())
            return true;
        failed = query.lastError();
        return false;
    };
    const auto exec = [&](const char *sql) {
        QSqlQuery query(m_db);
        if (query.exec(QString::fromLatin1(sql)))
            return true;
        failed = query.lastError();
        return false;
    };

    // Taken for writing up front: waits (busy timeout) for the broker's short transactions
    // instead of failing half-way on a lock upgrade.
    if (!exec("BEGIN IMMEDIATE")) {
        if (error)
            *error = WorkspaceSchema::writeError(path, failed);
        return false;
    }

    bool ok = true;
    std::optional<Inserts> s(std::in_place, m_db);
    const std::pair<QSqlQuery *, const char *> statements[] = {
        {&s->registry, "INSERT INTO iot_registries (id, name, description, status, created_at)"
                       " VALUES (?, ?, ?, ?, ?)"},
        {&s->device, "INSERT INTO iot_devices (id, registry_id, name, description, created_at)"
                     " VALUES (?, ?, ?, ?, ?)"},
        {&s->broker, "INSERT INTO iot_brokers (id, name, description, created_at)"
                     " VALUES (?, ?, ?, ?)"},
        {&s->label, "INSERT INTO iot_labels (owner_kind, owner_id, key, value) VALUES (?, ?, ?, ?)"},
        {&s->alias, "INSERT INTO iot_device_topic_aliases (device_id, alias, topic)"
                    " VALUES (?, ?, ?)"},
        {&s->certificate, "INSERT INTO iot_certificates (fingerprint, owner_kind, owner_id,"
                          " position, certificate_data, created_at) VALUES (?, ?, ?, ?, ?, ?)"},
        {&s->password, "INSERT INTO iot_passwords (owner_kind, owner_id, id, position, hash,"
                       " created_at) VALUES (?, ?, ?, ?, ?, ?)"},
    };
    for (const auto &[query, sql] : statements) {
        if (ok && !query->prepare(QString::fromLatin1(sql))) {
            failed = query->lastError();
            ok = false;
        }
    }
    // Simplest way to make the tables equal to the catalog: empty them and write everything.
    for (const char *table : {"DELETE FROM iot_labels", "DELETE FROM iot_device_topic_aliases",
                              "DELETE FROM iot_certificates", "DELETE FROM iot_passwords",
                              "DELETE FROM iot_devices", "DELETE FROM iot_registries",
                              "DELETE FROM iot_brokers"})
        ok = ok && exec(table);

    // Labels and credentials of one entity.
    const auto writeOwned = [&](EntityKind kind, const std::string &id, const Labels &labels,
                                const std::vector<Certificate> &certificates,
                                const std::vector<PasswordRecord> &passwords) {
        const QString ownerKind = QString::fromLatin1(entityKindName(kind));
        const QString ownerId = text(id);
        for (auto it = labels.begin(); ok && it != labels.end(); ++it) {
            s->label.bindValue(0, ownerKind);
            s->label.bindValue(1, ownerId);
            s->label.bindValue(2, text(it->first));
            s->label.bindValue(3, text(it->second));
            ok = run(s->label);
        }
        for (std::size_t i = 0; ok && i < certificates.size(); ++i) {
            s->certificate.bindValue(0, text(certificates[i].fingerprint));
            s->certificate.bindValue(1, ownerKind);
            s->certificate.bindValue(2, ownerId);
            s->certificate.bindValue(3, int(i));
            s->certificate.bindValue(4, text(certificates[i].certificateData));
            s->certificate.bindValue(5, storedTime(certificates[i].createdAt));
            ok = run(s->certificate);
        }
        for (std::size_t i = 0; ok && i < passwords.size(); ++i) {
            s->password.bindValue(0, ownerKind);
            s->password.bindValue(1, ownerId);
            s->password.bindValue(2, text(passwords[i].id));
            s->password.bindValue(3, int(i));
            s->password.bindValue(4, text(passwords[i].hash));
            s->password.bindValue(5, storedTime(passwords[i].createdAt));
            ok = run(s->password);
        }
    };

    const auto writeDevice = [&](const Device &device) {
        s->device.bindValue(0, text(device.id));
        s->device.bindValue(1, text(device.registryId));
        s->device.bindValue(2, text(device.name));
        s->device.bindValue(3, text(device.description));
        s->device.bindValue(4, storedTime(device.createdAt));
        ok = run(s->device);
        writeOwned(EntityKind::Device, device.id, device.labels, device.certificates,
                   device.passwords);
        for (auto it = device.topicAliases.begin(); ok && it != device.topicAliases.end(); ++it) {
            s->alias.bindValue(0, text(device.id));
            s->alias.bindValue(1, text(it->first));
            s->alias.bindValue(2, text(it->second));
            ok = run(s->alias);
        }
    };
    const std::vector<const Registry *> registries =
        ok ? catalog.registries() : std::vector<const Registry *>{};
    for (auto r = registries.begin(); ok && r != registries.end(); ++r) {
        const Registry &registry = **r;
        s->registry.bindValue(0, text(registry.id));
        s->registry.bindValue(1, text(registry.name));
        s->registry.bindValue(2, text(registry.description));
        s->registry.bindValue(3, QString::fromLatin1(registryStatusName(registry.status)));
        s->registry.bindValue(4, storedTime(registry.createdAt));
        ok = run(s->registry);
        writeOwned(EntityKind::Registry, registry.id, registry.labels, registry.certificates,
                   registry.passwords);
        const std::vector<const Device *> devices =
            ok ? catalog.devices(registry.id) : std::vector<const Device *>{};
        for (auto d = devices.begin(); ok && d != devices.end(); ++d)
            writeDevice(**d);
    }
    const std::vector<const IotBroker *> brokers =
        ok ? catalog.brokers() : std::vector<const IotBroker *>{};
    for (auto b = brokers.begin(); ok && b != brokers.end(); ++b) {
        const IotBroker &broker = **b;
        s->broker.bindValue(0, text(broker.id));
        s->broker.bindValue(1, text(broker.name));
        s->broker.bindValue(2, text(broker.description));
        s->broker.bindValue(3, storedTime(broker.createdAt));
        ok = run(s->broker);
        writeOwned(EntityKind::Broker, broker.id, broker.labels, broker.certificates,
                   broker.passwords);
    }
    s.reset(); // no statement may stay active across COMMIT

    // The catalog's own generation, so that a running serve reloads on catalog changes only and
    // not on every batch of retained messages its broker writes to the same file.
    const std::string generation = "INSERT OR REPLACE INTO meta (key, value) VALUES "
                                   "('catalog_generation', '"
        + std::to_string(std::max(m_changes, readGeneration()) + 1) + "')";
    ok = ok && exec(generation.c_str());
    if (ok && exec("COMMIT")) {
        m_changes = readGeneration();
        return true;
    }
    if (error)
        *error = WorkspaceSchema::writeError(path, failed);
    // What the file held before the save stays as it was.
    exec("ROLLBACK");
    return false;
}

// ---- change detection and settings -----------------------------------------------------------

std::optional<std::int64_t> CatalogStore::dataVersion(QSqlError *failed)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("PRAGMA data_version")) || !query.next()) {
        if (failed)
            *failed = query.lastError();
        return std::nullopt;
    }
    return query.value(0).toLongLong();
}

std::int64_t CatalogStore::readGeneration()
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    std::int64_t generation = 0;
    if (query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'catalog_generation'"))
        && query.next())
        generation = query.value(0).toString().toLongLong();
    // Ends the statement, and with it the read transaction: a statement left stepping would pin
    // this connection to the snapshot it started in.
    query.finish();
    return generation;
}

std::int64_t CatalogStore::changeCounter()
{
    // The catalog's generation, bumped by every save(): one indexed read. A failed read changes
    // nothing; the next poll tries again.
    m_changes = std::max(m_changes, readGeneration());
    return m_changes;
}

int CatalogStore::passwordIterations()
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'password_iterations'"))
        && query.next()) {
        bool ok = false;
        const int iterations = query.value(0).toString().toInt(&ok);
        // A hand-edited value out of range falls back to the default rather than to a hash
        // that mosquitto or PasswordHasher would refuse.
        if (ok && iterations >= 1 && iterations <= PasswordHasher::MaxIterations)
            return iterations;
    }
    return PasswordHasher::DefaultIterations;
}

bool CatalogStore::setPasswordIterations(int iterations, std::string *error)
{
    if (iterations < 1 || iterations > PasswordHasher::MaxIterations) {
        if (error)
            *error = "password iterations must be between 1 and "
                + std::to_string(PasswordHasher::MaxIterations) + ", not "
                + std::to_string(iterations);
        return false;
    }
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT OR REPLACE INTO meta (key, value)"
                                 " VALUES ('password_iterations', ?)"));
    query.bindValue(0, QString::number(iterations));
    if (!query.exec()) {
        if (error)
            *error = WorkspaceSchema::writeError(text(m_path), query.lastError());
        return false;
    }
    return true;
}

} // namespace iotcore::broker
