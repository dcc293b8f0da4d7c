#include "IotAuthenticator.h"

#include "PasswordHasher.h"
#include "observe/Log.h"

#include <algorithm>

namespace iotcore::broker {

namespace {

const Registry *registryOf(const Catalog &catalog, const EntityRef &entity)
{
    if (entity.kind == EntityKind::Registry)
        return catalog.registry(entity.id);
    if (entity.kind == EntityKind::Device) {
        if (const Device *device = catalog.device(entity.id))
            return catalog.registry(device->registryId);
    }
    return nullptr;
}


const char *entityKindNameOf(IotIdentity::Kind kind)
{
    switch (kind) {
    case IotIdentity::Kind::Device: return "device";
    case IotIdentity::Kind::Registry: return "registry";
    case IotIdentity::Kind::Broker: return "broker";
    }
    return "client";
}

std::string formatRate(double rate)
{
    return std::to_string(static_cast<long long>(rate));
}

} // namespace

// The catalog as TopicPolicy sees it: always the authenticator's current snapshot.
class IotAuthenticator::Directory final : public TopicDirectory
{
public:
    explicit Directory(const std::shared_ptr<const Catalog> &catalog) : m_catalog(catalog) {}

    std::optional<std::string> registryOfDevice(std::string_view deviceId) const override
    {
        if (const Device *device = m_catalog->device(deviceId))
            return device->registryId;
        return std::nullopt;
    }

    std::vector<TopicAlias> aliasesOfRegistry(std::string_view registryId) const override
    {
        // Asked on every PUBLISH to a topic not starting with '$': from the catalog's index, so
        // that it costs the registry's aliases, not its devices.
        std::vector<TopicAlias> aliases;
        if (const Catalog::AliasOwners *owners = m_catalog->aliasOwners(registryId)) {
            for (const auto &[alias, deviceId] : *owners) {
                if (const Device *device = m_catalog->device(deviceId))
                    aliases.push_back({alias, device->topicAliases.at(alias), deviceId});
            }
        }
        return aliases;
    }

private:
    const std::shared_ptr<const Catalog> &m_catalog;
};

// One connected client's rights: the topic policy for its identity, IoT Core session semantics,
// and its share of the monitoring data.
class IotAuthenticator::Rights final : public ClientRights
{
public:
    Rights(IotAuthenticator &owner, IotIdentity identity, std::string description,
           std::string address, LogOwner logOwner)
        : m_owner(owner)
        , m_lifetime(owner.m_lifetime)
        , m_identity(std::move(identity))
        , m_description(std::move(description))
        , m_address(std::move(address))
        , m_logOwner(std::move(logOwner))
        , m_monitoringTopic("$monitoring/" + m_identity.id + "/json")
    {
        if (m_identity.kind == IotIdentity::Kind::Broker)
            ++m_owner.m_brokerClients[m_identity.id];
    }

    ~Rights() override
    {
        if (m_identity.kind == IotIdentity::Kind::Broker && !m_lifetime.expired())
            --m_owner.m_brokerClients[m_identity.id];
    }

    RateCheck checkRate() override
    {
        if (m_owner.m_rateLimit == RateLimit::Off || m_lifetime.expired()
            || m_identity.kind == IotIdentity::Kind::Registry)
            return {};
        const double rate = m_identity.kind == IotIdentity::Kind::Broker ? BrokerMessagesPerSecond
                                                                        : DeviceMessagesPerSecond;
        RateState &state = m_owner.m_rates[m_identity.id];
        const auto now = std::chrono::steady_clock::now();
        if (state.refilled == std::chrono::steady_clock::time_point{}) {
            state.tokens = rate; // a second's worth to start with
        } else {
            const double elapsed = std::chrono::duration<double>(now - state.refilled).count();
            state.tokens = std::min(rate, state.tokens + elapsed * rate);
        }
        state.refilled = now;
        if (state.tokens >= 1.0) {
            state.tokens -= 1.0;
            return {};
        }
        ++state.overSinceWarning;
        RateCheck check;
        check.drop = m_owner.m_rateLimit == RateLimit::Drop;
        if (now - state.warned >= std::chrono::seconds(10)) {
            check.warning = std::string(entityKindNameOf(m_identity.kind)) + " " + m_identity.id
                + " is over its limit of " + formatRate(rate) + " message"
                + (rate == 1.0 ? "" : "s") + " per second ("
                + std::to_string(state.overSinceWarning) + " over since the last warning)"
                + (check.drop ? ": the excess is dropped" : "");
            state.warned = now;
            state.overSinceWarning = 0;
        }
        return check;
    }

