#include "PayloadTemplate.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>

namespace iotcore::sim {

namespace {

// What a rendered placeholder adds on average, to reserve a payload's bytes at once.
constexpr qsizetype PlaceholderSizeGuess = 24;

// Stands in for the caller's values when a JSON template is checked.
class SampleValues final : public PayloadValues
{
public:
    QJsonValue value(int) const override { return 21.5; }
};

bool startsName(QChar c)
{
    return c.isLetter() || c == u'_';
}

} // namespace

// Turns a PayloadSpec into segments, or the first error, naming the spec's field.
class PayloadTemplate::Compiler
{
public:
    explicit Compiler(const QStringList &valueNames) : m_valueNames(valueNames) {}

    std::optional<PayloadTemplate> compile(const PayloadSpec &spec, QString *error)
    {
        m_result.m_format = spec.format;
        if (QString problem = spec.check(); !problem.isEmpty())
            m_error = problem;
        else
            checkValueNames();
        if (m_error.isEmpty()) {
            switch (spec.format) {
            case PayloadFormat::Json:
                if (spec.templateText.isEmpty())
                    defaultJson();
                else if (scanTemplate(spec.templateText, true))
                    checkJson();
                break;
            case PayloadFormat::Text:
                scanTemplate(spec.templateText, false);
                break;
            case PayloadFormat::Csv:
                csv(spec);
                break;
            case PayloadFormat::Binary:
                binary(spec.binary);
                break;
            }
        }
        if (!m_error.isEmpty()) {
            if (error)
                *error = m_error;
            return std::nullopt;
        }
        m_result.m_sizeHint = m_result.m_tail.size();
        for (const Segment &segment : m_result.m_segments)
            m_result.m_sizeHint += segment.literal.size() + PlaceholderSizeGuess;
        return std::move(m_result);
    }

private:
    static constexpr struct {
        const char *name;
        Source source;
    } builtIns[] = {{"name", Source::Name},           {"id", Source::Id},
                    {"index", Source::Index},         {"timestamp", Source::Timestamp},
                    {"timestamp_ms", Source::TimestampMs}, {"seq", Source::Seq}};

    bool fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = message;
        return false;
    }

    QString available() const
    {
        QStringList names;
        for (const auto &builtIn : builtIns)
            names << QLatin1String(builtIn.name);
        return (names + m_valueNames).join(QLatin1String(", "));
    }

    void checkValueNames()
    {
        for (const QString &name : m_valueNames) {
            for (const auto &builtIn : builtIns) {
                if (name == QLatin1String(builtIn.name))
                    fail(QStringLiteral("value \"%1\" has the name of the built-in {%1}; rename it")
                             .arg(name));
            }
        }
    }

    void add(QByteArray &literal, const Placeholder &placeholder)
    {
        m_result.m_segments.push_back({std::exchange(literal, {}), placeholder});
    }

    // "temperature:.2f" (without braces) as a placeholder written with `encoding`; `field` names
    // where it came from in the error.
    std::optional<Placeholder> placeholder(QStringView expression, Encoding encoding,
                                           const QString &field)
    {
        const qsizetype colon = expression.indexOf(u':');
        const QStringView name = colon < 0 ? expression : expression.left(colon);
        Placeholder result;
        result.encoding = encoding;
        bool found = false;
        for (const auto &builtIn : builtIns) {
            if (name == QLatin1String(builtIn.name)) {
                result.source = builtIn.source;
                found = true;
            }
        }
        if (!found) {
            result.valueIndex = int(m_valueNames.indexOf(name.toString()));
            if (result.valueIndex < 0) {
                fail(QStringLiteral("%1: unknown placeholder {%2} (available: %3)")
                         .arg(field, name, available()));
                return std::nullopt;
            }
        }
        if (colon < 0)
            return result;
        const QStringView spec = expression.mid(colon + 1);
        if (encoding == Encoding::Binary) {
            QString reason;
            if (isText(result.source)) {
                fail(QStringLiteral("%1: {%2} is text; binary fields take numbers (index, seq, "
                                    "timestamp_ms or a value)").arg(field, name));
                return std::nullopt;
            }
            auto binary = BinaryField::parse(spec, &reason);
            if (!binary) {
                fail(field + QLatin1String(": ") + reason);
                return std::nullopt;
            }
            result.binary = *binary;
            return result;
        }
        if (isText(result.source)) {
            fail(QStringLiteral("%1: {%2} takes no format spec").arg(field, name));
            return std::nullopt;
        }
        auto number = NumberFormat::parse(spec);
        if (!number) {
            fail(QStringLiteral("%1: \"%2\" in {%3} is not a format spec (use .2f, .3e, .4g or d)")
                     .arg(field, spec, expression));
            return std::nullopt;
        }
        result.number = *number;
        return result;
    }

