#include "OutputFormat.h"

#include <QRegularExpression>

#include <algorithm>
#include <cstdio>

namespace iotcore::app {

bool parseOutputFormat(const QString &text, OutputFormat *format, QString *error)
{
    if (text == QLatin1String("text")) {
        *format = OutputFormat::Text;
    } else if (text == QLatin1String("yaml")) {
        *format = OutputFormat::Yaml;
    } else if (text == QLatin1String("json") || text == QLatin1String("json-rest")) {
        *format = OutputFormat::Json;
    } else {
        *error = QStringLiteral("unknown format \"%1\": use text, yaml or json").arg(text);
        return false;
    }
    return true;
}

OutputValue &OutputValue::set(std::string key, OutputValue value, bool keepEmpty)
{
    if (keepEmpty || !value.isEmpty())
        m_fields.emplace_back(std::move(key), std::move(value));
    return *this;
}

OutputValue &OutputValue::append(OutputValue value)
{
    m_items.push_back(std::move(value));
    return *this;
}

std::string OutputValue::field(const std::string &key) const
{
    for (const auto &[name, value] : m_fields) {
        if (name == key && value.kind() == Kind::String)
            return value.text();
    }
    return {};
}

bool OutputValue::isEmpty() const
{
    switch (m_kind) {
    case Kind::String: return m_text.empty();
    case Kind::Map: return m_fields.empty();
    case Kind::List: return m_items.empty();
    }
    return true;
}

std::string snakeCase(std::string_view camelCase)
{
    std::string result;
    for (char c : camelCase) {
        if (c >= 'A' && c <= 'Z') {
            result += '_';
            result += char(c - 'A' + 'a');
        } else {
            result += c;
        }
    }
    return result;
}

// --- JSON -------------------------------------------------------------------------------------

namespace {

void appendJsonString(std::string &out, const std::string &text)
{
    out += '"';
    for (unsigned char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
                out += escaped;
            } else {
                out += char(c); // UTF-8 passes through
            }
        }
    }
    out += '"';
}

void appendJson(std::string &out, const OutputValue &value, int indent)
{
    const std::string inner(std::size_t(indent + 2), ' ');
    const std::string outer(std::size_t(indent), ' ');
    switch (value.kind()) {
    case OutputValue::Kind::String: appendJsonString(out, value.text()); break;
    case OutputValue::Kind::Map:
        if (value.fields().empty()) {
            out += "{}";
            break;
        }
        out += "{\n";
        for (std::size_t i = 0; i < value.fields().size(); ++i) {
            out += inner;
            appendJsonString(out, value.fields()[i].first);
            out += ": ";
            appendJson(out, value.fields()[i].second, indent + 2);
            out += i + 1 < value.fields().size() ? ",\n" : "\n";
        }
        out += outer + "}";
        break;
    case OutputValue::Kind::List:
        if (value.items().empty()) {
            out += "[]";
            break;
        }
        out += "[\n";
        for (std::size_t i = 0; i < value.items().size(); ++i) {
            out += inner;
            appendJson(out, value.items()[i], indent + 2);
            out += i + 1 < value.items().size() ? ",\n" : "\n";
        }
        out += outer + "]";
        break;
    }
}

} // namespace

std::string toJson(const OutputValue &value)
{
    std::string out;
    appendJson(out, value, 0);
    out += '\n';
    return out;
}

// --- YAML -------------------------------------------------------------------------------------

