#pragma once

// How the detail pane and the topic history show a payload: JSON re-indented in its own key
// order, a hex dump, and the numbers in it that look like Unix times, as dates.

#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace iotcore::ui::PayloadFormat {

// The payload as UTF-8 text if it is text (no control characters but tab and line breaks).
std::optional<QString> asText(QByteArrayView payload);

// JSON (object or array) re-indented by two spaces, keys in the payload's order; nullopt when
// the payload is not JSON.
std::optional<QString> prettyJson(QByteArrayView payload);

// 16 bytes a line: offset, bytes in hex, the printable ASCII.
QString hexDump(QByteArrayView payload);

struct DecodedTimestamp {
    enum class Unit { Seconds, Milliseconds };
    QString number; // as written in the payload
    Unit unit = Unit::Seconds;
    QDateTime time; // UTC
};

// Numbers that look like Unix times between 2000 and 2100: ten digits (seconds, a fraction
// allowed) or thirteen (milliseconds), each once, in the order they appear.
QList<DecodedTimestamp> decodedTimestamps(QByteArrayView payload);

} // namespace iotcore::ui::PayloadFormat
