#include "PayloadSpec.h"

#include <QJsonArray>
#include <QJsonValue>

namespace iotcore::sim {

namespace {

struct FormatName {
    PayloadFormat format;
    const char *name;
    const char *fields; // what a spec of this format may hold besides "format"
};

constexpr FormatName formats[] = {
    {PayloadFormat::Json, "json", "template"},
    {PayloadFormat::Csv, "csv", "columns, separator, header"},
    {PayloadFormat::Text, "text", "template"},
    {PayloadFormat::Binary, "binary", "binary"},
};

const FormatName &entryOf(PayloadFormat format)
{
    for (const FormatName &entry : formats) {
        if (entry.format == format)
            return entry;
    }
    Q_UNREACHABLE();
}

// A list of non-empty strings, or the reason it is not one.
std::optional<QStringList> readStrings(const QJsonValue &value, const QString &field,
                                       const QString &example, QString *error)
{
    if (!value.isArray() || value.toArray().isEmpty()) {
        *error = QStringLiteral("%1: must be a list like %2").arg(field, example);
        return std::nullopt;
    }
    QStringList strings;
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isString() || array.at(i).toString().isEmpty()) {
            *error = QStringLiteral("%1[%2]: must be a non-empty string").arg(field).arg(i);
            return std::nullopt;
        }
        strings << array.at(i).toString();
    }
    return strings;
}

} // namespace

const char *payloadFormatName(PayloadFormat format)
{
    return entryOf(format).name;
}

std::optional<PayloadSpec> PayloadSpec::fromJson(const QJsonObject &json, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    PayloadSpec spec;
    if (const QJsonValue format = json.value(QLatin1String("format")); !format.isUndefined()) {
        if (!format.isString())
            return fail(QStringLiteral("format: must be a string: json, csv, text or binary"));
        const FormatName *found = nullptr;
        for (const FormatName &entry : formats) {
            if (format.toString() == QLatin1String(entry.name))
                found = &entry;
        }
        if (!found) {
            return fail(QStringLiteral("format: \"%1\" is not a payload format (json, csv, text "
                                       "or binary)").arg(format.toString()));
        }
        spec.format = found->format;
    } else if (json.contains(QLatin1String("binary"))) {
        spec.format = PayloadFormat::Binary;
    } else if (json.contains(QLatin1String("columns"))) {
        spec.format = PayloadFormat::Csv;
    }

    const QString fields = QString::fromLatin1(entryOf(spec.format).fields);
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (it.key() != QLatin1String("format") && !fields.split(", ").contains(it.key())) {
            return fail(QStringLiteral("%1: not a field of a %2 payload (its fields: format, %3)")
                            .arg(it.key(), QLatin1String(payloadFormatName(spec.format)), fields));
        }
    }

    QString reason;
    if (const QJsonValue text = json.value(QLatin1String("template")); !text.isUndefined()) {
        if (!text.isString())
            return fail(QStringLiteral("template: must be a string"));
        spec.templateText = text.toString();
    }
    if (json.contains(QLatin1String("columns"))) {
        auto columns = readStrings(json.value(QLatin1String("columns")), QStringLiteral("columns"),
                                   QStringLiteral("[\"timestamp\", \"temperature:.1f\"]"), &reason);
        if (!columns)
            return fail(reason);
        spec.columns = *columns;
    }
    if (const QJsonValue separator = json.value(QLatin1String("separator"));
        !separator.isUndefined()) {
        if (!separator.isString())
            return fail(QStringLiteral("separator: must be a string of one character"));
        spec.separator = separator.toString();
    }
    if (const QJsonValue header = json.value(QLatin1String("header")); !header.isUndefined()) {
        if (!header.isBool())
            return fail(QStringLiteral("header: must be true or false"));
        spec.header = header.toBool();
    }
    if (json.contains(QLatin1String("binary"))) {
        auto fields = readStrings(json.value(QLatin1String("binary")), QStringLiteral("binary"),
                                  QStringLiteral("[\"0xA5\", \"temperature:i16le*10\"]"), &reason);
        if (!fields)
            return fail(reason);
        spec.binary = *fields;
    }
    if (const QString problem = spec.check(); !problem.isEmpty())
        return fail(problem);
    return spec;
}

QJsonObject PayloadSpec::toJson() const
{
    QJsonObject json{{"format", QLatin1String(payloadFormatName(format))}};
    switch (format) {
    case PayloadFormat::Json:
    case PayloadFormat::Text:
        if (!templateText.isEmpty())
            json.insert("template", templateText);
        break;
    case PayloadFormat::Csv:
        if (!columns.isEmpty())
            json.insert("columns", QJsonArray::fromStringList(columns));
        if (separator != QLatin1String(","))
            json.insert("separator", separator);
        if (header)
            json.insert("header", true);
        break;
    case PayloadFormat::Binary:
        json.insert("binary", QJsonArray::fromStringList(binary));
        break;
    }
    return json;
}

QString PayloadSpec::check() const
{
    switch (format) {
    case PayloadFormat::Json:
        break;
    case PayloadFormat::Text:
        if (templateText.isEmpty())
            return QStringLiteral("template: a text payload needs a template, like "
                                  "\"{name} {temperature}\"");
        break;
    case PayloadFormat::Csv: {
        const QChar c = separator.size() == 1 ? separator.front() : QChar();
        if (c.isNull() || c.unicode() >= 0x80 || c == u'"' || c == u'\r' || c == u'\n') {
            return QStringLiteral("separator: must be one ASCII character other than a quote or "
                                  "a line break");
        }
        break;
    }
    case PayloadFormat::Binary:
        if (binary.isEmpty())
            return QStringLiteral("binary: a binary payload needs its fields, like [\"0xA5\", "
                                  "\"temperature:i16le*10\"]");
        break;
    }
    return {};
}

} // namespace iotcore::sim
