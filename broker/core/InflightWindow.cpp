#include "InflightWindow.h"

namespace iotcore::broker {

std::size_t InflightWindow::indexOf(std::uint16_t id) const
{
    return (ordinal(id) + MaxSpan - ordinal(m_firstId)) % MaxSpan;
}

InflightWindow::Entry &InflightWindow::add(MessagePtr message, std::uint8_t qos, bool retain)
{
    const std::uint16_t id = m_nextId;
    if (m_slots.empty())
        m_firstId = id;
    m_slots.push_back(Slot{Entry{std::move(message), id, qos, retain, false}, true});
    m_nextId = following(id);
    ++m_count;
    return m_slots.back().entry;
}

InflightWindow::Entry &InflightWindow::restore(MessagePtr message, std::uint16_t packetId,
                                               std::uint8_t qos, bool retain, bool released)
{
    if (m_slots.empty()) {
        m_firstId = packetId;
        m_nextId = packetId;
    }
    // Fill the identifiers skipped since the previous entry with empty slots.
    while (m_nextId != packetId && m_slots.size() < MaxSpan) {
        m_slots.push_back(Slot{});
        m_nextId = following(m_nextId);
    }
    m_slots.push_back(Slot{Entry{std::move(message), packetId, qos, retain, released}, true});
    m_nextId = following(packetId);
    ++m_count;
    return m_slots.back().entry;
}

InflightWindow::Entry *InflightWindow::find(std::uint16_t packetId)
{
    if (m_slots.empty() || packetId == 0)
        return nullptr;
    const std::size_t index = indexOf(packetId);
    if (index >= m_slots.size() || !m_slots[index].used)
        return nullptr;
    return &m_slots[index].entry;
}

MessagePtr InflightWindow::remove(std::uint16_t packetId)
{
    Entry *entry = find(packetId);
    if (!entry)
        return nullptr;
    MessagePtr message = std::move(entry->message);
    m_slots[indexOf(packetId)].used = false;
    --m_count;
    while (!m_slots.empty() && !m_slots.front().used) {
        m_slots.pop_front();
        m_firstId = following(m_firstId);
    }
    return message;
}

void InflightWindow::clear()
{
    m_slots.clear();
    m_count = 0;
}

} // namespace iotcore::broker
