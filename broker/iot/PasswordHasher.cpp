#include "PasswordHasher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>

namespace iotcore::broker {

namespace {

constexpr char Base64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64Encode(std::string_view bytes)
{
    std::string text;
    text.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        std::uint32_t group = std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16;
        if (n > 1) group |= std::uint32_t(static_cast<unsigned char>(bytes[i + 1])) << 8;
        if (n > 2) group |= std::uint32_t(static_cast<unsigned char>(bytes[i + 2]));
        text += Base64Alphabet[(group >> 18) & 63];
        text += Base64Alphabet[(group >> 12) & 63];
        text += n > 1 ? Base64Alphabet[(group >> 6) & 63] : '=';
        text += n > 2 ? Base64Alphabet[group & 63] : '=';
    }
    return text;
}

int base64Value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Standard alphabet; '=' padding optional but, if present, only at the end.
bool base64Decode(std::string_view text, std::string *bytes)
{
    while (!text.empty() && text.back() == '=' && text.size() % 4 != 1)
        text.remove_suffix(1);
    if (text.size() % 4 == 1)
        return false;
    bytes->clear();
    std::uint32_t group = 0;
    int bits = 0;
    for (char c : text) {
        const int value = base64Value(c);
        if (value < 0)
            return false;
        group = (group << 6) | std::uint32_t(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes->push_back(char((group >> bits) & 0xff));
        }
    }
    return true;
}

struct Parsed {
    int iterations = 0;
    std::string salt;
    std::string hash;
};

bool parse(std::string_view encoded, Parsed *parsed, std::string *error)
{
    auto fail = [error](std::string reason) {
        if (error)
            *error = "not a mosquitto $7$ password hash: " + std::move(reason);
        return false;
    };
    if (!encoded.starts_with("$7$")) {
        if (encoded.starts_with("$6$"))
            return fail("$6$ (salted SHA-512 of mosquitto 1.x) is not accepted, it is too fast");
        return fail("it does not start with \"$7$\"");
    }
    encoded.remove_prefix(3);
    const std::size_t firstDollar = encoded.find('$');
    const std::size_t secondDollar =
        firstDollar == std::string_view::npos ? firstDollar : encoded.find('$', firstDollar + 1);
    if (secondDollar == std::string_view::npos
        || encoded.find('$', secondDollar + 1) != std::string_view::npos)
        return fail("expected $7$iterations$salt$hash");
    const std::string_view iterations = encoded.substr(0, firstDollar);
    const std::string_view salt = encoded.substr(firstDollar + 1, secondDollar - firstDollar - 1);
    const std::string_view hash = encoded.substr(secondDollar + 1);
    const auto [end, ec] =
        std::from_chars(iterations.data(), iterations.data() + iterations.size(),
                        parsed->iterations);
    if (iterations.empty() || ec != std::errc() || end != iterations.data() + iterations.size()
        || parsed->iterations < 1 || parsed->iterations > PasswordHasher::MaxIterations)
        return fail("the iteration count \"" + std::string(iterations)
                    + "\" is not a number from 1 to 10000000");
    if (!base64Decode(salt, &parsed->salt) || parsed->salt.empty() || parsed->salt.size() > 64)
        return fail("the salt is not base64 of 1 to 64 bytes");
    if (!base64Decode(hash, &parsed->hash) || parsed->hash.size() != PasswordHasher::HashLength)
        return fail("the hash is not base64 of 64 bytes");
    return true;
}

bool derive(std::string_view password, std::string_view salt, int iterations,
            unsigned char (&out)[PasswordHasher::HashLength])
{
    return PKCS5_PBKDF2_HMAC(password.data(), int(password.size()),
                             reinterpret_cast<const unsigned char *>(salt.data()),
                             int(salt.size()), iterations, EVP_sha512(),
                             int(PasswordHasher::HashLength), out)
           == 1;
}

} // namespace

PasswordHasher::PasswordHasher(int iterations)
    : m_iterations(std::clamp(iterations, 1, MaxIterations))
{
}

std::string PasswordHasher::encode(int iterations, std::string_view salt, std::string_view hash)
{
    return "$7$" + std::to_string(iterations) + "$" + base64Encode(salt) + "$"
           + base64Encode(hash);
}

std::string PasswordHasher::hash(std::string_view password) const
{
    unsigned char salt[SaltLength];
    unsigned char derived[HashLength];
    if (RAND_bytes(salt, int(sizeof salt)) != 1)
        return {};
    const std::string_view saltBytes(reinterpret_cast<const char *>(salt), sizeof salt);
    if (!derive(password, saltBytes, m_iterations, derived))
        return {};
    std::string encoded =
        encode(m_iterations, saltBytes,
               std::string_view(reinterpret_cast<const char *>(derived), sizeof derived));
    OPENSSL_cleanse(derived, sizeof derived);
    return encoded;
}

PasswordHasher::Verdict PasswordHasher::verify(std::string_view password,
                                               std::string_view encoded, std::string *error)
{
    Parsed parsed;
    if (!parse(encoded, &parsed, error))
        return Verdict::Malformed;
    unsigned char derived[HashLength];
    if (!derive(password, parsed.salt, parsed.iterations, derived)) {
        if (error)
            *error = "PBKDF2 failed in OpenSSL";
        return Verdict::Malformed;
    }
    const bool same = CRYPTO_memcmp(derived, parsed.hash.data(), HashLength) == 0;
    OPENSSL_cleanse(derived, sizeof derived);
    return same ? Verdict::Match : Verdict::Mismatch;
}

bool PasswordHasher::isWellFormed(std::string_view encoded, std::string *error)
{
    Parsed parsed;
    return parse(encoded, &parsed, error);
}

} // namespace iotcore::broker
