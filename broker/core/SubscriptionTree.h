#pragma once

// Who is subscribed to what: a tree of topic levels with dedicated '+' and '#' children and a
// separate root for topics that start with '$', so that no wildcard at the first level can reach
// them (MQTT-4.7.2-1).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace iotcore::broker {

class Session;
struct SubscriptionRoute;

class SubscriptionTree
{
public:
    // A session may hold one filter through several routes (an IoT Core client's "$me/…" and
    // "$devices/<id>/…" forms of one topic): the route tells them apart. Null for a plain filter.
    struct Subscriber {
        Session *session;
        const SubscriptionRoute *route;
        std::uint8_t qos;
    };

    SubscriptionTree();
    ~SubscriptionTree();
    SubscriptionTree(const SubscriptionTree &) = delete;
    SubscriptionTree &operator=(const SubscriptionTree &) = delete;

    // Adds or replaces (MQTT-3.8.4-3) the session's subscription to a valid filter. Returns true
    // when it is new.
    bool subscribe(std::string_view filter, Session *session, std::uint8_t qos,
                   const SubscriptionRoute *route = nullptr);
    // Returns true when the session was subscribed to exactly this filter (through this route).
    bool unsubscribe(std::string_view filter, Session *session,
                     const SubscriptionRoute *route = nullptr);

    // Calls visit(const Subscriber &) for every subscription whose filter matches the topic; a
    // session with several matching filters is visited once per filter.
    template<typename Visit>
    void match(std::string_view topic, Visit &&visit) const;

    std::size_t subscriptionCount() const { return m_count; }

private:
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept
        {
            return std::hash<std::string_view>{}(text);
        }
    };

    struct Node {
        std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> children;
        std::unique_ptr<Node> plus;
        std::unique_ptr<Node> hash;
        std::vector<Subscriber> subscribers;

        bool empty() const
        {
            return children.empty() && !plus && !hash && subscribers.empty();
        }
    };

    using Levels = std::vector<std::string_view>;

    template<typename Visit>
    static void matchLevel(const Node &node, const Levels &levels, std::size_t index, Visit &visit);
    static bool removeFrom(Node &node, const Levels &levels, std::size_t index, Session *session,
                           const SubscriptionRoute *route);

    Node m_root;       // filters whose first level does not start with '$'
    Node m_dollarRoot; // filters whose first level starts with '$'
    std::size_t m_count = 0;
};

void splitTopicLevels(std::string_view topic, std::vector<std::string_view> &levels);

template<typename Visit>
void SubscriptionTree::match(std::string_view topic, Visit &&visit) const
{
    thread_local Levels levels;
    splitTopicLevels(topic, levels);
    const Node &root = (!topic.empty() && topic.front() == '$') ? m_dollarRoot : m_root;
    matchLevel(root, levels, 0, visit);
}

template<typename Visit>
void SubscriptionTree::matchLevel(const Node &node, const Levels &levels, std::size_t index,
                                  Visit &visit)
{
    // "sport/#" also matches "sport" itself (MQTT-4.7.1-2).
    if (node.hash) {
        for (const Subscriber &subscriber : node.hash->subscribers)
            visit(subscriber);
    }
    if (index == levels.size()) {
        for (const Subscriber &subscriber : node.subscribers)
            visit(subscriber);
        return;
    }
    if (auto it = node.children.find(levels[index]); it != node.children.end())
        matchLevel(*it->second, levels, index + 1, visit);
    if (node.plus)
        matchLevel(*node.plus, levels, index + 1, visit);
}

} // namespace iotcore::broker
