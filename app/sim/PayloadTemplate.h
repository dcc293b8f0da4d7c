#pragma once

// What a simulated device publishes: a payload template compiled once (parsed into literal
// pieces and placeholders, each with its encoding decided) and rendered for every message
// without parsing anything again.
//
// Placeholders: {name} (device name), {id} (device id), {index} (index in the fleet),
// {timestamp} (ISO 8601 UTC with milliseconds), {timestamp_ms} (epoch milliseconds), {seq}
// (message sequence number), and every value name the caller declares (its sensors:
// {temperature}); numbers take an optional format spec: {temperature:.2f}, {seq:d} (see
// NumberFormat). "{{" is a literal "{"; any other "{" not followed by a name (a JSON object)
// is literal too.
//
// Formats, as a payload's JSON spec gives them (PayloadSpec):
//   {"format": "json"}                       an object of name, timestamp, seq and every value
//   {"format": "json", "template": "{\"t\": {temperature:.1f}, \"at\": \"{timestamp}\"}"}
//                                            values JSON-encoded where they stand (inside a JSON
//                                            string: escaped into it); checked to be a JSON
//                                            object or array
//   {"format": "csv", "columns": ["timestamp", "temperature:.1f"], "separator": ";",
//    "header": true}                         one record (RFC 4180), after a header line if asked
//   {"format": "text", "template": "{name} t={temperature}"}      verbatim substitution
//   {"format": "binary", "binary": ["0xA5", "temperature:i16le*10", "humidity:u8"]}
//                                            literal bytes in hex and numeric fields (BinaryField)

#include "PayloadEncoding.h"
#include "PayloadSpec.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace iotcore::sim {

// One message's built-in values. A device keeps one and updates timestampMs and seq.
struct PayloadContext {
    QString name;
    QString id;
    int index = 0;
    qint64 timestampMs = 0; // epoch milliseconds: wall time, plus any clock-skew fault
    quint64 seq = 0;
};

// The current values of the names given to compile(), by their position in that list: a number,
// a boolean, a string, or a geo point as {"lat": …, "lon": …}.
class PayloadValues
{
public:
    virtual ~PayloadValues() = default;
    virtual QJsonValue value(int index) const = 0;
};

class PayloadTemplate
{
public:
    // How renderMalformed() breaks a payload.
    enum class Malformation {
        Truncated,    // cut to half its length: JSON that does not parse, a short binary record
        FlippedBytes, // every byte inverted: not UTF-8, no field where it belongs
    };

    // `valueNames`: the names of the values the caller provides (a device's sensors, in the
    // order PayloadValues::value() takes them). Nullopt with one line in `error` when the spec
    // uses an unknown placeholder (naming it and what is available), a bad format spec or
    // binary field, or (JSON) is not JSON once its placeholders are filled.
    static std::optional<PayloadTemplate> compile(const PayloadSpec &spec,
                                                  const QStringList &valueNames, QString *error);

    PayloadFormat format() const { return m_format; }

    QByteArray render(const PayloadContext &context, const PayloadValues &values) const;
    // The "malformed payload" fault.
    QByteArray renderMalformed(const PayloadContext &context, const PayloadValues &values,
                               Malformation malformation) const;
    // The "oversized payload" fault: the payload padded to at least `size` bytes, with
    // whitespace after a JSON document (still valid JSON), spaces after text and CSV, zero bytes
    // after binary.
    QByteArray renderOversized(const PayloadContext &context, const PayloadValues &values,
                               qsizetype size) const;

private:
    enum class Source : quint8 { Name, Id, Index, Timestamp, TimestampMs, Seq, Value };
    // How a placeholder's value is written where it stands.
    enum class Encoding : quint8 { JsonValue, JsonInString, Text, CsvField, Binary };

    struct Placeholder {
        Source source = Source::Value;
        Encoding encoding = Encoding::Text;
        int valueIndex = -1; // Source::Value
        NumberFormat number;
        BinaryField binary;
    };
    // A literal piece, then (except for the tail) a placeholder.
    struct Segment {
        QByteArray literal;
        Placeholder placeholder;
    };

    class Compiler;

    PayloadTemplate() = default;
    void write(QByteArray &out, const Placeholder &placeholder, const PayloadContext &context,
               const PayloadValues &values) const;

    PayloadFormat m_format = PayloadFormat::Json;
    std::vector<Segment> m_segments;
    QByteArray m_tail;
    char m_separator = ','; // CSV
    qsizetype m_sizeHint = 0; // literal bytes plus a guess per placeholder: usually one allocation
};

} // namespace iotcore::sim