    static bool isText(Source source)
    {
        return source == Source::Name || source == Source::Id || source == Source::Timestamp;
    }

    // A JSON or text template: literal text with {placeholders}. In JSON, a placeholder inside
    // a string literal is escaped into the string; elsewhere it becomes a JSON value.
    bool scanTemplate(const QString &text, bool json)
    {
        const QString field = QStringLiteral("template");
        QString literal;
        bool inString = false;
        bool escaped = false;
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text.at(i);
            if (c == u'{' && i + 1 < text.size() && text.at(i + 1) == u'{') {
                literal += c;
                ++i;
                continue;
            }
            if (c == u'{' && i + 1 < text.size() && startsName(text.at(i + 1))) {
                const qsizetype close = text.indexOf(u'}', i + 1);
                if (close < 0) {
                    return fail(QStringLiteral("%1: \"%2\" at character %3 has no closing }")
                                    .arg(field, text.mid(i, 20)).arg(i + 1));
                }
                const Encoding encoding = !json ? Encoding::Text
                    : inString                  ? Encoding::JsonInString
                                                : Encoding::JsonValue;
                auto parsed = placeholder(QStringView(text).mid(i + 1, close - i - 1), encoding,
                                          field);
                if (!parsed)
                    return false;
                QByteArray bytes = literal.toUtf8();
                add(bytes, *parsed);
                literal.clear();
                i = close;
                continue;
            }
            literal += c;
            if (!json)
                continue;
            if (escaped)
                escaped = false;
            else if (inString && c == u'\\')
                escaped = true;
            else if (c == u'"')
                inString = !inString;
        }
        m_result.m_tail = literal.toUtf8();
        return true;
    }

    // The object every JSON payload is without a template.
    void defaultJson()
    {
        QByteArray literal = "{";
        auto member = [&](const QString &key, Source source, int valueIndex = -1) {
            if (!m_result.m_segments.empty())
                literal += ',';
            literal += '"';
            encode::jsonStringContent(literal, key.toUtf8());
            literal += "\":";
            Placeholder placeholder;
            placeholder.source = source;
            placeholder.encoding = Encoding::JsonValue;
            placeholder.valueIndex = valueIndex;
            add(literal, placeholder);
        };
        member(QStringLiteral("name"), Source::Name);
        member(QStringLiteral("timestamp"), Source::Timestamp);
        member(QStringLiteral("seq"), Source::Seq);
        for (int i = 0; i < m_valueNames.size(); ++i)
            member(m_valueNames.at(i), Source::Value, i);
        m_result.m_tail = "}";
    }

    // Rendered with sample values, the template must parse: a mistake is found when the fleet
    // is loaded, not by whoever receives the messages.
    void checkJson()
    {
        const PayloadContext sample{QStringLiteral("device"), QStringLiteral("id"), 0, 0, 1};
        const QByteArray rendered = m_result.render(sample, SampleValues());
        const QByteArray trimmed = rendered.trimmed();
        if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
            fail(QStringLiteral("template: a JSON payload is an object or an array (for a bare "
                                "value, use the text format)"));
            return;
        }
        QJsonParseError parseError;
        QJsonDocument::fromJson(rendered, &parseError);
        if (parseError.error == QJsonParseError::NoError)
            return;
        const qsizetype at = std::clamp<qsizetype>(parseError.offset, 0, rendered.size());
        QString near = QString::fromUtf8(rendered.mid(std::max<qsizetype>(0, at - 20), 40));
        near.replace(u'\n', u' ');
        fail(QStringLiteral("template: not JSON once its placeholders are filled (%1 near \"%2\")")
                 .arg(parseError.errorString(), near));
    }

    void csv(const PayloadSpec &spec)
    {
        m_result.m_separator = char(spec.separator.front().unicode());
        QStringList columns = spec.columns;
        if (columns.isEmpty())
            columns = QStringList{"name", "timestamp", "seq"} + m_valueNames;
        QByteArray header;
        std::vector<Placeholder> placeholders;
        for (qsizetype i = 0; i < columns.size(); ++i) {
            auto parsed = placeholder(columns.at(i), Encoding::CsvField,
                                      QStringLiteral("columns[%1]").arg(i));
            if (!parsed)
                return;
            placeholders.push_back(*parsed);
            if (i > 0)
                header += m_result.m_separator;
            encode::csvField(header, columns.at(i).section(u':', 0, 0).toUtf8(),
                             m_result.m_separator);
        }
        // RFC 4180: a header is a record like the others, and records end with CRLF.
        QByteArray literal = spec.header ? header + "\r\n" : QByteArray();
        for (const Placeholder &column : placeholders) {
            if (!m_result.m_segments.empty())
                literal += m_result.m_separator;
            add(literal, column);
        }
    }

    void binary(const QStringList &fields)
    {
        QByteArray literal;
        for (qsizetype i = 0; i < fields.size(); ++i) {
            const QString field = QStringLiteral("binary[%1]").arg(i);
            const QString &entry = fields.at(i);
            if (entry.startsWith(QLatin1String("0x"), Qt::CaseInsensitive)) {
                const QByteArray hex = entry.mid(2).toLatin1();
                const bool isHex = std::all_of(hex.begin(), hex.end(), [](char c) {
                    return std::isxdigit(static_cast<unsigned char>(c));
                });
                if (hex.isEmpty() || hex.size() % 2 != 0 || !isHex) {
                    fail(QStringLiteral("%1: \"%2\" is not whole bytes in hex (like 0xA5 or "
                                        "0xA5B6)").arg(field, entry));
                    return;
                }
                literal += QByteArray::fromHex(hex);
                continue;
            }
            if (!entry.contains(u':')) {
                fail(QStringLiteral("%1: \"%2\" needs a type, like %2:u8 or %2:i16le*10")
                         .arg(field, entry));
                return;
            }
            auto parsed = placeholder(entry, Encoding::Binary, field);
            if (!parsed)
                return;
            add(literal, *parsed);
        }
        m_result.m_tail = literal;
    }

    const QStringList &m_valueNames;
    PayloadTemplate m_result;
    QString m_error;
};

