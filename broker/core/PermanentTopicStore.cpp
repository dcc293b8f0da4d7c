#include "PermanentTopicStore.h"

namespace iotcore::broker {

std::size_t PermanentTopicStore::clearUnder(std::string_view prefix)
{
    return std::erase_if(m_messages,
                         [prefix](const auto &entry) { return entry.first.starts_with(prefix); });
}

} // namespace iotcore::broker
