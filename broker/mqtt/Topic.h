#pragma once

// Topic names and topic filters, MQTT 3.1.1 sections 1.5.3 and 4.7.

#include <string>
#include <string_view>

namespace iotcore::broker {

// A well-formed MQTT UTF-8 string: valid UTF-8 (no overlongs, no surrogates U+D800..U+DFFF,
// nothing above U+10FFFF) without U+0000 (MQTT-1.5.3-1, MQTT-1.5.3-2). On failure `reason`
// (if given) says what is wrong.
bool isValidMqttString(std::string_view text, std::string *reason = nullptr);

// A topic name a PUBLISH may carry: non-empty, at most 65535 bytes, a valid MQTT string, no
// '+' or '#' (MQTT-4.7.3-1, MQTT-3.3.2-2).
bool isValidTopicName(std::string_view topic, std::string *reason = nullptr);

// A topic filter a SUBSCRIBE or UNSUBSCRIBE may carry: non-empty, a valid MQTT string, '+'
// only as a whole level, '#' only as the whole last level (MQTT-4.7.1-2, MQTT-4.7.1-3).
bool isValidTopicFilter(std::string_view filter, std::string *reason = nullptr);

// Whether a valid filter matches a valid topic name. A filter starting with a wildcard never
// matches a topic starting with '$' (MQTT-4.7.2-1).
bool topicMatchesFilter(std::string_view filter, std::string_view topic);

} // namespace iotcore::broker
