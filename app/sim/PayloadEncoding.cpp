#include "PayloadEncoding.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtEndian>

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

namespace iotcore::sim {

namespace {

// The widest a number can print: 309 digits of 1e308 in fixed notation, plus 17 decimals.
constexpr int NumberBufferSize = 340;
constexpr int MaxPrecision = 17;

struct TypeInfo {
    const char *name;
    BinaryField::Type type;
    int size;
    double min;
    double max;
    bool isFloat;
};

constexpr TypeInfo types[] = {
    {"u8", BinaryField::Type::U8, 1, 0, 255, false},
    {"i8", BinaryField::Type::I8, 1, -128, 127, false},
    {"u16", BinaryField::Type::U16, 2, 0, 65535, false},
    {"i16", BinaryField::Type::I16, 2, -32768, 32767, false},
    {"u32", BinaryField::Type::U32, 4, 0, 4294967295.0, false},
    {"i32", BinaryField::Type::I32, 4, -2147483648.0, 2147483647.0, false},
    {"f32", BinaryField::Type::F32, 4, 0, 0, true},
    {"f64", BinaryField::Type::F64, 8, 0, 0, true},
};

const TypeInfo &infoOf(BinaryField::Type type)
{
    for (const TypeInfo &info : types) {
        if (info.type == type)
            return info;
    }
    Q_UNREACHABLE();
}

bool isGeoPoint(const QJsonObject &object)
{
    return object.value(QLatin1String("lat")).isDouble()
        && object.value(QLatin1String("lon")).isDouble();
}

template<typename Unsigned>
void appendOrdered(QByteArray &out, Unsigned bits, bool littleEndian)
{
    char bytes[sizeof(Unsigned)];
    if (littleEndian)
        qToLittleEndian(bits, bytes);
    else
        qToBigEndian(bits, bytes);
    out.append(bytes, sizeof(Unsigned));
}

void put(char *at, unsigned value, int digits)
{
    for (int i = digits - 1; i >= 0; --i, value /= 10)
        at[i] = char('0' + value % 10);
}

} // namespace

std::optional<NumberFormat> NumberFormat::parse(QStringView spec)
{
    if (spec == u"d")
        return NumberFormat{'d', 0};
    if (spec.size() < 3 || spec.front() != u'.')
        return std::nullopt;
    const QChar style = spec.back();
    if (style != u'f' && style != u'e' && style != u'g')
        return std::nullopt;
    bool ok = false;
    const QStringView digits = spec.mid(1, spec.size() - 2);
    const int precision = digits.toInt(&ok);
    if (!ok || digits.size() > 2 || !digits.front().isDigit() || precision > MaxPrecision)
        return std::nullopt;
    return NumberFormat{char(style.unicode()), precision};
}

std::optional<BinaryField> BinaryField::parse(QStringView text, QString *error)
{
    const qsizetype star = text.indexOf(u'*');
    const QStringView typeText = star < 0 ? text : text.left(star);
    BinaryField field;
    const TypeInfo *found = nullptr;
    for (const TypeInfo &info : types) {
        // No type's name is the start of another's.
        if (typeText.startsWith(QLatin1String(info.name))) {
            found = &info;
            break;
        }
    }
    const QStringView order = found ? typeText.mid(qsizetype(qstrlen(found->name))) : typeText;
    if (!found || (!order.isEmpty() && order != u"le" && order != u"be")) {
        *error = QStringLiteral("\"%1\" is not a binary type (use u8, i8, u16, i16, u32, i32, f32 "
                                "or f64, with le or be after the wider ones, and an optional "
                                "*scale)").arg(typeText);
        return std::nullopt;
    }
    if (found->size == 1 && !order.isEmpty()) {
        *error = QStringLiteral("%1 is one byte and has no byte order")
                     .arg(QLatin1String(found->name));
        return std::nullopt;
    }
    if (found->size > 1 && order.isEmpty()) {
        *error = QStringLiteral("%1 needs a byte order: %1le or %1be")
                     .arg(QLatin1String(found->name));
        return std::nullopt;
    }
    field.type = found->type;
    field.littleEndian = order == u"le";
    if (star >= 0) {
        bool ok = false;
        field.scale = text.mid(star + 1).toDouble(&ok);
        if (!ok || !std::isfinite(field.scale)) {
            *error = QStringLiteral("\"%1\" is not a scale (a number, like *10 or *0.1)")
                         .arg(text.mid(star));
            return std::nullopt;
        }
    }
    return field;
}

int BinaryField::size() const
{
    return infoOf(type).size;
}

namespace encode {

void number(QByteArray &out, const QJsonValue &value, NumberFormat format, bool json)
{
    const double d = value.toDouble();
    if (!std::isfinite(d)) {
        out += json ? "null" : std::isnan(d) ? "nan" : d > 0 ? "inf" : "-inf";
        return;
    }
    char buffer[NumberBufferSize];
    char *const end = buffer + NumberBufferSize;
    const bool whole = d == std::trunc(d) && std::abs(d) < 0x1p63;
    std::to_chars_result result;
    switch (format.style) {
    case 'f':
        result = std::to_chars(buffer, end, d, std::chars_format::fixed, format.precision);
        break;
    case 'e':
        result = std::to_chars(buffer, end, d, std::chars_format::scientific, format.precision);
        break;
    case 'g':
        result = std::to_chars(buffer, end, d, std::chars_format::general, format.precision);
        break;
    case 'd':
        result = std::abs(d) < 0x1p63 ? std::to_chars(buffer, end, std::llround(d))
                                      : std::to_chars(buffer, end, d);
        break;
    default:
        // Whole numbers as integers (a counter at 1000000 is not "1e+06"), exactly when the
        // value holds a 64-bit integer; the rest in the shortest form that reads back the same.
        result = whole ? std::to_chars(buffer, end, value.toInteger(qint64(d)))
                       : std::to_chars(buffer, end, d);
        break;
    }
    out.append(buffer, result.ptr - buffer);
}

void text(QByteArray &out, const QJsonValue &value, NumberFormat format)
{
    switch (value.type()) {
    case QJsonValue::String:
        out += value.toString().toUtf8();
        break;
    case QJsonValue::Double:
        number(out, value, format, false);
        break;
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        break;
    case QJsonValue::Object:
        if (const QJsonObject point = value.toObject(); isGeoPoint(point)) {
            number(out, point.value(QLatin1String("lat")), format, false);
            out += ',';
            number(out, point.value(QLatin1String("lon")), format, false);
        } else {
            jsonValue(out, value, format);
        }
        break;
    case QJsonValue::Array:
        jsonValue(out, value, format);
        break;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
}

void jsonValue(QByteArray &out, const QJsonValue &value, NumberFormat format)
{
    switch (value.type()) {
    case QJsonValue::String:
        out += '"';
        jsonStringContent(out, value.toString().toUtf8());
        out += '"';
        break;
    case QJsonValue::Double:
        number(out, value, format, true);
        break;
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        break;
    case QJsonValue::Object: {
        // Compact, keys in QJsonObject's (sorted) order, the format applied to every number:
        // a geo point is {"lat":…,"lon":…}.
        const QJsonObject object = value.toObject();
        out += '{';
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (it != object.begin())
                out += ',';
            out += '"';
            jsonStringContent(out, it.key().toUtf8());
            out += "\":";
            jsonValue(out, it.value(), format);
        }
        out += '}';
        break;
    }
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        out += '[';
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0)
                out += ',';
            jsonValue(out, array.at(i), format);
        }
        out += ']';
        break;
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        break;
    }
}

