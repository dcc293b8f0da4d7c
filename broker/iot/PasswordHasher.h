#pragma once

// Slow salted password hashes in mosquitto 2's encoding, so that `export mosquitto` can hand
// the stored hashes to Debian's mosquitto unchanged:
//
//     $7$<iterations>$<base64 salt>$<base64 hash>
//
// 7 is mosquitto's pw_sha512_pbkdf2; the hash is PBKDF2-HMAC-SHA512 with a 12-byte random salt
// and a 64-byte output; base64 is the standard alphabet with '=' padding, no line breaks
// (mosquitto's password_mosq.h: SALT_LEN 12, password_hash[64]; mosquitto_passwd.c writes
// "%s:$%d$%d$%s$%s"). Hashing costs milliseconds on purpose: run it off the broker's thread.

#include <string>
#include <string_view>

namespace iotcore::broker {

class PasswordHasher
{
public:
    // About 8 ms per hash on the reference machine (2 cores); mosquitto_passwd's default is 101.
    static constexpr int DefaultIterations = 10'000;
    static constexpr int MaxIterations = 10'000'000; // a stored hash above this is refused
    static constexpr std::size_t SaltLength = 12;
    static constexpr std::size_t HashLength = 64;

    enum class Verdict { Match, Mismatch, Malformed };

    explicit PasswordHasher(int iterations = DefaultIterations);

    int iterations() const { return m_iterations; }

    // A fresh random salt each call. Empty only if OpenSSL cannot produce random bytes.
    std::string hash(std::string_view password) const;

    // Compares in constant time. Malformed (with `error` set) when `encoded` is not a `$7$` hash.
    static Verdict verify(std::string_view password, std::string_view encoded,
                          std::string *error = nullptr);

    // Whether `encoded` is a well-formed `$7$` hash; `error` says why not.
    static bool isWellFormed(std::string_view encoded, std::string *error = nullptr);

    // Exposed for tests and for encoding known vectors.
    static std::string encode(int iterations, std::string_view salt, std::string_view hash);

private:
    int m_iterations;
};

} // namespace iotcore::broker
