#pragma once

// Remembers that a password was verified for an entity, so that thousands of devices
// reconnecting after a network blip skip the slow PBKDF2 (issue 4, "How it is proven").
// The password itself is never kept: an entry is HMAC-SHA256(password) under a random key
// drawn when the cache is made, which lives only in this process's memory.
//
// Whoever changes an entity's passwords calls invalidate(entityId). As a second guard an entry
// also remembers which stored hash it matched; the caller accepts a hit only if the entity still
// has that hash.
//
// Safe to call from the worker threads that verify passwords.

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace iotcore::broker {

class VerifiedCredentialCache
{
public:
    VerifiedCredentialCache();

    // The stored hash this password was verified against, if remembered.
    std::optional<std::string> lookup(std::string_view entityId, std::string_view password) const;
    void remember(std::string_view entityId, std::string_view password,
                  std::string_view matchedHash);
    void invalidate(std::string_view entityId);
    void clear();
    std::size_t size() const;

private:
    using Digest = std::array<unsigned char, 32>;
    struct Entry {
        Digest passwordDigest;
        std::string matchedHash;
    };

    Digest digest(std::string_view password) const;

    std::array<unsigned char, 32> m_key{};
    mutable std::mutex m_mutex;
    std::unordered_map<std::string, std::vector<Entry>> m_entries;
};

} // namespace iotcore::broker
