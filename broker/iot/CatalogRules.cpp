#include "CatalogRules.h"

#include "mqtt/Topic.h"

#include <algorithm>
#include <cstdio>

namespace iotcore::broker::rules {

namespace {

bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::string quoted(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

std::string describeChar(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f)
        return "'" + std::string(1, c) + "'";
    char code[8];
    std::snprintf(code, sizeof code, "0x%02x", byte);
    return code;
}

// Label keys `[a-z][-_0-9a-z]*`, values `[-_0-9a-z]*`, both at most 63 characters.
std::string checkLabelPart(std::string_view text, bool isKey)
{
    const char *what = isKey ? "label key" : "label value";
    if (isKey && text.empty())
        return "label key must not be empty";
    if (text.size() > MaxLabelPartLength)
        return std::string(what) + " " + quoted(text) + " is " + std::to_string(text.size())
               + " characters long (at most 63)";
    if (isKey && !isLower(text.front()))
        return "label key " + quoted(text) + " must start with a lowercase letter a-z";
    for (char c : text) {
        if (!isLower(c) && !isDigit(c) && c != '-' && c != '_')
            return std::string(what) + " " + quoted(text) + " contains " + describeChar(c)
                   + " (only a-z, 0-9, '-' and '_' are allowed)";
    }
    return {};
}

} // namespace

std::string checkName(std::string_view name, std::string_view what)
{
    const std::string field(what);
    if (name.empty())
        return field + " must not be empty";
    if (name.size() > MaxNameLength)
        return field + " " + quoted(name) + " is " + std::to_string(name.size())
               + " characters long (at most 50)";
    for (char c : name) {
        if (!isLower(c) && !isUpper(c) && !isDigit(c) && c != '-' && c != '_')
            return field + " " + quoted(name) + " contains " + describeChar(c)
                   + " (only a-z, A-Z, 0-9, '-' and '_' are allowed)";
    }
    return {};
}

std::string checkDescription(std::string_view description)
{
    if (description.size() > MaxDescriptionLength)
        return "description is " + std::to_string(description.size())
               + " characters long (at most 256)";
    return {};
}

std::string checkLabels(const Labels &labels)
{
    if (labels.size() > MaxLabels)
        return "too many labels: " + std::to_string(labels.size()) + " (at most 64)";
    for (const auto &[key, value] : labels) {
        if (auto error = checkLabelPart(key, true); !error.empty())
            return error;
        if (auto error = checkLabelPart(value, false); !error.empty())
            return error;
    }
    return {};
}

bool isGeneratedId(std::string_view id)
{
    if (id.size() != IdLength || !id.starts_with(GeneratedIdPrefix))
        return false;
    return std::all_of(id.begin() + 3, id.end(),
                       [](char c) { return isDigit(c) || (c >= 'a' && c <= 'v'); });
}

std::string checkId(std::string_view id)
{
    if (id.size() != IdLength)
        return "id " + quoted(id) + " must be 20 characters long, not "
               + std::to_string(id.size());
    for (char c : id) {
        if (!isLower(c) && !isDigit(c))
            return "id " + quoted(id) + " contains " + describeChar(c)
                   + " (only lowercase a-z and 0-9 are allowed)";
    }
    return {};
}

std::string expandAliasTarget(std::string_view target, std::string_view deviceId)
{
    static constexpr std::string_view Placeholder = "{id}";
    std::string expanded;
    std::size_t from = 0;
    for (std::size_t at; (at = target.find(Placeholder, from)) != std::string_view::npos;
         from = at + Placeholder.size()) {
        expanded.append(target.substr(from, at - from));
        expanded.append(deviceId);
    }
    expanded.append(target.substr(from));
    return expanded;
}

std::string checkTopicAlias(std::string_view alias, std::string_view target,
                            std::string_view deviceId)
{
    std::string reason;
    if (!isValidTopicName(alias, &reason))
        return "topic alias " + quoted(alias) + " is not a valid topic name: " + reason;
    if (alias.front() == '$')
        return "topic alias " + quoted(alias) + " must not start with '$'";
    const std::string prefix = "$devices/" + std::string(deviceId) + "/";
    if (!target.starts_with(prefix) || target.size() == prefix.size())
        return "topic alias " + quoted(alias) + " must point below " + quoted(prefix)
               + ", not to " + quoted(target);
    if (!isValidTopicName(target, &reason))
        return "topic alias " + quoted(alias) + " points to an invalid topic "
               + quoted(target) + ": " + reason;
    return {};
}

std::string checkAliasesDisjoint(const std::vector<std::string> &aliases)
{
    std::vector<std::string> sorted = aliases;
    std::sort(sorted.begin(), sorted.end());
    // After sorting, a string that has a prefix among the others sits right after one such
    // prefix or after another string sharing it; checking neighbours finds one if any exists.
    for (std::size_t i = 1; i < sorted.size(); ++i) {
        if (sorted[i].starts_with(sorted[i - 1])) {
            if (sorted[i] == sorted[i - 1])
                return "topic alias " + quoted(sorted[i]) + " is used twice in the registry";
            return "topic alias " + quoted(sorted[i - 1]) + " is a prefix of topic alias "
                   + quoted(sorted[i]) + " in the same registry";
        }
    }
    return {};
}

std::string checkPasswordStrength(std::string_view password)
{
    bool lower = false, upper = false, digit = false, other = false;
    for (char c : password) {
        lower |= isLower(c);
        upper |= isUpper(c);
        digit |= isDigit(c);
        other |= !isLower(c) && !isUpper(c) && !isDigit(c);
    }
    const int classes = int(lower) + int(upper) + int(digit) + int(other);
    std::vector<std::string> problems;
    if (password.size() < MinPasswordLength)
        problems.push_back("it has " + std::to_string(password.size())
                           + " characters, at least 14 are needed");
    if (classes < MinPasswordClasses) {
        std::string missing;
        const std::pair<bool, const char *> kinds[] = {
            {lower, "lowercase letters"}, {upper, "uppercase letters"},
            {digit, "digits"}, {other, "other characters"}};
        for (const auto &[present, name] : kinds) {
            if (!present)
                missing += std::string(missing.empty() ? "" : ", ") + name;
        }
        problems.push_back("it uses " + std::to_string(classes)
                           + " of the 4 kinds of characters, at least 3 are needed (add some of: "
                           + missing + ")");
    }
    if (problems.empty())
        return {};
    std::string message = "password is too weak: " + problems.front();
    if (problems.size() > 1)
        message += "; " + problems.back();
    return message;
}

std::string checkFingerprint(std::string_view fingerprint)
{
    const bool valid = fingerprint.size() == 40
                       && std::all_of(fingerprint.begin(), fingerprint.end(), [](char c) {
                              return isDigit(c) || (c >= 'a' && c <= 'f');
                          });
    if (!valid)
        return "fingerprint " + quoted(fingerprint)
               + " is not 40 lowercase hexadecimal digits (the SHA-1 of the certificate)";
    return {};
}

std::string checkCertificateCount(std::size_t count)
{
    if (count > MaxCertificates)
        return "too many certificates: " + std::to_string(count) + " (at most 5 per entity)";
    return {};
}

std::string checkPasswordCount(std::size_t count)
{
    if (count > MaxPasswords)
        return "too many passwords: " + std::to_string(count) + " (at most 5 per entity)";
    return {};
}

std::string checkTopicAliasCount(std::size_t count)
{
    if (count > MaxTopicAliases)
        return "too many topic aliases: " + std::to_string(count) + " (at most 5 per device)";
    return {};
}

} // namespace iotcore::broker::rules
