#pragma once

// Who may publish and subscribe where in the IoT Core model (IOT_CORE.md, "Topics"): the
// permission table for devices and registries, subtopics, the `$me` forms, user topic aliases,
// and the narrowing of wildcard filters to what a client may read. Pure logic: the catalog is
// reached through TopicDirectory, the engine applies the decisions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iotcore::broker {

// An authenticated IoT Core client. A broker's clients get an isolated topic space: their topic
// "t" is routed as "$brokers/<broker id>/t" and handed back to them as "t".
struct IotIdentity {
    enum class Kind { Device, Registry, Broker };
    Kind kind = Kind::Device;
    std::string id;         // device, registry or broker id
    std::string registryId; // a device's registry; a registry's own id; empty for a broker
};

struct TopicAlias {
    std::string alias;    // the name clients use, e.g. "kitchen/temp"
    std::string topic;    // what it stands for, e.g. "$devices/are0123456789abcdefg/events/temp"
    std::string deviceId; // the device that owns it
};

// What the policy needs to know of the catalog. Implemented over the Catalog; tests use a table.
class TopicDirectory
{
public:
    virtual ~TopicDirectory() = default;
    // The registry of a device, or nothing when no such device exists.
    virtual std::optional<std::string> registryOfDevice(std::string_view deviceId) const = 0;
    // Every alias of every device of the registry.
    virtual std::vector<TopicAlias> aliasesOfRegistry(std::string_view registryId) const = 0;
};

class TopicPolicy
{
public:
    static constexpr std::size_t MaxSubtopicLength = 1024;

    explicit TopicPolicy(const TopicDirectory &directory);

    struct PublishDecision {
        bool allowed = false;
        std::string topic;  // the canonical topic the message is routed on ($me and aliases resolved)
        bool permanent = false; // a state or config topic: its last message is kept
        std::string reason; // when refused, e.g. `publish to topic "x" not allowed`
    };
    PublishDecision publish(const IotIdentity &who, std::string_view topic) const;

    // One entry of the subscription tree that a client's filter turns into.
    struct Route {
        std::string filter;          // canonical filter for the subscription tree
        // When canonicalPrefix is not empty, a delivered topic starting with it has it replaced by
        // deliveredPrefix: "$devices/D/" -> "$me/device/", an alias target -> the alias, or a
        // broker's private space "$brokers/B/" -> "" (its clients see plain topics).
        std::string canonicalPrefix;
        std::string deliveredPrefix;
        bool checkRead = false;      // the filter is wider than the client's rights: mayRead() each message
    };
    struct SubscribeDecision {
        bool allowed = false;
        std::vector<Route> routes;   // empty when refused
        bool exact = false;          // no wildcard: permanent topics are replayed to it
        // When refused: the filter itself; the engine gathers the refused filters of one SUBSCRIBE
        // into the service's line `some of subscriptions failed: not allowed to subscribe: ["x", "y"]`.
        std::string reason;
    };
    SubscribeDecision subscribe(const IotIdentity &who, std::string_view filter) const;

    // Whether the client may receive a message on this canonical topic.
    bool mayRead(const IotIdentity &who, std::string_view topic) const;

    // `$devices/D/state…`, `$devices/D/config…`, `$registries/R/state…`, `$registries/R/config…`.
    static bool isPermanentTopic(std::string_view topic);

private:
    const TopicDirectory &m_directory;
};

} // namespace iotcore::broker
