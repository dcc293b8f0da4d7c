#include "StringPool.h"

namespace iotcore::ui {

StringPool::StringPool()
{
    intern({});
}

std::uint32_t StringPool::intern(std::string_view text)
{
    if (const auto it = m_ids.find(text); it != m_ids.end())
        return it->second;
    const auto id = std::uint32_t(m_strings.size());
    const std::string &stored = m_strings.emplace_back(text);
    m_ids.emplace(std::string_view(stored), id);
    return id;
}

std::optional<std::uint32_t> StringPool::find(std::string_view text) const
{
    if (const auto it = m_ids.find(text); it != m_ids.end())
        return it->second;
    return std::nullopt;
}

} // namespace iotcore::ui