    PublishCheck checkPublish(std::string_view topic) const override
    {
        const TopicPolicy::PublishDecision decision = m_owner.m_policy.publish(m_identity, topic);
        return {decision.allowed, decision.topic, decision.permanent, decision.reason};
    }

    SubscribeCheck checkSubscribe(std::string_view filter) const override
    {
        TopicPolicy::SubscribeDecision decision = m_owner.m_policy.subscribe(m_identity, filter);
        SubscribeCheck check;
        check.allowed = decision.allowed;
        check.exact = decision.exact;
        check.reason = decision.reason;
        for (TopicPolicy::Route &route : decision.routes) {
            check.routes.push_back({std::move(route.filter), std::move(route.canonicalPrefix),
                                    std::move(route.deliveredPrefix), route.checkRead});
        }
        return check;
    }

    bool mayRead(std::string_view topic) const override
    {
        return m_owner.m_policy.mayRead(m_identity, topic);
    }

    // Devices and registries: QoS 0 and 1, no persistent sessions, retain ignored. A broker's
    // clients get standard MQTT, each broker in a topic (and session) space of its own.
    bool isBroker() const { return m_identity.kind == IotIdentity::Kind::Broker; }
    bool allowsPersistentSession() const override { return isBroker(); }
    bool storesRetained() const override { return isBroker(); }
    std::string sessionSpace() const override
    {
        return isBroker() ? "$brokers/" + m_identity.id + "/" : std::string();
    }
    std::uint8_t maxQos() const override { return m_identity.kind == IotIdentity::Kind::Broker ? 2 : 1; }
    std::size_t maxPayloadSize() const override { return MaxPayloadSize; }

    const std::string *noticeTopic() const override
    {
        return m_identity.kind == IotIdentity::Kind::Device ? &m_monitoringTopic : nullptr;
    }

    std::optional<Notice> activity(Activity activity, bool wanted) override
    {
        if (m_identity.kind != IotIdentity::Kind::Device || m_lifetime.expired())
            return std::nullopt;
        Monitoring &monitoring = m_owner.m_monitoring[m_identity.id];
        const Timestamp now = std::chrono::system_clock::now();
        switch (activity) {
        case Activity::Connect:
            monitoring.lastAuth = now;
            monitoring.lastAuthIp = m_address;
            monitoring.lastOnline = now;
            break;
        case Activity::Publish:
            monitoring.lastPublish = now;
            monitoring.lastOnline = now;
            break;
        case Activity::Subscribe:
            monitoring.lastSubscribe = now;
            monitoring.lastOnline = now;
            break;
        case Activity::Disconnect:
            monitoring.lastDisconnect = now;
            return std::nullopt; // the service reported MQTT actions only
        }
        if (!wanted)
            return std::nullopt;
        return Notice{m_monitoringTopic, monitoringJson(monitoring)};
    }

    std::string describe() const override { return m_description; }
    LogOwner logOwner() const override { return m_logOwner; }

    bool stillAllowed() const override
    {
        const Catalog &catalog = *m_owner.m_catalog;
        EntityRef entity{EntityKind::Device, m_identity.id};
        if (m_identity.kind == IotIdentity::Kind::Registry)
            entity.kind = EntityKind::Registry;
        else if (m_identity.kind == IotIdentity::Kind::Broker)
            entity.kind = EntityKind::Broker;
        if (!catalog.entity(m_identity.id))
            return false;
        const Registry *registry = registryOf(catalog, entity);
        return !registry || registry->status == RegistryStatus::Active;
    }

private:
    // IOT_CORE.md, "Monitoring topic": absent fields left out, RFC 3339 with nanoseconds.
    std::string monitoringJson(const Monitoring &monitoring) const
    {
        std::string json = "{";
        auto field = [&](const char *name, const std::string &value) {
            if (json.size() > 1)
                json += ',';
            json += doubleQuoted(name) + ':' + doubleQuoted(value);
        };
        auto time = [&](const char *name, Timestamp value) {
            if (value != Timestamp{})
                field(name, formatRfc3339Nanos(value));
        };
        time("last_auth_time", monitoring.lastAuth);
        if (!monitoring.lastAuthIp.empty())
            field("last_auth_ip", monitoring.lastAuthIp);
        time("last_pub_activity_time", monitoring.lastPublish);
        time("last_sub_activity_time", monitoring.lastSubscribe);
        time("last_online_time", monitoring.lastOnline);
        field("registry_id", m_identity.registryId);
        field("device_id", m_identity.id);
        return json + '}';
    }

