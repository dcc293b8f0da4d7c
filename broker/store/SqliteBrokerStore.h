#pragma once

// The broker's retained messages, persistent sessions, IoT Core's kept (permanent topic)
// messages and entity logs in the workspace file (SQLite through Qt SQL). The broker thread only queues: each call records the latest operation per topic or
// client id under a mutex and returns. A writer thread, which alone owns the database connection,
// writes what piled up in one transaction about every 50 ms, sooner when much piled up. So a
// burst of updates to one topic costs one row write, and memory stays bounded by the number of
// distinct topics and client ids waiting, not by the rate of calls. Entity log lines are not
// coalesced but appended; past MaxPendingLogLines waiting (a disk that stays locked) new lines are
// dropped and counted.

#include "core/BrokerPersistence.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace iotcore::broker {

class BrokerTables;

class SqliteBrokerStore final : public BrokerPersistence
{
public:
    struct Options {
        // How long a write waits for another process holding the workspace locked before it
        // fails (and is retried later).
        std::chrono::milliseconds busyTimeout{5000};
        // How long a change may wait to be batched with the following ones.
        std::chrono::milliseconds writeDelay{50};
    };

    // Opens or creates the workspace at `path` (see WorkspaceSchema). Returns null with one line
    // in *error when the file cannot be used; such a file is left as it was.
    static std::unique_ptr<SqliteBrokerStore> open(const std::string &path, std::string *error);
    static std::unique_ptr<SqliteBrokerStore> open(const std::string &path, const Options &options,
                                                   std::string *error);

    // Writes what is queued, then closes the workspace. What cannot be written then (a full disk)
    // is lost: call flush() first to know.
    ~SqliteBrokerStore() override;
    SqliteBrokerStore(const SqliteBrokerStore &) = delete;
    SqliteBrokerStore &operator=(const SqliteBrokerStore &) = delete;

    // Everything stored, for Broker::restore(). Blocks; call at start-up. *error is empty on
    // success.
    StoredBrokerState load(std::string *error);

    // BrokerPersistence: called from the broker thread; they never wait for the disk.
    void saveRetained(const MessagePtr &message) override;
    void removeRetained(const std::string &topic) override;
    void saveSession(StoredSession session) override;
    void removeSession(const std::string &clientId) override;
    void savePermanent(const MessagePtr &message) override;
    void removePermanent(const std::string &topic) override;
    void appendEntityLog(EntityLogEntry entry) override;

    static constexpr std::size_t MaxPendingLogLines = 100'000;
    // Log lines dropped because too many waited; thread-safe.
    std::uint64_t droppedLogLines() const;

    // Blocks until everything queued before the call is committed. On failure the batch is
    // rolled back, kept to be tried again, and lastError() says why.
    bool flush() override;
    // The reason of the last failed write, kept after later successes; thread-safe.
    std::string lastError() const override;

private:
    using Clock = std::chrono::steady_clock;
    using Task = std::function<void(BrokerTables &)>;

    // The latest operation of each topic and client id not yet written.
    struct PendingWrites {
        std::unordered_map<std::string, MessagePtr> retained;                  // null: remove
        std::unordered_map<std::string, std::optional<StoredSession>> sessions; // empty: remove
        std::unordered_map<std::string, MessagePtr> permanent;                 // null: remove
        std::vector<EntityLogEntry> logs;                                      // in order

        std::size_t size() const
        {
            return retained.size() + sessions.size() + permanent.size() + logs.size();
        }
        bool empty() const { return size() == 0; }
        // Puts back the operations of a failed batch, under the newer ones queued since.
        void restoreOlder(PendingWrites &&older);
    };

    SqliteBrokerStore(std::string path, Options options);

    void queued(std::unique_lock<std::mutex> &lock, std::size_t sizeBefore);
    // Runs `task` on the writer thread and waits for it.
    void runOnWriter(Task task);
    void writerMain();
    void writeLoop(BrokerTables &tables);

    const std::string m_path;
    const Options m_options;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake; // the writer waits on it
    std::condition_variable m_done; // flush() and runOnWriter() wait on it
    PendingWrites m_pending;
    Clock::time_point m_pendingSince;
    Clock::time_point m_retryAt;          // after a failure, the next write not forced by flush()
    std::uint64_t m_queuedOps = 0;        // operations queued so far
    std::uint64_t m_committedOps = 0;     // all operations up to this one are on disk
    std::uint64_t m_flushRequests = 0;    // flush() calls so far
    std::uint64_t m_flushesServed = 0;    // flush() calls whose operations the writer took
    std::uint64_t m_flushesFailed = 0;    // flush() calls answered by a failed write
    Task m_task;
    bool m_taskDone = false;
    bool m_stopping = false;
    std::string m_lastError;
    std::uint64_t m_droppedLogLines = 0;
    std::thread m_writer;
};

} // namespace iotcore::broker
