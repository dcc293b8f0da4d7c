#include "SubscriptionTree.h"

#include <algorithm>

namespace iotcore::broker {

void splitTopicLevels(std::string_view topic, std::vector<std::string_view> &levels)
{
    levels.clear();
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = topic.find('/', start);
        if (slash == std::string_view::npos) {
            levels.push_back(topic.substr(start));
            return;
        }
        levels.push_back(topic.substr(start, slash - start));
        start = slash + 1;
    }
}

SubscriptionTree::SubscriptionTree() = default;
SubscriptionTree::~SubscriptionTree() = default;

bool SubscriptionTree::subscribe(std::string_view filter, Session *session, std::uint8_t qos,
                                 const SubscriptionRoute *route)
{
    Levels levels;
    splitTopicLevels(filter, levels);
    Node *node = (!filter.empty() && filter.front() == '$') ? &m_dollarRoot : &m_root;
    for (const std::string_view level : levels) {
        std::unique_ptr<Node> *slot;
        if (level == "+") {
            slot = &node->plus;
        } else if (level == "#") {
            slot = &node->hash;
        } else {
            auto it = node->children.find(level);
            if (it == node->children.end())
                it = node->children.emplace(std::string(level), nullptr).first;
            slot = &it->second;
        }
        if (!*slot)
            *slot = std::make_unique<Node>();
        node = slot->get();
    }
    for (Subscriber &subscriber : node->subscribers) {
        if (subscriber.session == session && subscriber.route == route) {
            subscriber.qos = qos;
            return false;
        }
    }
    node->subscribers.push_back({session, route, qos});
    ++m_count;
    return true;
}

bool SubscriptionTree::unsubscribe(std::string_view filter, Session *session,
                                   const SubscriptionRoute *route)
{
    Levels levels;
    splitTopicLevels(filter, levels);
    Node &root = (!filter.empty() && filter.front() == '$') ? m_dollarRoot : m_root;
    if (!removeFrom(root, levels, 0, session, route))
        return false;
    --m_count;
    return true;
}

// Removes the subscription and prunes the nodes it leaves empty, so a tree that saw millions of
// short-lived filters does not keep them.
bool SubscriptionTree::removeFrom(Node &node, const Levels &levels, std::size_t index,
                                  Session *session, const SubscriptionRoute *route)
{
    if (index == levels.size()) {
        auto it = std::find_if(node.subscribers.begin(), node.subscribers.end(),
                               [&](const Subscriber &s) {
                                   return s.session == session && s.route == route;
                               });
        if (it == node.subscribers.end())
            return false;
        *it = node.subscribers.back();
        node.subscribers.pop_back();
        if (node.subscribers.empty())
            node.subscribers.shrink_to_fit();
        return true;
    }
    const std::string_view level = levels[index];
    auto descend = [&](std::unique_ptr<Node> &child) {
        if (!child || !removeFrom(*child, levels, index + 1, session, route))
            return false;
        if (child->empty())
            child.reset();
        return true;
    };
    if (level == "+")
        return descend(node.plus);
    if (level == "#")
        return descend(node.hash);
    auto it = node.children.find(level);
    if (it == node.children.end())
        return false;
    if (!descend(it->second))
        return false;
    if (!it->second)
        node.children.erase(it);
    return true;
}

} // namespace iotcore::broker
