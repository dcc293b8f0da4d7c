#include "Log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace iotcore::broker {

namespace {

const char *levelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    }
    return "info";
}

void appendTimestamp(std::string &line)
{
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t seconds = system_clock::to_time_t(now);
    const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, int(millis));
    line += buffer;
}

// logfmt value: quoted, with backslash, quote and control characters escaped.
void appendQuoted(std::string &line, std::string_view value)
{
    line += '"';
    for (const char c : value) {
        switch (c) {
        case '"': line += "\\\""; break;
        case '\\': line += "\\\\"; break;
        case '\n': line += "\\n"; break;
        case '\r': line += "\\r"; break;
        case '\t': line += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "\\x%02x", unsigned(static_cast<unsigned char>(c)));
                line += hex;
            } else {
                line += c;
            }
        }
    }
    line += '"';
}

} // namespace

std::string doubleQuoted(std::string_view text)
{
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", unsigned(c));
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + '"';
}

bool parseLogLevel(std::string_view text, LogLevel *level)
{
    static constexpr std::pair<std::string_view, LogLevel> names[] = {
        {"debug", LogLevel::Debug}, {"info", LogLevel::Info}, {"warning", LogLevel::Warning},
        {"warn", LogLevel::Warning}, {"error", LogLevel::Error}};
    for (const auto &[name, value] : names) {
        if (text == name) {
            *level = value;
            return true;
        }
    }
    return false;
}

Log::Log(LogLevel level)
    : m_level(level)
{
}

void Log::write(LogLevel level, std::string_view event, std::initializer_list<Field> fields)
{
    if (!enabled(level))
        return;
    std::string line;
    line.reserve(128);
    appendTimestamp(line);
    line += ' ';
    line += levelName(level);
    line += ' ';
    line += event;
    for (const auto &[key, value] : fields) {
        line += ' ';
        line += key;
        line += '=';
        appendQuoted(line, value);
    }
    if (m_writer) {
        m_writer(line);
    } else {
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
}

} // namespace iotcore::broker
