#pragma once

// Retained messages (MQTT 3.3.1.3): the last retained message of each topic, held in a tree of
// topic levels so that a wildcard subscription finds its matches without scanning every topic.

#include "Message.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace iotcore::broker {

class RetainedStore
{
public:
    RetainedStore();
    ~RetainedStore();
    RetainedStore(const RetainedStore &) = delete;
    RetainedStore &operator=(const RetainedStore &) = delete;

    // Stores the message for its topic, or clears the topic when the payload is empty
    // (MQTT-3.3.1-10, MQTT-3.3.1-11).
    void store(const MessagePtr &message);
    // Returns true when a message was there.
    bool clear(std::string_view topic);

    MessagePtr find(std::string_view topic) const;

    // Every retained message whose topic matches the valid filter (MQTT-3.3.1-6).
    void match(std::string_view filter, const std::function<void(const MessagePtr &)> &visit) const;

    // Every retained message, in no particular order.
    void forEach(const std::function<void(const MessagePtr &)> &visit) const;

    std::size_t size() const { return m_count; }

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
        MessagePtr message;
    };

    static void matchNode(const Node &node, const std::vector<std::string_view> &levels,
                          std::size_t index, bool atRoot,
                          const std::function<void(const MessagePtr &)> &visit);
    static void visitAll(const Node &node, const std::function<void(const MessagePtr &)> &visit);
    static bool clearIn(Node &node, const std::vector<std::string_view> &levels, std::size_t index);

    Node m_root;
    std::size_t m_count = 0;
};

} // namespace iotcore::broker
