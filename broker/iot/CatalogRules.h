#pragma once

// The catalog's validation rules (IOT_CORE.md, "Resources" and "Topics"), one clear message per
// failure, shared by the catalog, the command line, the GUI and the importer. Each check returns
// an empty string when the value is valid, otherwise one line saying what is wrong.

#include "CatalogTypes.h"

#include <string>
#include <string_view>
#include <vector>

namespace iotcore::broker::rules {

inline constexpr std::size_t MaxNameLength = 50;
inline constexpr std::size_t MaxDescriptionLength = 256;
inline constexpr std::size_t MaxLabels = 64;
inline constexpr std::size_t MaxLabelPartLength = 63;
inline constexpr std::size_t IdLength = 20;
inline constexpr std::string_view GeneratedIdPrefix = "are";
inline constexpr std::size_t MaxTopicAliases = 5;
inline constexpr std::size_t MinPasswordLength = 14;
inline constexpr int MinPasswordClasses = 3;
inline constexpr std::size_t MaxCertificates = 5; // Decision
inline constexpr std::size_t MaxPasswords = 5;    // Decision

// `what` names the field in the message, e.g. "registry name".
std::string checkName(std::string_view name, std::string_view what = "name");
std::string checkDescription(std::string_view description);
std::string checkLabels(const Labels &labels);

// Ids this installation generates: "are" + 17 of [0-9a-v] (Decision).
bool isGeneratedId(std::string_view id);
// Ids taken from the cloud may carry other prefixes: any 20 of [0-9a-z].
std::string checkId(std::string_view id);

// "{id}" in an alias target stands for the device id (IOT_CORE.md, "User aliases").
std::string expandAliasTarget(std::string_view target, std::string_view deviceId);
// One alias of device `deviceId`, target already expanded: the alias is a valid MQTT topic name
// not starting with '$'; the target is a valid topic name under "$devices/<deviceId>/".
std::string checkTopicAlias(std::string_view alias, std::string_view target,
                            std::string_view deviceId);
// Within a registry no alias may be a string prefix of another (equal counts as a prefix).
std::string checkAliasesDisjoint(const std::vector<std::string> &aliases);

// At least 14 characters from at least 3 of: lowercase, uppercase, digits, other. The message
// says what is missing.
std::string checkPasswordStrength(std::string_view password);

std::string checkFingerprint(std::string_view fingerprint); // 40 lowercase hex digits
std::string checkCertificateCount(std::size_t count);
std::string checkPasswordCount(std::size_t count);
std::string checkTopicAliasCount(std::size_t count);

} // namespace iotcore::broker::rules
