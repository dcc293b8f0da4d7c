// Where the service's documentation is silent (see the note on issue 4):
// - a subtopic is what follows "<space>/<id>/<kind>/", counted in Unicode characters;
// - an alias covers its name and the levels below it, compared level by level (one trailing '/'
//   of name and target dropped): "kitchen/temperature" is not under "kitchen/temp", and a filter
//   that stops inside an alias name ("kitchen") selects nothing of it;
// - a wildcard over devices ('+' in the id level) stays wide and is checked per message, so a
//   device created later is included; a named device is decided at SUBSCRIBE.
#include "iot/TopicPolicy.h"

#include "mqtt/Topic.h"

#include <algorithm>
#include <array>

namespace iotcore::broker {

namespace {

constexpr std::string_view DevicesSpace = "$devices";
constexpr std::string_view RegistriesSpace = "$registries";
constexpr std::string_view MonitoringSpace = "$monitoring";
constexpr std::string_view MeSpace = "$me";
constexpr std::string_view BrokersSpace = "$brokers";

using Levels = std::vector<std::string_view>;

Levels splitLevels(std::string_view text)
{
    Levels levels;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = text.find('/', start);
        if (end == std::string_view::npos) {
            levels.push_back(text.substr(start));
            return levels;
        }
        levels.push_back(text.substr(start, end - start));
        start = end + 1;
    }
}

std::string joinLevels(const Levels &levels, std::size_t from = 0)
{
    std::string text;
    for (std::size_t i = from; i < levels.size(); ++i) {
        if (i != from)
            text += '/';
        text += levels[i];
    }
    return text;
}

bool isWildcard(std::string_view level)
{
    return level == "+" || level == "#";
}

// The subtopic is what follows "<space>/<owner>/<kind>/". IOT_CORE.md limits it to 1024
// characters: counted as Unicode code points of the (already validated) UTF-8 text.
bool subtopicFits(const Levels &levels)
{
    if (levels.size() <= 3)
        return true;
    std::size_t characters = 0;
    for (std::size_t i = 3; i < levels.size(); ++i) {
        if (i > 3)
            ++characters; // the separator
        for (const char byte : levels[i]) {
            if ((static_cast<unsigned char>(byte) & 0xC0) != 0x80)
                ++characters;
        }
    }
    return characters <= TopicPolicy::MaxSubtopicLength;
}

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

std::string_view withoutTrailingSlash(std::string_view text)
{
    if (!text.empty() && text.back() == '/')
        text.remove_suffix(1);
    return text;
}

std::string brokerSpacePrefix(const IotIdentity &who)
{
    return std::string(BrokersSpace) + '/' + who.id + '/';
}

std::string_view ownRegistry(const IotIdentity &who)
{
    if (who.kind == IotIdentity::Kind::Registry && who.registryId.empty())
        return who.id;
    return who.registryId;
}

enum class Right { None, Publish, Read };

// One row of the permission table (IOT_CORE.md "Topics") for the base topic space/owner/kind.
Right rightOn(const IotIdentity &who, const TopicDirectory &directory, std::string_view space,
              std::string_view owner, std::string_view kind)
{
    const std::string_view registry = ownRegistry(who);
    if (registry.empty() || owner.empty())
        return Right::None;
    const bool fromDevices = kind == "events" || kind == "state";
    const bool toDevices = kind == "commands" || kind == "config";
    const auto ownDevice = [&] {
        const std::optional<std::string> found = directory.registryOfDevice(owner);
        return found && *found == registry;
    };

    if (space == MonitoringSpace) {
        // Devices read the monitoring of their registry's devices; the registry reads all of them.
        return kind == "json" && ownDevice() ? Right::Read : Right::None;
    }
    if (who.kind == IotIdentity::Kind::Device) {
        const bool own = (space == DevicesSpace && owner == who.id)
                         || (space == RegistriesSpace && owner == registry);
        if (!own)
            return Right::None;
        return fromDevices ? Right::Publish : toDevices ? Right::Read : Right::None;
    }
    if (who.kind == IotIdentity::Kind::Registry) {
        const bool own = (space == DevicesSpace && ownDevice())
                         || (space == RegistriesSpace && owner == registry);
        if (!own)
            return Right::None;
        return fromDevices ? Right::Read : toDevices ? Right::Publish : Right::None;
    }
    return Right::None;
}

Right rightOnTopic(const IotIdentity &who, const TopicDirectory &directory, const Levels &levels)
{
    if (levels.size() < 3 || !subtopicFits(levels))
        return Right::None;
    return rightOn(who, directory, levels[0], levels[1], levels[2]);
}

// A base topic the client may read, with its subtopics. An empty owner stands for "any device of
// the client's registry": the set changes while a subscription lives, so it is checked per message.
struct ReadableBase {
    std::string_view space;
    std::string_view owner;
    std::string_view kind;
};

std::vector<ReadableBase> readableBases(const IotIdentity &who)
{
    const std::string_view registry = ownRegistry(who);
    if (registry.empty())
        return {};
    if (who.kind == IotIdentity::Kind::Device) {
        return {{DevicesSpace, who.id, "commands"},
                {DevicesSpace, who.id, "config"},
                {RegistriesSpace, registry, "commands"},
                {RegistriesSpace, registry, "config"},
                {MonitoringSpace, {}, "json"}};
    }
    if (who.kind == IotIdentity::Kind::Registry) {
        return {{DevicesSpace, {}, "events"},
                {DevicesSpace, {}, "state"},
                {RegistriesSpace, registry, "events"},
                {RegistriesSpace, registry, "state"},
                {MonitoringSpace, {}, "json"}};
    }
    return {};
}

struct NarrowedFilter {
    std::string filter;
    bool checkRead = false;
};

// The part of a canonical filter that lies inside one readable base, if any. Distinct bases never
// overlap, so the parts of one filter never deliver a message twice.
std::optional<NarrowedFilter> intersect(const IotIdentity &who, const TopicDirectory &directory,
                                        const Levels &filter, const ReadableBase &base)
{
    const std::array<std::string_view, 3> baseLevels = {base.space, base.owner, base.kind};
    Levels narrowed;
    bool checkRead = false;
    for (std::size_t i = 0; i < baseLevels.size(); ++i) {
        if (i >= filter.size())
            return std::nullopt; // the filter stops above the base topic
        const std::string_view level = filter[i];
        const bool anyOwner = i == 1 && base.owner.empty();
        if (level == "#") {
            // MQTT 4.7.1.2: '#' covers the base topic itself and everything below it.
            for (std::size_t k = i; k < baseLevels.size(); ++k)
                narrowed.push_back(k == 1 && anyOwner ? std::string_view("+") : baseLevels[k]);
            checkRead = checkRead || anyOwner;
            narrowed.push_back("#");
            return NarrowedFilter{joinLevels(narrowed), checkRead};
        }
        if (level == "+") {
            narrowed.push_back(anyOwner ? std::string_view("+") : baseLevels[i]);
            checkRead = checkRead || anyOwner;
        } else if (anyOwner) {
            // A named device: decided now, no need to check each message.
            if (rightOn(who, directory, base.space, level, base.kind) != Right::Read)
                return std::nullopt;
            narrowed.push_back(level);
        } else if (level == baseLevels[i]) {
            narrowed.push_back(level);
        } else {
            return std::nullopt;
        }
    }
    for (std::size_t i = baseLevels.size(); i < filter.size(); ++i)
        narrowed.push_back(filter[i]);
    return NarrowedFilter{joinLevels(narrowed), checkRead};
}

// A canonical filter ("$devices/...", "$registries/...", "$monitoring/...") narrowed to what the
// client may read.
std::vector<NarrowedFilter> narrow(const IotIdentity &who, const TopicDirectory &directory,
                                   std::string_view canonicalFilter)
{
    const Levels filter = splitLevels(canonicalFilter);
    std::vector<NarrowedFilter> parts;
    for (const ReadableBase &base : readableBases(who)) {
        if (auto part = intersect(who, directory, filter, base))
            parts.push_back(std::move(*part));
    }
    return parts;
}

// The `$me` names of a device's own topics (IOT_CORE.md "Topics", `$me`).
struct MeName {
    std::string_view name;   // second level of "$me/<name>/..."
    std::string canonical;   // the canonical space and owner it stands for
};

std::array<MeName, 3> meNames(const IotIdentity &who)
{
    return {MeName{"device", std::string(DevicesSpace) + '/' + who.id},
            MeName{"registry", std::string(RegistriesSpace) + '/' + std::string(ownRegistry(who))},
            MeName{"monitoring", std::string(MonitoringSpace) + '/' + who.id}};
}

// A user alias with one trailing '/' dropped from its name and its target, so that "my/alias/"
// -> "$devices/D/" and "kitchen/temp" -> "$devices/D/events/temp" both cover their name and
// the levels below it.
struct AliasPrefix {
    std::string_view name;
    std::string_view target;
};

AliasPrefix aliasPrefix(const TopicAlias &alias)
{
    return {withoutTrailingSlash(alias.alias), withoutTrailingSlash(alias.topic)};
}

// The canonical filter that a client filter selects under one alias, matching the filter level by
// level against the alias name: a filter that stops inside the name (`kitchen` for
// `kitchen/temp`) or differs from it at some level selects nothing of it.
std::optional<std::string> aliasFilterTarget(const Levels &filter, const AliasPrefix &alias)
{
    const Levels name = splitLevels(alias.name);
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (i >= filter.size())
            return std::nullopt;
        // MQTT-4.7.2-1: a leading wildcard never reaches a name starting with '$'.
        if (i == 0 && isWildcard(filter[0]) && startsWith(alias.name, "$"))
            return std::nullopt;
        if (filter[i] == "#")
            return std::string(alias.target) + "/#";
        if (filter[i] != "+" && filter[i] != name[i])
            return std::nullopt;
    }
    std::string target(alias.target);
    if (filter.size() > name.size())
        target += '/' + joinLevels(filter, name.size());
    return target;
}

