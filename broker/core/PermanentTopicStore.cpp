#include "PermanentTopicStore.h"

namespace iotcore::broker {

std::size_t PermanentTopicStore::clearUnder(std::string_view prefix)
{
    return std::erase_if(m_messages,
                         [prefix](const auto &entry) { return entry.first.starts_with(prefix); });
}

std::vector<std::string>
PermanentTopicStore::clearIf(const std::function<bool(const std::string &)> &predicate)
{
    std::vector<std::string> cleared;
    std::erase_if(m_messages, [&](const auto &entry) {
        if (!predicate(entry.first))
            return false;
        cleared.push_back(entry.first);
        return true;
    });
    return cleared;
}

} // namespace iotcore::broker
