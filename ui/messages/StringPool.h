#pragma once

// Interned strings: each topic, client id and reason is stored once and referred to by a 32-bit
// id, so a million log records cost a million ids, not a million copies.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace iotcore::ui {

class StringPool
{
public:
    // Id 0 is the empty string, so that "none" needs no special value.
    StringPool();

    std::uint32_t intern(std::string_view text);
    std::optional<std::uint32_t> find(std::string_view text) const;
    std::string_view at(std::uint32_t id) const { return m_strings[id]; }
    std::uint32_t size() const { return std::uint32_t(m_strings.size()); }

private:
    // A deque never moves its elements, so the map's views into them stay valid.
    std::deque<std::string> m_strings;
    std::unordered_map<std::string_view, std::uint32_t> m_ids;
};

} // namespace iotcore::ui