std::optional<PayloadTemplate> PayloadTemplate::compile(const PayloadSpec &spec,
                                                        const QStringList &valueNames,
                                                        QString *error)
{
    return Compiler(valueNames).compile(spec, error);
}

QByteArray PayloadTemplate::render(const PayloadContext &context,
                                   const PayloadValues &values) const
{
    QByteArray out;
    out.reserve(m_sizeHint);
    for (const Segment &segment : m_segments) {
        out += segment.literal;
        write(out, segment.placeholder, context, values);
    }
    out += m_tail;
    return out;
}

QByteArray PayloadTemplate::renderMalformed(const PayloadContext &context,
                                            const PayloadValues &values,
                                            Malformation malformation) const
{
    QByteArray payload = render(context, values);
    switch (malformation) {
    case Malformation::Truncated:
        payload.truncate(payload.size() / 2);
        break;
    case Malformation::FlippedBytes:
        for (char &byte : payload)
            byte = char(~byte);
        break;
    }
    return payload;
}

QByteArray PayloadTemplate::renderOversized(const PayloadContext &context,
                                            const PayloadValues &values, qsizetype size) const
{
    QByteArray payload = render(context, values);
    if (payload.size() < size)
        payload.append(size - payload.size(), m_format == PayloadFormat::Binary ? '\0' : ' ');
    return payload;
}

void PayloadTemplate::write(QByteArray &out, const Placeholder &placeholder,
                            const PayloadContext &context, const PayloadValues &values) const
{
    QJsonValue value;
    switch (placeholder.source) {
    case Source::Timestamp:
        // Digits, dashes and colons only: nothing to quote or escape.
        if (placeholder.encoding == Encoding::JsonValue)
            out += '"';
        encode::timestamp(out, context.timestampMs);
        if (placeholder.encoding == Encoding::JsonValue)
            out += '"';
        return;
    case Source::Name: value = context.name; break;
    case Source::Id: value = context.id; break;
    case Source::Index: value = qint64(context.index); break;
    case Source::TimestampMs: value = context.timestampMs; break;
    case Source::Seq: value = qint64(context.seq); break;
    case Source::Value: value = values.value(placeholder.valueIndex); break;
    }

    switch (placeholder.encoding) {
    case Encoding::JsonValue:
        encode::jsonValue(out, value, placeholder.number);
        break;
    case Encoding::JsonInString:
        if (value.isString() || value.isObject() || value.isArray()) {
            QByteArray text;
            encode::text(text, value, placeholder.number);
            encode::jsonStringContent(out, text);
        } else {
            encode::text(out, value, placeholder.number); // numbers and booleans need no escape
        }
        break;
    case Encoding::Text:
        encode::text(out, value, placeholder.number);
        break;
    case Encoding::CsvField: {
        // Written in place, and moved into quotes only in the rare case it needs them.
        const qsizetype start = out.size();
        encode::text(out, value, placeholder.number);
        const QByteArrayView field(out.constData() + start, out.size() - start);
        if (encode::csvNeedsQuotes(field, m_separator)) {
            const QByteArray text = field.toByteArray();
            out.truncate(start);
            encode::csvField(out, text, m_separator);
        }
        break;
    }
    case Encoding::Binary:
        encode::binary(out, value, placeholder.binary);
        break;
    }
}

} // namespace iotcore::sim