// The canonical topic a device or registry means by `topic`: `$me` forms and user aliases
// resolved, other `$` topics as they are.
std::optional<std::string> resolvePublishTopic(const IotIdentity &who,
                                               const TopicDirectory &directory,
                                               std::string_view topic)
{
    if (startsWith(topic, "$")) {
        const Levels levels = splitLevels(topic);
        if (levels[0] != MeSpace)
            return std::string(topic);
        if (who.kind != IotIdentity::Kind::Device || levels.size() < 2)
            return std::nullopt;
        for (const MeName &me : meNames(who)) {
            if (levels[1] != me.name)
                continue;
            return levels.size() > 2 ? me.canonical + '/' + joinLevels(levels, 2) : me.canonical;
        }
        return std::nullopt;
    }
    for (const TopicAlias &alias : directory.aliasesOfRegistry(ownRegistry(who))) {
        const AliasPrefix prefix = aliasPrefix(alias);
        if (prefix.name.empty() || !startsWith(topic, prefix.name))
            continue;
        const std::string_view rest = topic.substr(prefix.name.size());
        if (rest.empty() || rest.front() == '/')
            return std::string(prefix.target) + std::string(rest);
    }
    return std::nullopt;
}

TopicPolicy::SubscribeDecision refusedSubscription(std::string_view filter)
{
    TopicPolicy::SubscribeDecision decision;
    decision.reason = std::string(filter);
    return decision;
}

} // namespace

