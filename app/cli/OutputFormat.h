#pragma once

// What `iot …` commands print, in the three forms `yc --format` offers:
//
// - json: the cloud REST API's shape (camelCase field names: `registryId`, `createdAt`), a
//   list as a JSON array, two-space indentation as yc prints it;
// - yaml: yc's YAML, whose field names are the protobuf ones (`registry_id`, `created_at`);
// - text (the default): yc's human form, YAML for one resource and a boxed table for a list.
//
// Commands build an OutputValue tree with the REST names; the YAML and text writers derive
// the snake_case names from them. Written by hand: Debian's Qt has no YAML library.

#include <QString>

#include <string>
#include <utility>
#include <vector>

namespace iotcore::app {

enum class OutputFormat { Text, Yaml, Json };

// "text", "yaml", "json"; "json-rest" (yc's camelCase JSON) is the same as json here.
bool parseOutputFormat(const QString &text, OutputFormat *format, QString *error);

// A string, an ordered map or a list: all a resource of the cloud API needs.
class OutputValue
{
public:
    enum class Kind { String, Map, List };

    OutputValue(std::string text = {}) : m_kind(Kind::String), m_text(std::move(text)) { }
    OutputValue(const char *text) : OutputValue(std::string(text)) { }
    static OutputValue map() { return OutputValue(Kind::Map); }
    static OutputValue list() { return OutputValue(Kind::List); }

    Kind kind() const { return m_kind; }
    const std::string &text() const { return m_text; }
    const std::vector<std::pair<std::string, OutputValue>> &fields() const { return m_fields; }
    const std::vector<OutputValue> &items() const { return m_items; }

    // Map: adds a field (order kept). Empty strings, maps and lists are left out, as protobuf's
    // JSON mapping and yc leave out unset fields, unless keepEmpty (a label's empty value).
    OutputValue &set(std::string key, OutputValue value, bool keepEmpty = false);
    // List: appends an item.
    OutputValue &append(OutputValue value);
    // Map: the string value of `key`, empty when absent.
    std::string field(const std::string &key) const;
    bool isEmpty() const;

private:
    explicit OutputValue(Kind kind) : m_kind(kind) { }

    Kind m_kind;
    std::string m_text;
    std::vector<std::pair<std::string, OutputValue>> m_fields;
    std::vector<OutputValue> m_items;
};

// A column of the text table: yc's upper-case header and the (REST) field it shows.
struct TableColumn {
    const char *header;
    const char *field;
};

std::string toJson(const OutputValue &value);
std::string toYaml(const OutputValue &value); // document without "---", ends with a newline
std::string toTable(const OutputValue &list, const std::vector<TableColumn> &columns);
std::string snakeCase(std::string_view camelCase); // "registryId" → "registry_id"

// One resource (create, get, update, add…).
std::string formatResource(const OutputValue &resource, OutputFormat format);
// A list (list, list-device-topic-aliases): a table in text form.
std::string formatList(const OutputValue &list, const std::vector<TableColumn> &columns,
                       OutputFormat format);

} // namespace iotcore::app
