#include "Topic.h"

#include <cstddef>
#include <cstdint>

namespace iotcore::broker {

namespace {

// Longest string the two-byte length prefix can carry, MQTT 1.5.3.
constexpr std::size_t MaxStringLength = 65535;

void setReason(std::string *reason, std::string text)
{
    if (reason)
        *reason = std::move(text);
}

std::string atByte(std::size_t index)
{
    return " at byte " + std::to_string(index);
}

std::string hexCodePoint(std::uint32_t cp)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string text = "U+";
    const int width = cp > 0xFFFF ? (cp > 0xFFFFF ? 6 : 5) : 4;
    for (int shift = (width - 1) * 4; shift >= 0; shift -= 4)
        text += digits[(cp >> shift) & 0xF];
    return text;
}

// Validates the UTF-8 of `text` (RFC 3629 as restated by MQTT-1.5.3-1 and MQTT-1.5.3-2). The
// reason describes the problem as a predicate ("contains ...") so callers can prefix a subject.
// U+FEFF is an ordinary character here: it must not be stripped (MQTT-1.5.3-3).
bool validateUtf8(std::string_view text, std::string *reason)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t size = text.size();
    std::size_t i = 0;
    while (i < size) {
        const unsigned char lead = bytes[i];
        if (lead < 0x80) {
            if (lead == 0) {
                // MQTT-1.5.3-2
                setReason(reason, "contains U+0000" + atByte(i) + " (MQTT-1.5.3-2)");
                return false;
            }
            ++i;
            continue;
        }

        std::size_t length;
        std::uint32_t cp;
        std::uint32_t minimum;
        if (lead < 0xC0) {
            setReason(reason, "is not valid UTF-8: unexpected continuation byte" + atByte(i)
                                  + " (MQTT-1.5.3-1)");
            return false;
        } else if (lead < 0xE0) {
            length = 2;
            cp = lead & 0x1F;
            minimum = 0x80;
        } else if (lead < 0xF0) {
            length = 3;
            cp = lead & 0x0F;
            minimum = 0x800;
        } else if (lead < 0xF8) {
            length = 4;
            cp = lead & 0x07;
            minimum = 0x10000;
        } else {
            setReason(reason, "is not valid UTF-8: invalid lead byte" + atByte(i)
                                  + " (MQTT-1.5.3-1)");
            return false;
        }

        for (std::size_t k = 1; k < length; ++k) {
            if (i + k >= size) {
                setReason(reason, "is not valid UTF-8: truncated sequence" + atByte(i)
                                      + " (MQTT-1.5.3-1)");
                return false;
            }
            const unsigned char next = bytes[i + k];
            if ((next & 0xC0) != 0x80) {
                setReason(reason, "is not valid UTF-8: missing continuation byte" + atByte(i + k)
                                      + " (MQTT-1.5.3-1)");
                return false;
            }
            cp = (cp << 6) | (next & 0x3F);
        }

        if (cp < minimum) {
            // An overlong form, such as C0 80 for U+0000 (MQTT-1.5.3-1).
            setReason(reason, "is not valid UTF-8: overlong encoding" + atByte(i)
                                  + " (MQTT-1.5.3-1)");
            return false;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            // MQTT-1.5.3-1: no code points between U+D800 and U+DFFF.
            setReason(reason, "contains the UTF-16 surrogate " + hexCodePoint(cp) + atByte(i)
                                  + " (MQTT-1.5.3-1)");
            return false;
        }
        if (cp > 0x10FFFF) {
            setReason(reason, "contains a code point above U+10FFFF" + atByte(i)
                                  + " (MQTT-1.5.3-1)");
            return false;
        }
        i += length;
    }
    return true;
}

bool checkLength(std::string_view text, std::string *reason)
{
    if (text.size() > MaxStringLength) {
        setReason(reason, "is longer than 65535 bytes (MQTT 1.5.3)");
        return false;
    }
    return true;
}

} // namespace

