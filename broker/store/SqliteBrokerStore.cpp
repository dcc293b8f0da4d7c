#include "SqliteBrokerStore.h"

#include "BrokerTables.h"

#include <QString>

#include <utility>

namespace iotcore::broker {

namespace {

// Past this many pending topics and client ids the writer does not wait for the batching delay.
constexpr std::size_t EagerBatchSize = 10'000;
// After a failed write (a full disk, a locked file) the writer tries again this late, unless a
// flush() asks sooner.
constexpr std::chrono::seconds RetryDelay{1};

} // namespace

void SqliteBrokerStore::PendingWrites::restoreOlder(PendingWrites &&older)
{
    // try_emplace keeps what is already there: the newer operation.
    for (auto &[topic, message] : older.retained)
        retained.try_emplace(topic, std::move(message));
    for (auto &[clientId, session] : older.sessions)
        sessions.try_emplace(clientId, std::move(session));
    for (auto &[topic, message] : older.permanent)
        permanent.try_emplace(topic, std::move(message));
    // Older lines first, then those queued since.
    older.logs.insert(older.logs.end(), std::make_move_iterator(logs.begin()),
                      std::make_move_iterator(logs.end()));
    logs = std::move(older.logs);
}

std::unique_ptr<SqliteBrokerStore> SqliteBrokerStore::open(const std::string &path,
                                                           std::string *error)
{
    return open(path, Options{}, error);
}

std::unique_ptr<SqliteBrokerStore> SqliteBrokerStore::open(const std::string &path,
                                                           const Options &options,
                                                           std::string *error)
{
    std::unique_ptr<SqliteBrokerStore> store(new SqliteBrokerStore(path, options));
    bool opened = false;
    std::string reason;
    store->runOnWriter([&](BrokerTables &tables) {
        opened = tables.open(options.busyTimeout, &reason);
    });
    if (opened)
        return store;
    if (error)
        *error = reason;
    return nullptr;
}

SqliteBrokerStore::SqliteBrokerStore(std::string path, Options options)
    : m_path(std::move(path))
    , m_options(options)
{
    m_writer = std::thread([this] { writerMain(); });
}

SqliteBrokerStore::~SqliteBrokerStore()
{
    flush();
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_writer.join();
}

StoredBrokerState SqliteBrokerStore::load(std::string *error)
{
    flush();
    StoredBrokerState state;
    std::string reason;
    runOnWriter([&](BrokerTables &tables) {
        if (!tables.load(&state, &reason))
            state = {};
    });
    if (error)
        *error = reason;
    return state;
}

void SqliteBrokerStore::saveRetained(const MessagePtr &message)
{
    std::unique_lock lock(m_mutex);
    const std::size_t sizeBefore = m_pending.size();
    m_pending.retained.insert_or_assign(message->topic, message);
    queued(lock, sizeBefore);
}

void SqliteBrokerStore::removeRetained(const std::string &topic)
{
    std::unique_lock lock(m_mutex);
    const std::size_t sizeBefore = m_pending.size();
    m_pending.retained.insert_or_assign(topic, nullptr);
    queued(lock, sizeBefore);
}

void SqliteBrokerStore::saveSession(StoredSession session)
{
    std::string clientId = session.clientId;
    std::unique_lock lock(m_mutex);
    const std::size_t sizeBefore = m_pending.size();
    m_pending.sessions.insert_or_assign(std::move(clientId), std::move(session));
    queued(lock, sizeBefore);
}

void SqliteBrokerStore::removeSession(const std::string &clientId)
{
    std::unique_lock lock(m_mutex);
    const std::size_t sizeBefore = m_pending.size();
    m_pending.sessions.insert_or_assign(clientId, std::nullopt);
    queued(lock, sizeBefore);
}

void SqliteBrokerStore::savePermanent(const MessagePtr &message)
{
    std::unique_lock lock(m_mutex);
    const std::size_t sizeBefore = m_pending.size();
    m_pending.permanent.insert_or_assign(message->topic, message);
    queued(lock, sizeBefore);
}

void SqliteBrokerStore::removePermanent(const std::string &topic)
{
    std::unique_lock lock(m_mutex);
    const std::size_t sizeBefore = m_pending.size();
    m_pending.permanent.insert_or_assign(topic, nullptr);
    queued(lock, sizeBefore);
}

void SqliteBrokerStore::appendEntityLog(EntityLogEntry entry)
{
    std::unique_lock lock(m_mutex);
    if (m_pending.logs.size() >= MaxPendingLogLines) {
        ++m_droppedLogLines;
        return;
    }
    const std::size_t sizeBefore = m_pending.size();
    m_pending.logs.push_back(std::move(entry));
    queued(lock, sizeBefore);
}

std::uint64_t SqliteBrokerStore::droppedLogLines() const
{
    std::lock_guard lock(m_mutex);
    return m_droppedLogLines;
}

// Wakes the writer only when its reason to wait changes: the first operation of a batch starts
// the delay, and a batch grown large is written at once. Other calls take the mutex and go.
void SqliteBrokerStore::queued(std::unique_lock<std::mutex> &lock, std::size_t sizeBefore)
{
    ++m_queuedOps;
    const std::size_t size = m_pending.size();
    const bool started = sizeBefore == 0;
    if (started)
        m_pendingSince = Clock::now();
    const bool large = size == EagerBatchSize;
    lock.unlock();
    if (started || large)
        m_wake.notify_one();
}

bool SqliteBrokerStore::flush()
{
    std::unique_lock lock(m_mutex);
    const std::uint64_t target = m_queuedOps;
    if (m_committedOps >= target)
        return true;
    const std::uint64_t request = ++m_flushRequests;
    m_wake.notify_one();
    m_done.wait(lock, [&] { return m_committedOps >= target || m_flushesFailed >= request; });
    return m_committedOps >= target;
}

std::string SqliteBrokerStore::lastError() const
{
    std::lock_guard lock(m_mutex);
    return m_lastError;
}

void SqliteBrokerStore::runOnWriter(Task task)
{
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [&] { return !m_task; });
    m_task = std::move(task);
    m_taskDone = false;
    m_wake.notify_one();
    m_done.wait(lock, [&] { return m_taskDone; });
}

