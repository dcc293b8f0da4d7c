#include "VerifiedCredentialCache.h"

#include "CatalogRules.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace iotcore::broker {

namespace {

// An entity has at most 5 passwords, so a few entries cover it; more only if someone keeps
// trying different right passwords after password changes without an invalidate().
constexpr std::size_t MaxEntriesPerEntity = 2 * rules::MaxPasswords;

} // namespace

VerifiedCredentialCache::VerifiedCredentialCache()
{
    if (RAND_bytes(m_key.data(), int(m_key.size())) != 1)
        throw std::runtime_error("no random bytes from OpenSSL for the credential cache key");
}

VerifiedCredentialCache::Digest VerifiedCredentialCache::digest(std::string_view password) const
{
    Digest result{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), m_key.data(), int(m_key.size()),
         reinterpret_cast<const unsigned char *>(password.data()), password.size(),
         result.data(), &length);
    return result;
}

std::optional<std::string> VerifiedCredentialCache::lookup(std::string_view entityId,
                                                           std::string_view password) const
{
    const Digest wanted = digest(password);
    const std::lock_guard lock(m_mutex);
    const auto found = m_entries.find(std::string(entityId));
    if (found == m_entries.end())
        return std::nullopt;
    for (const Entry &entry : found->second) {
        if (CRYPTO_memcmp(entry.passwordDigest.data(), wanted.data(), wanted.size()) == 0)
            return entry.matchedHash;
    }
    return std::nullopt;
}

void VerifiedCredentialCache::remember(std::string_view entityId, std::string_view password,
                                       std::string_view matchedHash)
{
    const Digest remembered = digest(password);
    const std::lock_guard lock(m_mutex);
    std::vector<Entry> &entries = m_entries[std::string(entityId)];
    for (Entry &entry : entries) {
        if (entry.passwordDigest == remembered) {
            entry.matchedHash = std::string(matchedHash);
            return;
        }
    }
    if (entries.size() >= MaxEntriesPerEntity)
        entries.erase(entries.begin());
    entries.push_back({remembered, std::string(matchedHash)});
}

void VerifiedCredentialCache::invalidate(std::string_view entityId)
{
    const std::lock_guard lock(m_mutex);
    m_entries.erase(std::string(entityId));
}

void VerifiedCredentialCache::clear()
{
    const std::lock_guard lock(m_mutex);
    m_entries.clear();
}

std::size_t VerifiedCredentialCache::size() const
{
    const std::lock_guard lock(m_mutex);
    std::size_t count = 0;
    for (const auto &[id, entries] : m_entries)
        count += entries.size();
    return count;
}

} // namespace iotcore::broker
