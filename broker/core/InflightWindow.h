#pragma once

// The QoS 1 and 2 messages sent to one client and not yet acknowledged, in the order they were
// sent (MQTT-4.6.0-1 asks for that order when they are sent again). Packet identifiers are handed
// out in sequence and an entry is found from its identifier in constant time: the window is a
// ring indexed by the distance from the oldest unacknowledged identifier.

#include "Message.h"

#include <cstdint>
#include "RingBuffer.h"

namespace iotcore::broker {

class InflightWindow
{
public:
    struct Entry {
        MessagePtr message;
        std::uint16_t packetId = 0;
        std::uint8_t qos = 0;
        bool retain = false;
        bool released = false; // QoS 2: PUBREC received and PUBREL sent
    };

    std::size_t size() const { return m_count; }
    bool empty() const { return m_count == 0; }
    // No identifier left to hand out (65,535 outstanding between the oldest and the newest).
    bool exhausted() const { return m_slots.size() >= MaxSpan; }

    // Adds a message under the next packet identifier and returns the entry.
    Entry &add(MessagePtr message, std::uint8_t qos, bool retain);
    // Puts back an entry read from the store; identifiers must come in send order.
    Entry &restore(MessagePtr message, std::uint16_t packetId, std::uint8_t qos, bool retain,
                   bool released);

    Entry *find(std::uint16_t packetId);
    // Returns the removed entry's message (null when the identifier is unknown).
    MessagePtr remove(std::uint16_t packetId);

    template<typename Visit>
    void forEach(Visit &&visit)
    {
        m_slots.forEach([&](Slot &slot) {
            if (slot.used)
                visit(slot.entry);
        });
    }

    template<typename Visit>
    void forEach(Visit &&visit) const
    {
        m_slots.forEach([&](const Slot &slot) {
            if (slot.used)
                visit(slot.entry);
        });
    }

    void clear();

private:
    static constexpr std::size_t MaxSpan = 65535;
    struct Slot {
        Entry entry;
        bool used = false;
    };
    // Packet identifiers run 1..65535 (MQTT-2.3.1-1); ordinal() maps them onto 0..65534.
    static std::size_t ordinal(std::uint16_t id) { return std::size_t(id) - 1; }
    static std::uint16_t following(std::uint16_t id) { return id == 65535 ? 1 : id + 1; }
    std::size_t indexOf(std::uint16_t id) const;

    RingBuffer<Slot> m_slots;
    std::uint16_t m_firstId = 1; // identifier of m_slots.front()
    std::uint16_t m_nextId = 1;  // identifier the next add() hands out
    std::size_t m_count = 0;
};

} // namespace iotcore::broker
