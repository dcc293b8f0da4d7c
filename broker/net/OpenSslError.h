#pragma once

// OpenSSL reports failures on a per-thread error queue. takeOpenSslError() turns the most
// specific entry into the text of a one-line message ("wrong version number", "no start line")
// and empties the queue, so the next call starts clean.

#include <openssl/err.h>

#include <string>
#include <string_view>

namespace iotcore::broker {

inline std::string takeOpenSslError(std::string_view fallback = "unknown error")
{
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0)
        return std::string(fallback);
    if (const char *reason = ERR_reason_error_string(code))
        return reason;
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return text;
}

} // namespace iotcore::broker
