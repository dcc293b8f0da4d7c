#include "RetainedStore.h"

#include "SubscriptionTree.h"

namespace iotcore::broker {

RetainedStore::RetainedStore() = default;
RetainedStore::~RetainedStore() = default;

void RetainedStore::store(const MessagePtr &message)
{
    if (message->payload.empty()) {
        clear(message->topic);
        return;
    }
    std::vector<std::string_view> levels;
    splitTopicLevels(message->topic, levels);
    Node *node = &m_root;
    for (const std::string_view level : levels) {
        auto it = node->children.find(level);
        if (it == node->children.end())
            it = node->children.emplace(std::string(level), std::make_unique<Node>()).first;
        node = it->second.get();
    }
    if (!node->message)
        ++m_count;
    node->message = message;
}

bool RetainedStore::clear(std::string_view topic)
{
    std::vector<std::string_view> levels;
    splitTopicLevels(topic, levels);
    if (!clearIn(m_root, levels, 0))
        return false;
    --m_count;
    return true;
}

bool RetainedStore::clearIn(Node &node, const std::vector<std::string_view> &levels,
                            std::size_t index)
{
    if (index == levels.size()) {
        if (!node.message)
            return false;
        node.message.reset();
        return true;
    }
    auto it = node.children.find(levels[index]);
    if (it == node.children.end() || !clearIn(*it->second, levels, index + 1))
        return false;
    if (!it->second->message && it->second->children.empty())
        node.children.erase(it);
    return true;
}

MessagePtr RetainedStore::find(std::string_view topic) const
{
    std::vector<std::string_view> levels;
    splitTopicLevels(topic, levels);
    const Node *node = &m_root;
    for (const std::string_view level : levels) {
        auto it = node->children.find(level);
        if (it == node->children.end())
            return nullptr;
        node = it->second.get();
    }
    return node->message;
}

void RetainedStore::match(std::string_view filter,
                          const std::function<void(const MessagePtr &)> &visit) const
{
    std::vector<std::string_view> levels;
    splitTopicLevels(filter, levels);
    matchNode(m_root, levels, 0, true, visit);
}

void RetainedStore::matchNode(const Node &node, const std::vector<std::string_view> &levels,
                              std::size_t index, bool atRoot,
                              const std::function<void(const MessagePtr &)> &visit)
{
    if (index == levels.size()) {
        if (node.message)
            visit(node.message);
        return;
    }
    const std::string_view level = levels[index];
    // A filter starting with a wildcard does not match topics starting with '$' (MQTT-4.7.2-1).
    auto eligible = [atRoot](const std::string &name) { return !(atRoot && name.starts_with('$')); };
    if (level == "#") {
        // "sport/#" matches "sport" too (MQTT-4.7.1-2); at the root there is no parent topic.
        if (!atRoot && node.message)
            visit(node.message);
        for (const auto &[name, child] : node.children) {
            if (eligible(name))
                visitAll(*child, visit);
        }
    } else if (level == "+") {
        for (const auto &[name, child] : node.children) {
            if (eligible(name))
                matchNode(*child, levels, index + 1, false, visit);
        }
    } else if (auto it = node.children.find(level); it != node.children.end()) {
        matchNode(*it->second, levels, index + 1, false, visit);
    }
}

void RetainedStore::visitAll(const Node &node, const std::function<void(const MessagePtr &)> &visit)
{
    if (node.message)
        visit(node.message);
    for (const auto &[name, child] : node.children)
        visitAll(*child, visit);
}

void RetainedStore::forEach(const std::function<void(const MessagePtr &)> &visit) const
{
    visitAll(m_root, visit);
}

} // namespace iotcore::broker
