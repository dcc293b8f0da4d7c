#pragma once

// The IoT Core catalog in memory: registries, devices, brokers and their credentials
// (IOT_CORE.md, "Resources"). Every operation either succeeds completely or changes nothing and
// returns one line saying why. Plain C++: no signals, no locks; it lives on whichever thread
// owns it. Persistence (broker/store) and the topic policy build on it.

#include "CatalogTypes.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace iotcore::broker {

// A value or one line saying why there is none.
template <typename T>
struct CatalogResult {
    std::optional<T> value;
    std::string error;

    static CatalogResult failure(std::string message) { return {std::nullopt, std::move(message)}; }
    explicit operator bool() const { return value.has_value(); }
    const T &operator*() const { return *value; }
    const T *operator->() const { return &*value; }
};

// Success is an empty error.
struct CatalogStatus {
    std::string error;
    bool ok() const { return error.empty(); }
    explicit operator bool() const { return ok(); }
};

struct RegistryUpdate {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<Labels> labels;
};

struct DeviceUpdate {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<Labels> labels;
};

struct BrokerUpdate {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<Labels> labels;
};

class Catalog
{
public:
    using Clock = std::function<Timestamp()>;
    using IdGenerator = std::function<std::string()>; // "are" + 17 of [0-9a-v]

    // Defaults: the system clock and randomEntityId().
    explicit Catalog(Clock clock = {}, IdGenerator newId = {});

    // An IoT Core id from OpenSSL's random generator (Decision: "are" + 17 of [0-9a-v]).
    static std::string randomEntityId();

    // Creation takes a draft: an empty id is generated (a given one, e.g. imported, must be
    // 20 of [0-9a-z]); a zero createdAt is now; certificates and passwords in the draft are
    // checked like add…() would (password records need a hash; an empty id is generated).
    CatalogResult<Registry> createRegistry(Registry draft);
    CatalogResult<Registry> updateRegistry(std::string_view id, const RegistryUpdate &update);
    CatalogStatus setRegistryStatus(std::string_view id, RegistryStatus status);
    CatalogStatus deleteRegistry(std::string_view id); // refused while it has devices

    // Alias targets may use "{id}"; they are stored expanded.
    CatalogResult<Device> createDevice(Device draft);
    CatalogResult<Device> updateDevice(std::string_view id, const DeviceUpdate &update);
    CatalogStatus deleteDevice(std::string_view id);
    CatalogResult<Device> addTopicAliases(std::string_view deviceId, const TopicAliases &aliases);
    CatalogResult<Device> removeTopicAliases(std::string_view deviceId,
                                             const std::vector<std::string> &aliases);

    CatalogResult<IotBroker> createBroker(IotBroker draft);
    CatalogResult<IotBroker> updateBroker(std::string_view id, const BrokerUpdate &update);
    CatalogStatus deleteBroker(std::string_view id);

    // Credentials of any entity, named by its id. The fingerprint must already be computed
    // (parseCertificate); the hash is a `$7$` hash (PasswordHasher).
    CatalogResult<Certificate> addCertificate(std::string_view entityId, Certificate certificate);
    CatalogStatus removeCertificate(std::string_view entityId, std::string_view fingerprint);
    CatalogResult<PasswordRecord> addPassword(std::string_view entityId, std::string hash);
    CatalogStatus removePassword(std::string_view entityId, std::string_view passwordId);

    const Registry *registry(std::string_view id) const;
    const Registry *registryByName(std::string_view name) const;
    const Device *device(std::string_view id) const;
    const Device *deviceByName(std::string_view registryId, std::string_view name) const;
    const IotBroker *broker(std::string_view id) const;
    const IotBroker *brokerByName(std::string_view name) const;

    std::vector<const Registry *> registries() const; // by id
    std::vector<const Device *> devices(std::string_view registryId) const; // by id
    std::vector<const IotBroker *> brokers() const; // by id
    std::size_t deviceCount(std::string_view registryId) const;
    // Every topic alias of a registry's devices, by alias name, with the device that owns it
    // (null when it has none): an index, not a walk over the devices.
    using AliasOwners = std::map<std::string, std::string, std::less<>>; // alias → device id
    const AliasOwners *aliasOwners(std::string_view registryId) const;

    // What a username (an id of any kind) names.
    std::optional<EntityRef> entity(std::string_view id) const;
    std::optional<EntityRef> ownerOfCertificate(std::string_view fingerprint) const;
    // Both empty for an unknown id.
    const std::vector<Certificate> *certificatesOf(std::string_view entityId) const;
    const std::vector<PasswordRecord> *passwordsOf(std::string_view entityId) const;

private:
    struct Credentials {
        std::vector<Certificate> *certificates = nullptr;
        std::vector<PasswordRecord> *passwords = nullptr;
    };

    Credentials credentialsOf(std::string_view entityId);
    std::string describe(const EntityRef &entity) const;
    CatalogResult<std::string> assignId(const std::string &requested) const;
    template<typename Entity>
    std::string completeDraft(Entity &draft, const std::string &id) const;
    std::string prepareCredentials(std::vector<Certificate> &certificates,
                                   std::vector<PasswordRecord> &passwords, Timestamp now,
                                   std::vector<std::string> &takenIds) const;
    std::string checkRegistryAliases(std::string_view registryId, std::string_view deviceId,
                                     const TopicAliases &aliases) const;
    void indexAliases(const std::string &registryId, const std::string &deviceId,
                      const TopicAliases &aliases);
    void unindexAliases(const std::string &registryId, const TopicAliases &aliases);
    void indexCertificates(const std::vector<Certificate> &certificates, const EntityRef &owner);
    void unindexCertificates(const std::vector<Certificate> &certificates);

    Clock m_clock;
    IdGenerator m_newId;
    std::map<std::string, Registry, std::less<>> m_registries;
    std::map<std::string, Device, std::less<>> m_devices;
    std::map<std::string, IotBroker, std::less<>> m_brokers;
    std::unordered_map<std::string, EntityRef> m_certificateOwners; // fingerprint → owner
    // registry id → device name → device id: names are unique per registry, and lookups by
    // registry must not walk every device (a catalog of 10,000 devices loads in one pass).
    std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>>
        m_devicesByRegistry;
    // registry id → alias → device id, for the prefix rule between aliases of a registry
    std::map<std::string, AliasOwners, std::less<>> m_aliasesByRegistry;
};

} // namespace iotcore::broker
