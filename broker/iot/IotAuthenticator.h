#pragma once

// Identity at CONNECT for the IoT Core listeners (IOT_CORE.md, "Connecting"): username (a
// device, registry or broker id) with one of its passwords, or a client certificate matched by
// fingerprint; the password wins over the certificate; a disabled registry refuses its devices.
// Password hashes are checked on worker threads, off the broker's thread, and a verified
// password is remembered (VerifiedCredentialCache) so that reconnects are cheap. On a listener
// that asserts identities (BrokerServer::addInProcessAssertedListener) the username alone names
// the entity.
//
// The catalog is an immutable snapshot replaced by setCatalog() when the workspace changes;
// clients already connected see the new one at once (a new device is readable by its registry's
// wildcard subscriptions; a disabled registry's clients are dropped by the broker).

#include "Catalog.h"
#include "TopicPolicy.h"
#include "VerifiedCredentialCache.h"
#include "core/ClientRights.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace iotcore::broker {

class IotAuthenticator final : public Authenticator
{
public:
    // Runs a task on the broker thread (BrokerServer::post or the loop's post).
    using PostToBroker = std::function<void(std::function<void()>)>;

    static constexpr std::size_t MaxPayloadSize = 262'144; // IOT_CORE.md, "Limits"

    // What happens past the message rate of a device (1/s) or a broker (50/s), and past a
    // broker's 50 clients: IOT_CORE.md, "Limits" (Decision: configurable, warn by default; drop
    // refuses the 51st client with CONNACK 3).
    enum class RateLimit { Off, Warn, Drop };
    static constexpr double DeviceMessagesPerSecond = 1.0;
    static constexpr double BrokerMessagesPerSecond = 50.0;
    static constexpr std::size_t BrokerMaxClients = 50;

    IotAuthenticator(PostToBroker post, std::shared_ptr<const Catalog> catalog,
                     unsigned workerThreads = 2);

    void setRateLimit(RateLimit limit) { m_rateLimit = limit; }
    RateLimit rateLimit() const { return m_rateLimit; }
    ~IotAuthenticator() override;

    // Broker thread: the catalog that decisions use from now on.
    void setCatalog(std::shared_ptr<const Catalog> catalog);
    const Catalog &catalog() const { return *m_catalog; }

    // Broker thread.
    void authenticate(Request request, std::function<void(Verdict)> done) override;

    // What the monitoring topic says of a device (IOT_CORE.md, "Monitoring topic").
    struct Monitoring {
        Timestamp lastAuth{};
        std::string lastAuthIp;
        Timestamp lastPublish{};
        Timestamp lastSubscribe{};
        Timestamp lastOnline{};
        Timestamp lastDisconnect{};
    };
    const Monitoring *monitoring(std::string_view deviceId) const;

private:
    class Rights;
    class Directory;
    struct Job {
        std::string password;
        std::string entityId;
        std::vector<std::string> hashes;
        std::function<void(bool)> done; // called on a worker thread
    };

    Verdict decide(const Request &request, const EntityRef &entity, const char *how);
    void runWorker();
    void verifyOffThread(Job job);

    PostToBroker m_post;
    std::shared_ptr<const Catalog> m_catalog;
    std::unique_ptr<Directory> m_directory;
    TopicPolicy m_policy;
    VerifiedCredentialCache m_cache;
    std::unordered_map<std::string, Monitoring> m_monitoring;

    // A token bucket per device or broker, shared by all its connections (broker thread).
    struct RateState {
        double tokens = 0;
        std::chrono::steady_clock::time_point refilled{};
        std::chrono::steady_clock::time_point warned{};
        std::uint64_t overSinceWarning = 0;
    };
    RateLimit m_rateLimit = RateLimit::Warn;
    std::unordered_map<std::string, RateState> m_rates;
    std::unordered_map<std::string, std::size_t> m_brokerClients; // connected clients per broker

    std::mutex m_jobsMutex;
    std::condition_variable m_jobsChanged;
    std::deque<Job> m_jobs;
    bool m_stopping = false;
    std::vector<std::thread> m_workers;
    std::shared_ptr<int> m_lifetime = std::make_shared<int>(0);
};

} // namespace iotcore::broker