bool isValidMqttString(std::string_view text, std::string *reason)
{
    return checkLength(text, reason) && validateUtf8(text, reason);
}

bool isValidTopicName(std::string_view topic, std::string *reason)
{
    if (topic.empty()) {
        // MQTT-4.7.3-1
        setReason(reason, "is empty (MQTT-4.7.3-1)");
        return false;
    }
    if (!checkLength(topic, reason))
        return false;
    for (std::size_t i = 0; i < topic.size(); ++i) {
        const char c = topic[i];
        if (c == '+' || c == '#') {
            // MQTT-3.3.2-2, MQTT-4.7.1-1: wildcards only in filters.
            setReason(reason, std::string("contains the wildcard '") + c + "'" + atByte(i)
                                  + " (MQTT-3.3.2-2, MQTT-4.7.1-1)");
            return false;
        }
    }
    return validateUtf8(topic, reason);
}

bool isValidTopicFilter(std::string_view filter, std::string *reason)
{
    if (filter.empty()) {
        // MQTT-4.7.3-1
        setReason(reason, "is empty (MQTT-4.7.3-1)");
        return false;
    }
    if (!checkLength(filter, reason))
        return false;

    const std::size_t size = filter.size();
    for (std::size_t i = 0; i < size; ++i) {
        const char c = filter[i];
        if (c == '#') {
            // MQTT-4.7.1-2: '#' stands alone or after a separator, and is the last character.
            if (i != 0 && filter[i - 1] != '/') {
                setReason(reason, "has a '#' that is not a whole level" + atByte(i)
                                      + " (MQTT-4.7.1-2)");
                return false;
            }
            if (i + 1 != size) {
                setReason(reason, "has a '#' that is not the last character" + atByte(i)
                                      + " (MQTT-4.7.1-2)");
                return false;
            }
        } else if (c == '+') {
            // MQTT-4.7.1-3: '+' occupies an entire level.
            const bool startsLevel = i == 0 || filter[i - 1] == '/';
            const bool endsLevel = i + 1 == size || filter[i + 1] == '/';
            if (!startsLevel || !endsLevel) {
                setReason(reason, "has a '+' that is not a whole level" + atByte(i)
                                      + " (MQTT-4.7.1-3)");
                return false;
            }
        }
    }
    return validateUtf8(filter, reason);
}

bool topicMatchesFilter(std::string_view filter, std::string_view topic)
{
    // MQTT-4.7.2-1: a filter starting with a wildcard never matches a topic starting with '$'.
    if (!topic.empty() && topic.front() == '$' && !filter.empty()
        && (filter.front() == '+' || filter.front() == '#')) {
        return false;
    }

    std::size_t f = 0; // start of the current filter level
    std::size_t t = 0; // start of the current topic level
    bool topicExhausted = false;
    for (;;) {
        std::size_t fEnd = filter.find('/', f);
        if (fEnd == std::string_view::npos)
            fEnd = filter.size();
        const std::string_view filterLevel = filter.substr(f, fEnd - f);

        // MQTT 4.7.1.2: '#' matches the parent level and any number of child levels, so
        // "sport/#" matches "sport" as well as "sport/tennis".
        if (filterLevel == "#")
            return true;
        if (topicExhausted)
            return false;

        std::size_t tEnd = topic.find('/', t);
        if (tEnd == std::string_view::npos)
            tEnd = topic.size();
        const std::string_view topicLevel = topic.substr(t, tEnd - t);

        // MQTT 4.7.1.3: '+' matches exactly one level, which may be empty.
        if (filterLevel != "+" && filterLevel != topicLevel)
            return false;

        const bool filterLast = fEnd == filter.size();
        const bool topicLast = tEnd == topic.size();
        if (filterLast)
            return topicLast;
        f = fEnd + 1;
        if (topicLast)
            topicExhausted = true;
        else
            t = tEnd + 1;
    }
}

} // namespace iotcore::broker
