#include "Catalog.h"

#include "CatalogRules.h"
#include "PasswordHasher.h"

#include <openssl/rand.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace iotcore::broker {

namespace {

std::string quoted(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

template <typename Map>
auto *findIn(Map &map, std::string_view id)
{
    const auto found = map.find(id);
    return found == map.end() ? nullptr : &found->second;
}

// Applies the optional name/description/labels of an update after checking them.
template <typename Entity, typename Update>
std::string applyCommonUpdate(Entity &entity, const Update &update, std::string_view what)
{
    if (update.name)
        if (auto error = rules::checkName(*update.name, std::string(what) + " name"); !error.empty())
            return error;
    if (update.description)
        if (auto error = rules::checkDescription(*update.description); !error.empty())
            return error;
    if (update.labels)
        if (auto error = rules::checkLabels(*update.labels); !error.empty())
            return error;
    if (update.name) entity.name = *update.name;
    if (update.description) entity.description = *update.description;
    if (update.labels) entity.labels = *update.labels;
    return {};
}

template <typename Entity>
std::string checkCommon(const Entity &entity, std::string_view what)
{
    if (auto error = rules::checkName(entity.name, std::string(what) + " name"); !error.empty())
        return error;
    if (auto error = rules::checkDescription(entity.description); !error.empty())
        return error;
    return rules::checkLabels(entity.labels);
}

} // namespace

Catalog::Catalog(Clock clock, IdGenerator newId)
    : m_clock(clock ? std::move(clock) : Clock([] { return std::chrono::system_clock::now(); }))
    , m_newId(newId ? std::move(newId) : IdGenerator(&Catalog::randomEntityId))
{
}

std::string Catalog::randomEntityId()
{
    static constexpr char Alphabet[] = "0123456789abcdefghijklmnopqrstuv"; // 32: 5 bits each
    unsigned char random[17];
    if (RAND_bytes(random, int(sizeof random)) != 1)
        throw std::runtime_error("no random bytes from OpenSSL for an id");
    std::string id(rules::GeneratedIdPrefix);
    for (unsigned char byte : random)
        id += Alphabet[byte & 31];
    return id;
}

// A new entity's last checks and its id and creation time: the credentials are checked and given
// ids (prepareCredentials), a zero createdAt becomes now. Nothing is changed on failure but the
// draft, which the caller then drops.
template<typename Entity>
std::string Catalog::completeDraft(Entity &draft, const std::string &id) const
{
    const Timestamp now = m_clock();
    std::vector<std::string> takenIds{id};
    if (auto error = prepareCredentials(draft.certificates, draft.passwords, now, takenIds);
        !error.empty())
        return error;
    draft.id = id;
    if (draft.createdAt == Timestamp{})
        draft.createdAt = now;
    return {};
}

// ---- registries ------------------------------------------------------------------------------

CatalogResult<Registry> Catalog::createRegistry(Registry draft)
{
    using Result = CatalogResult<Registry>;
    if (auto error = checkCommon(draft, "registry"); !error.empty())
        return Result::failure(error);
    if (registryByName(draft.name))
        return Result::failure("a registry named " + quoted(draft.name) + " already exists");
    auto id = assignId(draft.id);
    if (!id)
        return Result::failure(id.error);
    if (auto error = completeDraft(draft, *id); !error.empty())
        return Result::failure(error);
    indexCertificates(draft.certificates, {EntityKind::Registry, draft.id});
    const Registry &stored = m_registries.emplace(draft.id, std::move(draft)).first->second;
    return {stored, {}};
}

CatalogResult<Registry> Catalog::updateRegistry(std::string_view id, const RegistryUpdate &update)
{
    using Result = CatalogResult<Registry>;
    Registry *registry = findIn(m_registries, id);
    if (!registry)
        return Result::failure("no registry with id " + quoted(id));
    if (update.name && *update.name != registry->name && registryByName(*update.name))
        return Result::failure("a registry named " + quoted(*update.name) + " already exists");
    Registry changed = *registry;
    if (auto error = applyCommonUpdate(changed, update, "registry"); !error.empty())
        return Result::failure(error);
    *registry = std::move(changed);
    return {*registry, {}};
}

CatalogStatus Catalog::setRegistryStatus(std::string_view id, RegistryStatus status)
{
    Registry *registry = findIn(m_registries, id);
    if (!registry)
        return {"no registry with id " + quoted(id)};
    registry->status = status;
    return {};
}

CatalogStatus Catalog::deleteRegistry(std::string_view id)
{
    const auto found = m_registries.find(id);
    if (found == m_registries.end())
        return {"no registry with id " + quoted(id)};
    if (const std::size_t devices = deviceCount(id); devices > 0)
        return {"registry " + quoted(found->second.name) + " still has " + std::to_string(devices)
                + (devices == 1 ? " device" : " devices") + ": delete them first"};
    unindexCertificates(found->second.certificates);
    m_registries.erase(found);
    return {};
}

// ---- devices ---------------------------------------------------------------------------------

CatalogResult<Device> Catalog::createDevice(Device draft)
{
    using Result = CatalogResult<Device>;
    const Registry *owner = registry(draft.registryId);
    if (!owner)
        return Result::failure("no registry with id " + quoted(draft.registryId));
    if (auto error = checkCommon(draft, "device"); !error.empty())
        return Result::failure(error);
    if (deviceByName(draft.registryId, draft.name))
        return Result::failure("registry " + quoted(owner->name) + " already has a device named "
                               + quoted(draft.name));
    auto id = assignId(draft.id);
    if (!id)
        return Result::failure(id.error);
    TopicAliases aliases;
    for (const auto &[alias, target] : draft.topicAliases)
        aliases[alias] = rules::expandAliasTarget(target, *id);
    if (auto error = rules::checkTopicAliasCount(aliases.size()); !error.empty())
        return Result::failure(error);
    for (const auto &[alias, target] : aliases)
        if (auto error = rules::checkTopicAlias(alias, target, *id); !error.empty())
            return Result::failure(error);
    if (auto error = checkRegistryAliases(draft.registryId, *id, aliases); !error.empty())
        return Result::failure(error);
    if (auto error = completeDraft(draft, *id); !error.empty())
        return Result::failure(error);
    draft.topicAliases = std::move(aliases);
    indexCertificates(draft.certificates, {EntityKind::Device, draft.id});
    m_devicesByRegistry[draft.registryId][draft.name] = draft.id;
    indexAliases(draft.registryId, draft.id, draft.topicAliases);
    const Device &stored = m_devices.emplace(draft.id, std::move(draft)).first->second;
    return {stored, {}};
}

CatalogResult<Device> Catalog::updateDevice(std::string_view id, const DeviceUpdate &update)
{
    using Result = CatalogResult<Device>;
    Device *device = findIn(m_devices, id);
    if (!device)
        return Result::failure("no device with id " + quoted(id));
    if (update.name && *update.name != device->name
        && deviceByName(device->registryId, *update.name))
        return Result::failure("registry " + quoted(registry(device->registryId)->name)
                               + " already has a device named " + quoted(*update.name));
    Device changed = *device;
    if (auto error = applyCommonUpdate(changed, update, "device"); !error.empty())
        return Result::failure(error);
    if (changed.name != device->name) {
        auto &names = m_devicesByRegistry[device->registryId];
        names.erase(device->name);
        names[changed.name] = device->id;
    }
    *device = std::move(changed);
    return {*device, {}};
}

CatalogStatus Catalog::deleteDevice(std::string_view id)
{
    const auto found = m_devices.find(id);
    if (found == m_devices.end())
        return {"no device with id " + quoted(id)};
    unindexCertificates(found->second.certificates);
    unindexAliases(found->second.registryId, found->second.topicAliases);
    if (auto names = m_devicesByRegistry.find(found->second.registryId);
        names != m_devicesByRegistry.end()) {
        names->second.erase(found->second.name);
        if (names->second.empty())
            m_devicesByRegistry.erase(names);
    }
    m_devices.erase(found);
    return {};
}

CatalogResult<Device> Catalog::addTopicAliases(std::string_view deviceId,
                                               const TopicAliases &aliases)
{
    using Result = CatalogResult<Device>;
    Device *device = findIn(m_devices, deviceId);
    if (!device)
        return Result::failure("no device with id " + quoted(deviceId));
    TopicAliases merged = device->topicAliases;
    for (const auto &[alias, target] : aliases) {
        if (merged.count(alias))
            return Result::failure("device " + quoted(device->name) + " already has topic alias "
                                   + quoted(alias));
        merged[alias] = rules::expandAliasTarget(target, device->id);
        if (auto error = rules::checkTopicAlias(alias, merged[alias], device->id); !error.empty())
            return Result::failure(error);
    }
    if (auto error = rules::checkTopicAliasCount(merged.size()); !error.empty())
        return Result::failure(error);
    if (auto error = checkRegistryAliases(device->registryId, device->id, merged); !error.empty())
        return Result::failure(error);
    unindexAliases(device->registryId, device->topicAliases);
    device->topicAliases = std::move(merged);
    indexAliases(device->registryId, device->id, device->topicAliases);
    return {*device, {}};
}

CatalogResult<Device> Catalog::removeTopicAliases(std::string_view deviceId,
                                                  const std::vector<std::string> &aliases)
{
    using Result = CatalogResult<Device>;
    Device *device = findIn(m_devices, deviceId);
    if (!device)
        return Result::failure("no device with id " + quoted(deviceId));
    for (const std::string &alias : aliases)
        if (!device->topicAliases.count(alias))
            return Result::failure("device " + quoted(device->name) + " has no topic alias "
                                   + quoted(alias));
    unindexAliases(device->registryId, device->topicAliases);
    for (const std::string &alias : aliases)
        device->topicAliases.erase(alias);
    indexAliases(device->registryId, device->id, device->topicAliases);
    return {*device, {}};
}

// ---- brokers ---------------------------------------------------------------------------------

CatalogResult<IotBroker> Catalog::createBroker(IotBroker draft)
{
    using Result = CatalogResult<IotBroker>;
    if (auto error = checkCommon(draft, "broker"); !error.empty())
        return Result::failure(error);
    if (brokerByName(draft.name))
        return Result::failure("a broker named " + quoted(draft.name) + " already exists");
    auto id = assignId(draft.id);
    if (!id)
        return Result::failure(id.error);
    if (auto error = completeDraft(draft, *id); !error.empty())
        return Result::failure(error);
    indexCertificates(draft.certificates, {EntityKind::Broker, draft.id});
    const IotBroker &stored = m_brokers.emplace(draft.id, std::move(draft)).first->second;
    return {stored, {}};
}

CatalogResult<IotBroker> Catalog::updateBroker(std::string_view id, const BrokerUpdate &update)
{
    using Result = CatalogResult<IotBroker>;
    IotBroker *broker = findIn(m_brokers, id);
    if (!broker)
        return Result::failure("no broker with id " + quoted(id));
    if (update.name && *update.name != broker->name && brokerByName(*update.name))
        return Result::failure("a broker named " + quoted(*update.name) + " already exists");
    IotBroker changed = *broker;
    if (auto error = applyCommonUpdate(changed, update, "broker"); !error.empty())
        return Result::failure(error);
    *broker = std::move(changed);
    return {*broker, {}};
}

CatalogStatus Catalog::deleteBroker(std::string_view id)
{
    const auto found = m_brokers.find(id);
    if (found == m_brokers.end())
        return {"no broker with id " + quoted(id)};
    unindexCertificates(found->second.certificates);
    m_brokers.erase(found);
    return {};
}

// ---- credentials -----------------------------------------------------------------------------

CatalogResult<Certificate> Catalog::addCertificate(std::string_view entityId,
                                                   Certificate certificate)
{
    using Result = CatalogResult<Certificate>;
    const std::optional<EntityRef> owner = entity(entityId);
    if (!owner)
        return Result::failure("no registry, device or broker with id " + quoted(entityId));
    Credentials credentials = credentialsOf(entityId);
    std::vector<Certificate> added = {std::move(certificate)};
    std::vector<PasswordRecord> none;
    std::vector<std::string> takenIds;
    if (credentials.certificates->size() + 1 > rules::MaxCertificates)
        return Result::failure(describe(*owner)
                               + " already has 5 certificates (at most 5 per entity)");
    if (auto error = prepareCredentials(added, none, m_clock(), takenIds); !error.empty())
        return Result::failure(error);
    indexCertificates(added, *owner);
    credentials.certificates->push_back(added.front());
    return {added.front(), {}};
}

CatalogStatus Catalog::removeCertificate(std::string_view entityId, std::string_view fingerprint)
{
    const std::optional<EntityRef> owner = entity(entityId);
    if (!owner)
        return {"no registry, device or broker with id " + quoted(entityId)};
    std::vector<Certificate> &certificates = *credentialsOf(entityId).certificates;
    const auto found = std::find_if(certificates.begin(), certificates.end(),
                                    [&](const Certificate &c) { return c.fingerprint == fingerprint; });
    if (found == certificates.end())
        return {describe(*owner) + " has no certificate with fingerprint " + quoted(fingerprint)};
    m_certificateOwners.erase(found->fingerprint);
    certificates.erase(found);
    return {};
}

CatalogResult<PasswordRecord> Catalog::addPassword(std::string_view entityId, std::string hash)
{
    using Result = CatalogResult<PasswordRecord>;
    const std::optional<EntityRef> owner = entity(entityId);
    if (!owner)
        return Result::failure("no registry, device or broker with id " + quoted(entityId));
    Credentials credentials = credentialsOf(entityId);
    if (credentials.passwords->size() + 1 > rules::MaxPasswords)
        return Result::failure(describe(*owner) + " already has 5 passwords (at most 5 per entity)");
    std::vector<Certificate> none;
    std::vector<PasswordRecord> added = {PasswordRecord{{}, std::move(hash), {}}};
    std::vector<std::string> takenIds;
    for (const PasswordRecord &existing : *credentials.passwords)
        takenIds.push_back(existing.id);
    if (auto error = prepareCredentials(none, added, m_clock(), takenIds); !error.empty())
        return Result::failure(error);
    credentials.passwords->push_back(added.front());
    return {added.front(), {}};
}

CatalogStatus Catalog::removePassword(std::string_view entityId, std::string_view passwordId)
{
    const std::optional<EntityRef> owner = entity(entityId);
    if (!owner)
        return {"no registry, device or broker with id " + quoted(entityId)};
    std::vector<PasswordRecord> &passwords = *credentialsOf(entityId).passwords;
    const auto found = std::find_if(passwords.begin(), passwords.end(),
                                    [&](const PasswordRecord &p) { return p.id == passwordId; });
    if (found == passwords.end())
        return {describe(*owner) + " has no password with id " + quoted(passwordId)};
    passwords.erase(found);
    return {};
}

// ---- lookups ---------------------------------------------------------------------------------

const Registry *Catalog::registry(std::string_view id) const
{
    return findIn(m_registries, id);
}

const Registry *Catalog::registryByName(std::string_view name) const
{
    for (const auto &[id, registry] : m_registries)
        if (registry.name == name)
            return &registry;
    return nullptr;
}

const Device *Catalog::device(std::string_view id) const
{
    return findIn(m_devices, id);
}

const Device *Catalog::deviceByName(std::string_view registryId, std::string_view name) const
{
    const auto names = m_devicesByRegistry.find(registryId);
    if (names == m_devicesByRegistry.end())
        return nullptr;
    const auto id = names->second.find(name);
    return id == names->second.end() ? nullptr : device(id->second);
}

const IotBroker *Catalog::broker(std::string_view id) const
{
    return findIn(m_brokers, id);
}

const IotBroker *Catalog::brokerByName(std::string_view name) const
{
    for (const auto &[id, broker] : m_brokers)
        if (broker.name == name)
            return &broker;
    return nullptr;
}

std::vector<const Registry *> Catalog::registries() const
{
    std::vector<const Registry *> all;
    for (const auto &[id, registry] : m_registries)
        all.push_back(&registry);
    return all;
}

std::vector<const Device *> Catalog::devices(std::string_view registryId) const
{
    std::vector<const Device *> all;
    const auto names = m_devicesByRegistry.find(registryId);
    if (names == m_devicesByRegistry.end())
        return all;
    all.reserve(names->second.size());
    for (const auto &[name, id] : names->second)
        all.push_back(device(id));
    std::sort(all.begin(), all.end(),
              [](const Device *a, const Device *b) { return a->id < b->id; });
    return all;
}

std::vector<const IotBroker *> Catalog::brokers() const
{
    std::vector<const IotBroker *> all;
    for (const auto &[id, broker] : m_brokers)
        all.push_back(&broker);
    return all;
}

const Catalog::AliasOwners *Catalog::aliasOwners(std::string_view registryId) const
{
    const auto found = m_aliasesByRegistry.find(registryId);
    return found == m_aliasesByRegistry.end() ? nullptr : &found->second;
}

std::size_t Catalog::deviceCount(std::string_view registryId) const
{
    const auto names = m_devicesByRegistry.find(registryId);
    return names == m_devicesByRegistry.end() ? 0 : names->second.size();
}

std::optional<EntityRef> Catalog::entity(std::string_view id) const
{
    if (m_registries.count(id))
        return EntityRef{EntityKind::Registry, std::string(id)};
    if (m_devices.count(id))
        return EntityRef{EntityKind::Device, std::string(id)};
    if (m_brokers.count(id))
        return EntityRef{EntityKind::Broker, std::string(id)};
    return std::nullopt;
}

std::optional<EntityRef> Catalog::ownerOfCertificate(std::string_view fingerprint) const
{
    const auto found = m_certificateOwners.find(std::string(fingerprint));
    if (found == m_certificateOwners.end())
        return std::nullopt;
    return found->second;
}

const std::vector<Certificate> *Catalog::certificatesOf(std::string_view entityId) const
{
    return const_cast<Catalog *>(this)->credentialsOf(entityId).certificates;
}

const std::vector<PasswordRecord> *Catalog::passwordsOf(std::string_view entityId) const
{
    return const_cast<Catalog *>(this)->credentialsOf(entityId).passwords;
}

// ---- helpers ---------------------------------------------------------------------------------

Catalog::Credentials Catalog::credentialsOf(std::string_view entityId)
{
    if (Registry *registry = findIn(m_registries, entityId))
        return {&registry->certificates, &registry->passwords};
    if (Device *device = findIn(m_devices, entityId))
        return {&device->certificates, &device->passwords};
    if (IotBroker *broker = findIn(m_brokers, entityId))
        return {&broker->certificates, &broker->passwords};
    return {};
}

std::string Catalog::describe(const EntityRef &entity) const
{
    std::string name;
    switch (entity.kind) {
    case EntityKind::Registry:
        if (const Registry *r = registry(entity.id)) name = r->name;
        break;
    case EntityKind::Device:
        if (const Device *d = device(entity.id)) name = d->name;
        break;
    case EntityKind::Broker:
        if (const IotBroker *b = broker(entity.id)) name = b->name;
        break;
    }
    return std::string(entityKindName(entity.kind)) + " " + quoted(name) + " (" + entity.id + ")";
}

CatalogResult<std::string> Catalog::assignId(const std::string &requested) const
{
    using Result = CatalogResult<std::string>;
    if (!requested.empty()) {
        if (auto error = rules::checkId(requested); !error.empty())
            return Result::failure(error);
        if (const auto taken = entity(requested))
            return Result::failure("id " + quoted(requested) + " is already used by "
                                   + describe(*taken));
        return {requested, {}};
    }
    // A random 85-bit id collides essentially never; a few tries guard a poor test generator.
    for (int attempt = 0; attempt < 8; ++attempt) {
        std::string id = m_newId();
        if (rules::checkId(id).empty() && !entity(id))
            return {std::move(id), {}};
    }
    return Result::failure("could not generate a free id");
}

std::string Catalog::prepareCredentials(std::vector<Certificate> &certificates,
                                        std::vector<PasswordRecord> &passwords, Timestamp now,
                                        std::vector<std::string> &takenIds) const
{
    if (auto error = rules::checkCertificateCount(certificates.size()); !error.empty())
        return error;
    if (auto error = rules::checkPasswordCount(passwords.size()); !error.empty())
        return error;
    std::set<std::string> fingerprints;
    for (Certificate &certificate : certificates) {
        if (auto error = rules::checkFingerprint(certificate.fingerprint); !error.empty())
            return error;
        if (certificate.certificateData.empty())
            return "certificate " + certificate.fingerprint + " has no certificate data";
        if (!fingerprints.insert(certificate.fingerprint).second)
            return "certificate " + certificate.fingerprint + " is given twice";
        if (const auto owner = ownerOfCertificate(certificate.fingerprint))
            return "certificate " + certificate.fingerprint + " already belongs to "
                   + describe(*owner);
        if (certificate.createdAt == Timestamp{})
            certificate.createdAt = now;
    }
    for (PasswordRecord &password : passwords) {
        std::string reason;
        if (!PasswordHasher::isWellFormed(password.hash, &reason))
            return reason;
        if (password.id.empty()) {
            for (int attempt = 0; attempt < 8 && password.id.empty(); ++attempt) {
                std::string id = m_newId();
                if (std::find(takenIds.begin(), takenIds.end(), id) == takenIds.end())
                    password.id = std::move(id);
            }
            if (password.id.empty())
                return "could not generate a free password id";
        } else if (std::find(takenIds.begin(), takenIds.end(), password.id) != takenIds.end()) {
            return "password id " + quoted(password.id) + " is given twice";
        }
        takenIds.push_back(password.id);
        if (password.createdAt == Timestamp{})
            password.createdAt = now;
    }
    return {};
}

std::string Catalog::checkRegistryAliases(std::string_view registryId, std::string_view deviceId,
                                          const TopicAliases &aliases) const
{
    std::vector<std::string> own;
    for (const auto &[alias, target] : aliases)
        own.push_back(alias);
    if (auto error = rules::checkAliasesDisjoint(own); !error.empty())
        return error;
    const auto index = m_aliasesByRegistry.find(registryId);
    if (index == m_aliasesByRegistry.end())
        return {};
    // Within a registry no alias may be a string prefix of another (IOT_CORE.md): against the
    // other devices' aliases, look up each prefix of the new alias, and the aliases it prefixes.
    const auto &others = index->second;
    for (const std::string &alias : own) {
        for (std::size_t length = 1; length <= alias.size(); ++length) {
            const auto found = others.find(std::string_view(alias).substr(0, length));
            if (found != others.end() && found->second != deviceId)
                return rules::checkAliasesDisjoint({found->first, alias});
        }
        for (auto it = others.lower_bound(alias); it != others.end() && it->first.starts_with(alias);
             ++it) {
            if (it->second != deviceId)
                return rules::checkAliasesDisjoint({alias, it->first});
        }
    }
    return {};
}

void Catalog::indexAliases(const std::string &registryId, const std::string &deviceId,
                           const TopicAliases &aliases)
{
    for (const auto &[alias, target] : aliases)
        m_aliasesByRegistry[registryId][alias] = deviceId;
}

void Catalog::unindexAliases(const std::string &registryId, const TopicAliases &aliases)
{
    const auto index = m_aliasesByRegistry.find(registryId);
    if (index == m_aliasesByRegistry.end())
        return;
    for (const auto &[alias, target] : aliases)
        index->second.erase(alias);
    if (index->second.empty())
        m_aliasesByRegistry.erase(index);
}

void Catalog::indexCertificates(const std::vector<Certificate> &certificates,
                                const EntityRef &owner)
{
    for (const Certificate &certificate : certificates)
        m_certificateOwners[certificate.fingerprint] = owner;
}

void Catalog::unindexCertificates(const std::vector<Certificate> &certificates)
{
    for (const Certificate &certificate : certificates)
        m_certificateOwners.erase(certificate.fingerprint);
}

} // namespace iotcore::broker
