#pragma once

// How PayloadTemplate writes one value: numbers in a chosen notation, JSON strings, ISO 8601
// timestamps, RFC 4180 CSV fields and fixed-size binary fields. Locale-free and allocation-free
// beyond the output buffer, since every simulated message goes through here.

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace iotcore::sim {

// A placeholder's format spec: "" (shortest exact form), ".2f", ".3e", ".4g" or "d" (rounded
// to a whole number).
struct NumberFormat {
    char style = 0; // 0, 'f', 'e', 'g' or 'd'
    int precision = 0;

    // nullopt when `spec` is none of the forms above.
    static std::optional<NumberFormat> parse(QStringView spec);
    friend bool operator==(const NumberFormat &, const NumberFormat &) = default;
};

// One binary field: "temperature:i16le*10" is I16, little-endian, scale 10.
struct BinaryField {
    enum class Type { U8, I8, U16, I16, U32, I32, F32, F64 };
    Type type = Type::U8;
    bool littleEndian = false;
    double scale = 1.0;

    // Parses "i16le*10" (the part after the placeholder's name); nullopt with the reason.
    static std::optional<BinaryField> parse(QStringView text, QString *error);
    int size() const;
};

namespace encode {

// `value` as a number: integers exactly, other numbers in `format`; JSON has no NaN or
// infinity, so `json` writes those as null.
void number(QByteArray &out, const QJsonValue &value, NumberFormat format, bool json);
// `value` as plain text: strings verbatim, numbers as number() does, booleans as true/false,
// a geo point (an object with numbers "lat" and "lon") as "lat,lon", other objects and arrays
// as compact JSON, null as nothing.
void text(QByteArray &out, const QJsonValue &value, NumberFormat format);
// `value` as compact JSON: strings quoted and escaped, numbers as numbers (in `format`, in
// objects and arrays too), undefined as null.
void jsonValue(QByteArray &out, const QJsonValue &value, NumberFormat format);
// `utf8` escaped for the inside of a JSON string (RFC 8259, section 7), without the quotes.
void jsonStringContent(QByteArray &out, QByteArrayView utf8);
// `text` as one CSV field: quoted, quotes doubled, when it holds the separator, a quote, CR or
// LF (RFC 4180, section 2).
void csvField(QByteArray &out, QByteArrayView text, char separator);
bool csvNeedsQuotes(QByteArrayView text, char separator);
// `value` (a number or boolean; anything else is 0) times the field's scale, rounded and
// clamped to the field's range for integer types.
void binary(QByteArray &out, const QJsonValue &value, const BinaryField &field);

// Epoch milliseconds as ISO 8601 UTC with milliseconds: "2026-11-25T12:00:00.123Z" (years 0
// to 9999).
void timestamp(QByteArray &out, qint64 epochMs);

} // namespace encode

} // namespace iotcore::sim