void jsonStringContent(QByteArray &out, QByteArrayView utf8)
{
    static constexpr char hex[] = "0123456789abcdef";
    for (const char c : utf8) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                const char escape[] = {'\\', 'u', '0', '0', hex[(c >> 4) & 0xf], hex[c & 0xf]};
                out.append(escape, sizeof escape);
            } else {
                out += c;
            }
        }
    }
}

bool csvNeedsQuotes(QByteArrayView text, char separator)
{
    return std::any_of(text.begin(), text.end(), [separator](char c) {
        return c == separator || c == '"' || c == '\r' || c == '\n';
    });
}

void csvField(QByteArray &out, QByteArrayView text, char separator)
{
    if (!csvNeedsQuotes(text, separator)) {
        out += text;
        return;
    }
    out += '"';
    for (const char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

void binary(QByteArray &out, const QJsonValue &value, const BinaryField &field)
{
    const double raw = value.isBool() ? (value.toBool() ? 1.0 : 0.0) : value.toDouble();
    const double scaled = raw * field.scale;
    const TypeInfo &info = infoOf(field.type);
    if (field.type == BinaryField::Type::F32) {
        appendOrdered(out, std::bit_cast<quint32>(float(scaled)), field.littleEndian);
        return;
    }
    if (field.type == BinaryField::Type::F64) {
        appendOrdered(out, std::bit_cast<quint64>(scaled), field.littleEndian);
        return;
    }
    // Out of range saturates, as a sensor's ADC would; NaN has no integer and becomes 0.
    const double clamped = std::isnan(scaled) ? 0.0 : std::clamp(scaled, info.min, info.max);
    const auto bits = quint64(std::llround(clamped)); // two's complement for negative values
    switch (info.size) {
    case 1: out += char(bits & 0xff); break;
    case 2: appendOrdered(out, quint16(bits), field.littleEndian); break;
    case 4: appendOrdered(out, quint32(bits), field.littleEndian); break;
    }
}

void timestamp(QByteArray &out, qint64 epochMs)
{
    using namespace std::chrono;
    const sys_time<milliseconds> time{milliseconds(epochMs)};
    const sys_days day = floor<days>(time);
    const year_month_day date(day);
    const hh_mm_ss clock(time - day);
    char text[] = "0000-00-00T00:00:00.000Z";
    put(text, unsigned(int(date.year())), 4);
    put(text + 5, unsigned(date.month()), 2);
    put(text + 8, unsigned(date.day()), 2);
    put(text + 11, unsigned(clock.hours().count()), 2);
    put(text + 14, unsigned(clock.minutes().count()), 2);
    put(text + 17, unsigned(clock.seconds().count()), 2);
    put(text + 20, unsigned(clock.subseconds().count()), 3);
    out.append(text, sizeof text - 1);
}

} // namespace encode

} // namespace iotcore::sim