namespace {

// Whether a plain (unquoted) scalar would be read back as this same string by a YAML 1.1 or
// 1.2 parser: no indicator characters, and nothing a resolver turns into a bool, null, number
// or timestamp.
bool isPlainSafe(const std::string &text)
{
    if (text.empty() || text.front() == ' ' || text.back() == ' ')
        return false;
    static const QRegularExpression allowed(
        QStringLiteral("^[A-Za-z0-9_$/.][A-Za-z0-9_$/.=+@ -]*$"));
    const QString qtext = QString::fromStdString(text);
    if (!allowed.match(qtext).hasMatch())
        return false;
    static const QRegularExpression special(
        QStringLiteral("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON"
                       "|off|Off|OFF|null|Null|NULL)$"));
    if (special.match(qtext).hasMatch())
        return false;
    // Numbers of any base, floats, .inf/.nan, dates and times all start with a digit, a sign
    // or a dot: quote those unless they contain a letter no number can hold.
    const char first = text.front();
    if ((first >= '0' && first <= '9') || first == '.' || first == '-' || first == '+') {
        static const QRegularExpression numberLike(
            QStringLiteral("^[-+]?(\\.?[0-9][0-9_]*(\\.[0-9_]*)?([eE][-+]?[0-9]+)?"
                           "|0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+"
                           "|\\.(inf|Inf|INF|nan|NaN|NAN)|[0-9]{4}-.*)$"));
        if (numberLike.match(qtext).hasMatch())
            return false;
    }
    return true;
}

std::string yamlQuoted(const std::string &text)
{
    std::string out;
    appendJsonString(out, text); // a JSON string is a valid YAML double-quoted scalar
    return out;
}

// Multi-line text (certificates) as a literal block, as yc prints `certificate_data: |`.
bool fitsLiteralBlock(const std::string &text)
{
    if (text.find('\n') == std::string::npos || text.front() == ' ' || text.front() == '\n')
        return false;
    return std::none_of(text.begin(), text.end(),
                        [](unsigned char c) { return (c < 0x20 && c != '\n') || c == 0x7f; });
}

void appendYamlScalar(std::string &out, const std::string &text, int indent)
{
    if (fitsLiteralBlock(text)) {
        const bool endsWithNewline = text.back() == '\n';
        const bool manyNewlines = text.size() >= 2 && text[text.size() - 2] == '\n';
        if (!endsWithNewline || manyNewlines) {
            out += yamlQuoted(text); // |- and |+ are valid but rarely read correctly by hand
            out += '\n';
            return;
        }
        out += "|\n";
        const std::string pad(std::size_t(indent), ' ');
        std::size_t start = 0;
        while (start < text.size()) {
            const std::size_t end = text.find('\n', start);
            const std::string line = text.substr(start, end - start);
            out += line.empty() ? std::string() : pad + line;
            out += '\n';
            start = end + 1;
        }
        return;
    }
    out += isPlainSafe(text) ? text : yamlQuoted(text);
    out += '\n';
}

std::string yamlKey(const std::string &key)
{
    return isPlainSafe(key) ? key : yamlQuoted(key);
}

void appendYaml(std::string &out, const OutputValue &value, int indent, bool snakeKeys,
                bool inlineFirst);

// A map's fields at `indent`; the first line already has its indentation when inlineFirst
// (the "- " of a list item).
void appendYamlMap(std::string &out, const OutputValue &map, int indent, bool snakeKeys,
                   bool inlineFirst)
{
    const std::string pad(std::size_t(indent), ' ');
    bool first = true;
    for (const auto &[key, value] : map.fields()) {
        if (!(first && inlineFirst))
            out += pad;
        first = false;
        out += yamlKey(snakeKeys ? snakeCase(key) : key) + ":";
        if (value.kind() == OutputValue::Kind::String) {
            out += ' ';
            appendYamlScalar(out, value.text(), indent + 2);
        } else {
            out += '\n';
            // Labels and aliases are user keys: keep them as they are.
            const bool nestedSnake = snakeKeys && key != "labels" && key != "topicAliases";
            appendYaml(out, value, indent + 2, nestedSnake, false);
        }
    }
}

void appendYaml(std::string &out, const OutputValue &value, int indent, bool snakeKeys,
                bool inlineFirst)
{
    const std::string pad(std::size_t(indent), ' ');
    switch (value.kind()) {
    case OutputValue::Kind::String:
        if (!inlineFirst)
            out += pad;
        appendYamlScalar(out, value.text(), indent);
        break;
    case OutputValue::Kind::Map:
        if (value.fields().empty()) {
            out += (inlineFirst ? "" : pad) + "{}\n";
            break;
        }
        appendYamlMap(out, value, indent, snakeKeys, inlineFirst);
        break;
    case OutputValue::Kind::List:
        if (value.items().empty()) {
            out += (inlineFirst ? "" : pad) + "[]\n";
            break;
        }
        for (const OutputValue &item : value.items()) {
            out += pad + "- ";
            appendYaml(out, item, indent + 2, snakeKeys, true);
        }
        break;
    }
}

} // namespace

std::string toYaml(const OutputValue &value)
{
    std::string out;
    appendYaml(out, value, 0, true, false);
    return out;
}

// --- text tables --------------------------------------------------------------------------------

std::string toTable(const OutputValue &list, const std::vector<TableColumn> &columns)
{
    std::vector<std::size_t> widths;
    for (const TableColumn &column : columns)
        widths.push_back(std::string_view(column.header).size());
    for (const OutputValue &item : list.items()) {
        for (std::size_t i = 0; i < columns.size(); ++i)
            widths[i] = std::max(widths[i], item.field(columns[i].field).size());
    }
    std::string rule = "+";
    for (std::size_t width : widths)
        rule += std::string(width + 2, '-') + "+";
    rule += '\n';
    auto row = [&](auto cell) {
        std::string line = "|";
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const std::string text = cell(i);
            line += " " + text + std::string(widths[i] - text.size() + 1, ' ') + "|";
        }
        return line + '\n';
    };
    std::string out = rule;
    out += row([&](std::size_t i) { return std::string(columns[i].header); });
    out += rule;
    for (const OutputValue &item : list.items())
        out += row([&](std::size_t i) { return item.field(columns[i].field); });
    out += rule;
    return out;
}

std::string formatResource(const OutputValue &resource, OutputFormat format)
{
    return format == OutputFormat::Json ? toJson(resource) : toYaml(resource);
}

std::string formatList(const OutputValue &list, const std::vector<TableColumn> &columns,
                       OutputFormat format)
{
    switch (format) {
    case OutputFormat::Json: return toJson(list);
    case OutputFormat::Yaml: return toYaml(list);
    case OutputFormat::Text: return toTable(list, columns);
    }
    return {};
}

} // namespace iotcore::app