    IotAuthenticator &m_owner;
    std::weak_ptr<int> m_lifetime;
    IotIdentity m_identity;
    std::string m_description;
    std::string m_address;
    LogOwner m_logOwner;
    std::string m_monitoringTopic; // $monitoring/<id>/json
};

IotAuthenticator::IotAuthenticator(PostToBroker post, std::shared_ptr<const Catalog> catalog,
                                   unsigned workerThreads)
    : m_post(std::move(post))
    , m_catalog(catalog ? std::move(catalog) : std::make_shared<const Catalog>())
    , m_directory(std::make_unique<Directory>(m_catalog))
    , m_policy(*m_directory)
{
    for (unsigned i = 0; i < std::max(1u, workerThreads); ++i)
        m_workers.emplace_back([this] { runWorker(); });
}

IotAuthenticator::~IotAuthenticator()
{
    {
        std::lock_guard lock(m_jobsMutex);
        m_stopping = true;
    }
    m_jobsChanged.notify_all();
    for (std::thread &worker : m_workers)
        worker.join();
}

void IotAuthenticator::setCatalog(std::shared_ptr<const Catalog> catalog)
{
    // Passwords may have changed: verified ones are checked against the stored hash on every
    // hit, so a removed password stops working at once.
    m_catalog = std::move(catalog);
}

const IotAuthenticator::Monitoring *IotAuthenticator::monitoring(std::string_view deviceId) const
{
    const auto it = m_monitoring.find(std::string(deviceId));
    return it == m_monitoring.end() ? nullptr : &it->second;
}

IotAuthenticator::Verdict IotAuthenticator::decide(const Request &request,
                                                   const EntityRef &entity, const char *how)
{
    Verdict verdict;
    IotIdentity identity;
    identity.id = entity.id;
    switch (entity.kind) {
    case EntityKind::Device: {
        const Device *device = m_catalog->device(entity.id);
        if (!device) {
            verdict.reason = "unknown device " + entity.id;
            return verdict;
        }
        identity.kind = IotIdentity::Kind::Device;
        identity.registryId = device->registryId;
        break;
    }
    case EntityKind::Registry:
        identity.kind = IotIdentity::Kind::Registry;
        identity.registryId = entity.id;
        break;
    case EntityKind::Broker: {
        identity.kind = IotIdentity::Kind::Broker;
        // IOT_CORE.md, "Limits": 50 clients per broker, handled like the message rate.
        const std::size_t clients = m_brokerClients[entity.id];
        if (clients >= BrokerMaxClients && m_rateLimit != RateLimit::Off) {
            const std::string excess = "broker " + entity.id + " already has "
                + std::to_string(clients) + " clients, over its limit of "
                + std::to_string(BrokerMaxClients);
            if (m_rateLimit == RateLimit::Drop) {
                verdict.code = ConnectReturnCode::ServerUnavailable;
                verdict.reason = excess;
                return verdict;
            }
            verdict.warning = excess;
        }
        break;
    }
    }
    if (const Registry *registry = registryOf(*m_catalog, entity);
        registry && registry->status == RegistryStatus::Disabled) {
        verdict.reason = "registry " + registry->id + " is disabled";
        return verdict;
    }
    std::string description = std::string(entityKindName(entity.kind)) + " " + entity.id + " ("
        + how;
    if (request.certificate && std::string_view(how) == "cert")
        description += " " + request.certificate->sha1Fingerprint;
    description += ')';
    // The service logged the certificate's fingerprint; for a password it documented nothing, so
    // the username (the entity's id) stands in its place (IOT_CORE.md, "Connection log lines").
    ClientRights::LogOwner logOwner{entityKindName(entity.kind), entity.id, {}};
    if (request.certificate && std::string_view(how) == "cert")
        logOwner.credential = "cert: " + doubleQuoted(request.certificate->sha1Fingerprint);
    else
        logOwner.credential = "username: " + doubleQuoted(entity.id);
    verdict.code = ConnectReturnCode::Accepted;
    verdict.rights = std::make_unique<Rights>(*this, std::move(identity), std::move(description),
                                              request.address, std::move(logOwner));
    return verdict;
}

void IotAuthenticator::authenticate(Request request, std::function<void(Verdict)> done)
{
    auto answer = [this, done](Verdict verdict) {
        auto shared = std::make_shared<Verdict>(std::move(verdict));
        m_post([done, shared] { done(std::move(*shared)); });
    };

    // An in-process listener of this process vouches for the username (the console acting as an
    // entity whose password it never sees): the entity's rights as after a password, and the
    // same refusals for an unknown id or a disabled registry.
    if (request.identityAsserted) {
        const std::string username = request.username.value_or("");
        if (const std::optional<EntityRef> entity = m_catalog->entity(username)) {
            answer(decide(request, *entity, "asserted"));
            return;
        }
        Verdict refused;
        refused.reason = "unknown username \"" + username + "\"";
        answer(std::move(refused));
        return;
    }
    // Password wins over certificate (IOT_CORE.md, "Connecting").
    if (request.password) {
        Verdict refused;
        const std::string username = request.username.value_or("");
        const std::optional<EntityRef> entity = m_catalog->entity(username);
        const std::vector<PasswordRecord> *records = m_catalog->passwordsOf(username);
        if (!entity || !records || records->empty()) {
            refused.reason = entity ? username + " has no password" : "unknown username \"" + username + "\"";
            answer(std::move(refused));
            return;
        }
        std::vector<std::string> hashes;
        for (const PasswordRecord &record : *records)
            hashes.push_back(record.hash);
        if (const std::optional<std::string> matched = m_cache.lookup(username, *request.password);
            matched && std::find(hashes.begin(), hashes.end(), *matched) != hashes.end()) {
            answer(decide(request, *entity, "password"));
            return;
        }
        std::weak_ptr<int> alive = m_lifetime;
        auto shared = std::make_shared<Request>(std::move(request));
        Job job;
        job.password = *shared->password;
        job.entityId = username;
        job.hashes = std::move(hashes);
        job.done = [this, alive, shared, done, entity = *entity](bool verified) {
            m_post([this, alive, shared, done, entity, verified] {
                if (alive.expired())
                    return;
                if (!verified) {
                    Verdict refused;
                    refused.reason = "wrong password for " + entity.id;
                    done(std::move(refused));
                    return;
                }
                done(decide(*shared, entity, "password"));
            });
        };
        verifyOffThread(std::move(job));
        return;
    }
    if (request.certificate) {
        if (const std::optional<EntityRef> owner =
                m_catalog->ownerOfCertificate(request.certificate->sha1Fingerprint)) {
            answer(decide(request, *owner, "cert"));
            return;
        }
        Verdict refused;
        refused.reason = "unknown certificate " + request.certificate->sha1Fingerprint;
        answer(std::move(refused));
        return;
    }
    Verdict refused;
    refused.reason = "no password and no client certificate";
    answer(std::move(refused));
}

void IotAuthenticator::verifyOffThread(Job job)
{
    {
        std::lock_guard lock(m_jobsMutex);
        m_jobs.push_back(std::move(job));
    }
    m_jobsChanged.notify_one();
}

void IotAuthenticator::runWorker()
{
    while (true) {
        Job job;
        {
            std::unique_lock lock(m_jobsMutex);
            m_jobsChanged.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
            if (m_stopping)
                return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        bool verified = false;
        for (const std::string &hash : job.hashes) {
            if (PasswordHasher::verify(job.password, hash) == PasswordHasher::Verdict::Match) {
                m_cache.remember(job.entityId, job.password, hash);
                verified = true;
                break;
            }
        }
        job.done(verified);
    }
}

} // namespace iotcore::broker
