#pragma once

// The subset of YAML that `yc … --format yaml` prints (go-yaml's output), read into the same
// QJsonValue tree QJsonDocument gives for `--format json`, so that `import yc` handles both the
// same way. Debian's Qt has no YAML library, hence this small reader.
//
// Read: documents separated by `---`; block mappings and sequences (`- ` items, also in the
// compact form `key:\n- item`); plain, single- and double-quoted scalars, also folded over
// several lines; `|` and `>` block scalars with the `-`/`+` chomping indicators (certificate_data);
// flow collections on one line (`{}`, `[]`, `{a: b}`, `[a, b]`); `#` comments.
// Not read: anchors and aliases, tags, complex keys, multi-line flow collections. Every scalar
// becomes a string (`null`, `~` and an empty value become null): the importer wants strings.

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <optional>
#include <vector>

namespace iotcore::app {

// The documents of `text` in order; nothing, with "line N: why" in `error`, when the text is not
// YAML this reader understands.
std::optional<std::vector<QJsonValue>> readYamlDocuments(const QByteArray &text, QString *error);

} // namespace iotcore::app
