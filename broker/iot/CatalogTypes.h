#pragma once

// The IoT Core catalog's value types (IOT_CORE.md, "Resources"): registries, devices, the
// service's "broker" model and their credentials. Plain data; the rules live in CatalogRules,
// the operations in Catalog.

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace iotcore::broker {

using Timestamp = std::chrono::system_clock::time_point;
using Labels = std::map<std::string, std::string>;
using TopicAliases = std::map<std::string, std::string>; // alias → $devices/<id>/… topic

// Only the public part is kept (IOT_CORE.md, "Certificates").
struct Certificate {
    std::string fingerprint;     // lowercase hex SHA-1 of the DER, 40 characters
    std::string certificateData; // PEM
    Timestamp createdAt{};
};

// The text is never kept, only mosquitto 2's `$7$` PBKDF2-SHA512 encoding (PasswordHasher).
struct PasswordRecord {
    std::string id;
    std::string hash;
    Timestamp createdAt{};
};

enum class RegistryStatus { Active, Disabled };

struct Registry {
    std::string id;
    std::string name;
    std::string description;
    Labels labels;
    RegistryStatus status = RegistryStatus::Active;
    Timestamp createdAt{};
    std::vector<Certificate> certificates;
    std::vector<PasswordRecord> passwords;
};

struct Device {
    std::string id;
    std::string registryId;
    std::string name;
    std::string description;
    Labels labels;
    TopicAliases topicAliases;
    std::vector<Certificate> certificates;
    std::vector<PasswordRecord> passwords;
    Timestamp createdAt{};
};

// The service's second model, an isolated topic space. Named IotBroker so it does not clash
// with the engine's Broker.
struct IotBroker {
    std::string id;
    std::string name;
    std::string description;
    Labels labels;
    std::vector<Certificate> certificates;
    std::vector<PasswordRecord> passwords;
    Timestamp createdAt{};
};

enum class EntityKind { Registry, Device, Broker };

// Who owns a credential, or who a username names.
struct EntityRef {
    EntityKind kind = EntityKind::Device;
    std::string id;
    friend bool operator==(const EntityRef &, const EntityRef &) = default;
};

const char *entityKindName(EntityKind kind); // "registry", "device", "broker"
const char *registryStatusName(RegistryStatus status); // "ACTIVE", "DISABLED" as in the cloud API

// RFC 3339 in UTC as the cloud API printed it: "2026-05-01T12:00:00Z", with 3, 6 or 9 fraction
// digits only when the time has a fraction (protobuf's JSON mapping of Timestamp).
std::string formatRfc3339(Timestamp time);
// Always nine fraction digits: the monitoring topic's times (IOT_CORE.md, "Monitoring topic").
std::string formatRfc3339Nanos(Timestamp time);

} // namespace iotcore::broker
