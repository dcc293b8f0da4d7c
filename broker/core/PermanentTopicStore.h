#pragma once

// The last message of each permanent topic (IOT_CORE.md, "Permanent topics"): `state` and
// `config` of devices and registries, each subtopic its own slot. Unlike retained messages they
// are given only to exact subscriptions, and an empty payload is kept like any other.

#include "Message.h"

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace iotcore::broker {

class PermanentTopicStore
{
public:
    void keep(const MessagePtr &message) { m_messages[message->topic] = message; }
    MessagePtr find(std::string_view topic) const
    {
        const auto it = m_messages.find(std::string(topic));
        return it == m_messages.end() ? nullptr : it->second;
    }
    bool clear(std::string_view topic) { return m_messages.erase(std::string(topic)) > 0; }
    // Removes every slot whose topic starts with the prefix (a deleted device or registry).
    std::size_t clearUnder(std::string_view prefix);
    // Removes the slots whose topic the predicate accepts; returns their topics.
    std::vector<std::string> clearIf(const std::function<bool(const std::string &)> &predicate);
    void forEach(const std::function<void(const MessagePtr &)> &visit) const
    {
        for (const auto &[topic, message] : m_messages)
            visit(message);
    }
    std::size_t size() const { return m_messages.size(); }

private:
    std::unordered_map<std::string, MessagePtr> m_messages;
};

} // namespace iotcore::broker