TopicPolicy::TopicPolicy(const TopicDirectory &directory)
    : m_directory(directory)
{
}

TopicPolicy::PublishDecision TopicPolicy::publish(const IotIdentity &who,
                                                  std::string_view topic) const
{
    PublishDecision refused;
    refused.reason = "publish to topic \"" + std::string(topic) + "\" not allowed";
    if (!isValidTopicName(topic))
        return refused;

    if (who.kind == IotIdentity::Kind::Broker) {
        if (startsWith(topic, "$"))
            return refused;
        PublishDecision decision;
        decision.allowed = true;
        decision.topic = brokerSpacePrefix(who) + std::string(topic);
        return decision;
    }

    const std::optional<std::string> canonical = resolvePublishTopic(who, m_directory, topic);
    if (!canonical || rightOnTopic(who, m_directory, splitLevels(*canonical)) != Right::Publish)
        return refused;
    PublishDecision decision;
    decision.allowed = true;
    decision.topic = *canonical;
    decision.permanent = isPermanentTopic(*canonical);
    return decision;
}

TopicPolicy::SubscribeDecision TopicPolicy::subscribe(const IotIdentity &who,
                                                      std::string_view filter) const
{
    if (!isValidTopicFilter(filter))
        return refusedSubscription(filter);
    const bool exact = filter.find_first_of("+#") == std::string_view::npos;

    std::vector<Route> routes;
    if (who.kind == IotIdentity::Kind::Broker) {
        if (startsWith(filter, "$"))
            return refusedSubscription(filter);
        const std::string prefix = brokerSpacePrefix(who);
        routes.push_back({prefix + std::string(filter), prefix, std::string(), false});
    } else {
        const Levels levels = splitLevels(filter);
        const auto addRoutes = [&](std::string_view canonicalFilter, std::string canonicalPrefix,
                                   std::string deliveredPrefix) {
            for (NarrowedFilter &part : narrow(who, m_directory, canonicalFilter))
                routes.push_back({std::move(part.filter), canonicalPrefix, deliveredPrefix,
                                  part.checkRead});
        };

        if (levels[0] == MeSpace) {
            if (who.kind == IotIdentity::Kind::Device && levels.size() >= 2) {
                for (const MeName &me : meNames(who)) {
                    std::string canonical = me.canonical;
                    if (levels[1] == "#")
                        canonical += "/#";
                    else if (levels[1] == "+" || levels[1] == me.name)
                        canonical += levels.size() > 2 ? '/' + joinLevels(levels, 2) : "";
                    else
                        continue;
                    addRoutes(canonical, me.canonical + '/',
                              std::string(MeSpace) + '/' + std::string(me.name) + '/');
                }
            }
        } else if (startsWith(filter, "$")) {
            addRoutes(filter, std::string(), std::string());
        } else {
            // IOT_CORE.md: a filter outside `$devices/` and `$registries/` matches only aliases.
            for (const TopicAlias &alias : m_directory.aliasesOfRegistry(ownRegistry(who))) {
                const AliasPrefix prefix = aliasPrefix(alias);
                if (prefix.name.empty() || prefix.target.empty())
                    continue;
                if (const auto canonical = aliasFilterTarget(levels, prefix))
                    addRoutes(*canonical, std::string(prefix.target), std::string(prefix.name));
            }
        }
    }

    const bool tooLong = std::any_of(routes.begin(), routes.end(), [](const Route &route) {
        return !subtopicFits(splitLevels(route.filter));
    });
    if (routes.empty() || tooLong)
        return refusedSubscription(filter);

    SubscribeDecision decision;
    decision.allowed = true;
    decision.routes = std::move(routes);
    decision.exact = exact;
    return decision;
}

bool TopicPolicy::mayRead(const IotIdentity &who, std::string_view topic) const
{
    if (who.kind == IotIdentity::Kind::Broker) {
        const std::string prefix = brokerSpacePrefix(who);
        return startsWith(topic, prefix) && topic.size() > prefix.size();
    }
    return rightOnTopic(who, m_directory, splitLevels(topic)) == Right::Read;
}

bool TopicPolicy::isPermanentTopic(std::string_view topic)
{
    const Levels levels = splitLevels(topic);
    if (levels.size() < 3 || levels[1].empty())
        return false;
    return (levels[0] == DevicesSpace || levels[0] == RegistriesSpace)
           && (levels[2] == "state" || levels[2] == "config");
}

} // namespace iotcore::broker
