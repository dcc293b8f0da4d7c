#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace iotcore::broker {

// One application message as the broker routes it: immutable once built, shared by every
// receiver, queue and retained slot that holds it.
struct Message {
    std::string topic;
    std::string payload;
    std::uint8_t qos = 0;
    bool retain = false;
    std::uint64_t id = 0; // broker-wide sequence number, ties the event tap's records together
};

using MessagePtr = std::shared_ptr<const Message>;

} // namespace iotcore::broker