void SqliteBrokerStore::writerMain()
{
    BrokerTables tables(QString::fromStdString(m_path));
    writeLoop(tables);
}

void SqliteBrokerStore::writeLoop(BrokerTables &tables)
{
    std::unique_lock lock(m_mutex);
    while (true) {
        if (m_task) {
            Task task = std::move(m_task);
            m_task = nullptr;
            lock.unlock();
            task(tables);
            lock.lock();
            m_taskDone = true;
            m_done.notify_all();
            continue;
        }
        // The destructor flushed first: what is left failed to be written and cannot be.
        if (m_stopping)
            return;
        const bool flushWanted = m_flushesServed != m_flushRequests;
        if (m_pending.empty()) {
            m_flushesServed = m_flushRequests;
            m_wake.wait(lock);
            continue;
        }
        if (!flushWanted) {
            // A large batch does not wait for more, but a failing disk is not hammered either.
            Clock::time_point due = m_retryAt;
            if (m_pending.size() < EagerBatchSize)
                due = std::max(due, m_pendingSince + m_options.writeDelay);
            if (Clock::now() < due) {
                m_wake.wait_until(lock, due);
                continue;
            }
        }

        PendingWrites batch = std::exchange(m_pending, {});
        const std::uint64_t batchOps = m_queuedOps;
        const std::uint64_t batchFlushes = m_flushRequests;
        m_flushesServed = batchFlushes;
        lock.unlock();
        std::string error;
        const bool written = tables.write(batch.retained, batch.sessions, batch.permanent,
                                          batch.logs, &error);
        if (written)
            batch = {}; // the messages are released outside the lock
        lock.lock();
        if (written) {
            m_committedOps = batchOps;
        } else {
            m_pending.restoreOlder(std::move(batch));
            m_pendingSince = Clock::now();
            m_retryAt = m_pendingSince + RetryDelay;
            m_flushesFailed = batchFlushes;
            m_lastError = error;
        }
        m_done.notify_all();
    }
}

} // namespace iotcore::broker
