#pragma once

// The broker's log: one logfmt line per event on stderr (or a sink set by the application),
// e.g. `2026-11-25T09:12:21.123Z info connect clientID="c1" address="127.0.0.1:5555"`.

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace iotcore::broker {

enum class LogLevel { Debug, Info, Warning, Error };

bool parseLogLevel(std::string_view text, LogLevel *level);

// Text in double quotes with quotes and backslashes escaped and control characters as \uXXXX: a
// JSON string, and the form of values in the service's connection log lines.
std::string doubleQuoted(std::string_view text);

class Log
{
public:
    using Field = std::pair<std::string_view, std::string_view>;
    using Writer = std::function<void(std::string_view line)>;

    explicit Log(LogLevel level = LogLevel::Info);

    void setLevel(LogLevel level) { m_level = level; }
    LogLevel level() const { return m_level; }
    bool enabled(LogLevel level) const { return level >= m_level; }

    // Replaces the default writer (stderr). Lines come without the trailing newline.
    void setWriter(Writer writer) { m_writer = std::move(writer); }

    void write(LogLevel level, std::string_view event, std::initializer_list<Field> fields);

private:
    LogLevel m_level;
    Writer m_writer;
};

} // namespace iotcore::broker
