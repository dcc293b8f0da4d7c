#include "YamlReader.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

namespace iotcore::app {

namespace {

struct YamlError {
    int line;
    QString message;
};

struct Line {
    QString raw;     // without the line break
    int number = 0;  // 1-based, for messages
    int indent = 0;  // leading spaces, or the column of a sequence item's content
    QString content; // raw from indent on (a sequence item's content after "- ")
};

int leadingSpaces(const QString &text)
{
    int count = 0;
    while (count < text.size() && text.at(count) == u' ')
        ++count;
    return count;
}

bool isIgnorable(const QString &content)
{
    const QString trimmed = content.trimmed();
    return trimmed.isEmpty() || trimmed.startsWith(u'#');
}

bool isSequenceItem(const QString &content)
{
    return content == QLatin1String("-") || content.startsWith(QLatin1String("- "));
}

bool isNullScalar(const QString &text)
{
    return text.isEmpty() || text == QLatin1String("~") || text == QLatin1String("null")
        || text == QLatin1String("Null") || text == QLatin1String("NULL");
}

// One document's lines, read top-down.
class DocumentParser
{
public:
    explicit DocumentParser(std::vector<Line> lines) : m_lines(std::move(lines)) { }

    bool isEmpty()
    {
        skipIgnorable();
        return m_pos >= m_lines.size();
    }

    QJsonValue parseDocument()
    {
        skipIgnorable();
        const QJsonValue value = parseNode(m_lines[m_pos].indent);
        skipIgnorable();
        if (m_pos < m_lines.size())
            fail(QStringLiteral("unexpected text \"%1\"").arg(current().content.trimmed()));
        return value;
    }

private:
    [[noreturn]] void fail(const QString &message) const
    {
        const int line = m_pos < m_lines.size() ? m_lines[m_pos].number
                                                : (m_lines.empty() ? 0 : m_lines.back().number);
        throw YamlError {line, message};
    }

    Line &current() { return m_lines[m_pos]; }

    void skipIgnorable()
    {
        while (m_pos < m_lines.size() && isIgnorable(m_lines[m_pos].content))
            ++m_pos;
    }

    QJsonValue parseNode(int indent)
    {
        const QString &content = current().content;
        if (content.startsWith(u'\t'))
            fail(QStringLiteral("tabs cannot indent YAML"));
        if (isSequenceItem(content))
            return parseSequence(indent);
        if (keyEnd(content) >= 0)
            return parseMapping(indent);
        return parseScalar(content, indent - 1);
    }

    QJsonValue parseSequence(int indent)
    {
        QJsonArray items;
        for (skipIgnorable(); m_pos < m_lines.size(); skipIgnorable()) {
            Line &line = current();
            if (line.indent < indent)
                break;
            if (line.indent > indent || !isSequenceItem(line.content))
                fail(QStringLiteral("expected a \"- \" item at column %1").arg(indent + 1));
            const QString rest = line.content.mid(1);
            if (isIgnorable(rest)) {
                ++m_pos;
                items.append(parseNestedOrNull(indent, true));
                continue;
            }
            const int spaces = leadingSpaces(rest);
            line.indent = indent + 1 + spaces;
            line.content = rest.mid(spaces);
            items.append(parseNode(line.indent));
        }
        return items;
    }

    QJsonValue parseMapping(int indent)
    {
        QJsonObject map;
        for (skipIgnorable(); m_pos < m_lines.size(); skipIgnorable()) {
            const Line &line = current();
            if (line.indent < indent)
                break;
            if (line.indent > indent)
                fail(QStringLiteral("unexpected indentation"));
            if (isSequenceItem(line.content))
                break; // the parent's sequence goes on
            const int end = keyEnd(line.content);
            if (end < 0)
                fail(QStringLiteral("expected \"key: value\", got \"%1\"").arg(line.content));
            const QString key = unquoteKey(line.content.left(end).trimmed());
            const QString rest = line.content.mid(end + 1).trimmed();
            if (isIgnorable(rest)) {
                ++m_pos;
                // "key:" followed by "- item" at the same indentation is a sequence (go-yaml
                // indents them, others do not).
                map.insert(key, parseNestedOrNull(indent, false));
            } else {
                map.insert(key, parseScalar(rest, indent));
            }
        }
        return map;
    }

    // What follows a "key:" or "-" with nothing after it on its line.
    QJsonValue parseNestedOrNull(int indent, bool inSequence)
    {
        skipIgnorable();
        if (m_pos >= m_lines.size())
            return QJsonValue::Null;
        const Line &next = current();
        if (next.indent > indent)
            return parseNode(next.indent);
        if (!inSequence && next.indent == indent && isSequenceItem(next.content))
            return parseSequence(indent);
        return QJsonValue::Null;
    }

    // Where the ':' of "key: value" is, or -1 when the text is not a mapping entry.
    static int keyEnd(const QString &content)
    {
        if (content.startsWith(u'{') || content.startsWith(u'[') || content.startsWith(u'#'))
            return -1;
        int from = 0;
        if (content.startsWith(u'"') || content.startsWith(u'\'')) {
            const QChar quote = content.at(0);
            int i = 1;
            for (; i < content.size(); ++i) {
                if (quote == u'"' && content.at(i) == u'\\') {
                    ++i;
                } else if (content.at(i) == quote) {
                    if (quote == u'\'' && i + 1 < content.size() && content.at(i + 1) == u'\'')
                        ++i;
                    else
                        break;
                }
            }
            from = i + 1;
        }
        for (int i = from; i < content.size(); ++i) {
            if (content.at(i) == u'#' && i > 0 && content.at(i - 1) == u' ')
                return -1;
            if (content.at(i) == u':' && (i + 1 == content.size() || content.at(i + 1) == u' '))
                return i;
        }
        return -1;
    }

    QString unquoteKey(const QString &key)
    {
        if (key.startsWith(u'"') || key.startsWith(u'\'')) {
            int i = 0;
            const QString text = quotedText(key, &i);
            if (!key.mid(i).trimmed().isEmpty())
                fail(QStringLiteral("unexpected text after the quoted key %1").arg(key));
            return text;
        }
        return key;
    }

    // A scalar or flow collection starting on the current line; `parentIndent` is the
    // indentation its continuation lines must exceed. Leaves m_pos past what it consumed.
    QJsonValue parseScalar(const QString &text, int parentIndent)
    {
        if (text.startsWith(u'|') || text.startsWith(u'>'))
            return parseBlockScalar(text, parentIndent);
        if (text.startsWith(u'&') || text.startsWith(u'*') || text.startsWith(u'!'))
            fail(QStringLiteral("anchors, aliases and tags are not supported"));
        if (text.startsWith(u'{') || text.startsWith(u'[')) {
            int i = 0;
            const QJsonValue value = parseFlow(text, &i);
            if (!isIgnorable(text.mid(i)))
                fail(QStringLiteral("unexpected text after a flow collection: \"%1\"")
                         .arg(text.mid(i)));
            ++m_pos;
            return value;
        }
        if (text.startsWith(u'"') || text.startsWith(u'\''))
            return parseQuotedLines(text, parentIndent);
        // A plain scalar, possibly folded over more-indented lines.
        QString value = stripComment(text);
        for (++m_pos; m_pos < m_lines.size(); ++m_pos) {
            const Line &line = current();
            if (isIgnorable(line.content) || line.indent <= parentIndent
                || keyEnd(line.content) >= 0 || isSequenceItem(line.content))
                break;
            value += u' ' + stripComment(line.content);
        }
        if (isNullScalar(value))
            return QJsonValue::Null;
        return value;
    }

    static QString stripComment(const QString &text)
    {
        for (int i = 0; i < text.size(); ++i)
            if (text.at(i) == u'#' && (i == 0 || text.at(i - 1) == u' '))
                return text.left(i).trimmed();
        return text.trimmed();
    }

    // A quoted scalar that may go on over the next lines: they are joined with '\n' and
    // quotedText() folds the breaks.
    QJsonValue parseQuotedLines(const QString &first, int parentIndent)
    {
        QString text = first;
        const int startLine = current().number;
        for (;;) {
            int end = 0;
            bool closed = false;
            const QString value = quotedText(text, &end, &closed);
            ++m_pos;
            if (closed) {
                if (!isIgnorable(text.mid(end)))
                    throw YamlError {m_lines[m_pos - 1].number,
                                     QStringLiteral("unexpected text after a quoted scalar: \"%1\"")
                                         .arg(text.mid(end))};
                return value;
            }
            if (m_pos >= m_lines.size()
                || (!current().raw.trimmed().isEmpty() && leadingSpaces(current().raw) <= parentIndent))
                throw YamlError {startLine, QStringLiteral("unterminated quoted scalar")};
            text += u'\n' + current().raw;
        }
    }

    // The text of the quoted scalar at the start of `text`; `end` is past its closing quote.
    // Line breaks inside fold as YAML says: one break is a space, n empty lines are n breaks,
    // an escaped break (double quotes) is nothing; indentation around a break is dropped.
    QString quotedText(const QString &text, int *end, bool *closed = nullptr)
    {
        const QChar quote = text.at(0);
        QString out;
        int i = 1;
        for (; i < text.size(); ++i) {
            const QChar c = text.at(i);
            if (c == u'\n') {
                while (out.endsWith(u' ') || out.endsWith(u'\t'))
                    out.chop(1);
                int breaks = 0;
                while (i < text.size() && (text.at(i) == u'\n' || text.at(i) == u' ' || text.at(i) == u'\t')) {
                    if (text.at(i) == u'\n')
                        ++breaks;
                    ++i;
                }
                --i;
                out += breaks == 1 ? QString(u' ') : QString(breaks - 1, u'\n');
                continue;
            }
            if (c == quote) {
                if (quote == u'\'' && i + 1 < text.size() && text.at(i + 1) == u'\'') {
                    out += u'\'';
                    ++i;
                    continue;
                }
                *end = i + 1;
                if (closed)
                    *closed = true;
                return out;
            }
            if (quote == u'"' && c == u'\\' && i + 1 < text.size()) {
                const QChar e = text.at(++i);
                switch (e.unicode()) {
                case '\n':
                    while (i + 1 < text.size() && (text.at(i + 1) == u' ' || text.at(i + 1) == u'\t'))
                        ++i;
                    break;
                case 'n': out += u'\n'; break;
                case 't': out += u'\t'; break;
                case 'r': out += u'\r'; break;
                case '0': out += QChar(0); break;
                case 'b': out += u'\b'; break;
                case 'f': out += u'\f'; break;
                case 'e': out += QChar(0x1b); break;
                case ' ': out += u' '; break;
                case '/': out += u'/'; break;
                case '"': out += u'"'; break;
                case '\\': out += u'\\'; break;
                case 'x':
                case 'u':
                case 'U': {
                    const int digits = e == u'x' ? 2 : (e == u'u' ? 4 : 8);
                    const QString hex = text.mid(i + 1, digits);
                    bool ok = false;
                    const char32_t point = char32_t(hex.toUInt(&ok, 16));
                    if (!ok || hex.size() != digits)
                        fail(QStringLiteral("bad \\%1 escape").arg(e));
                    out += QString::fromUcs4(&point, 1);
                    i += digits;
                    break;
                }
                default: fail(QStringLiteral("unknown escape \\%1").arg(e));
                }
                continue;
            }
            out += c;
        }
        if (!closed)
            fail(QStringLiteral("unterminated quoted scalar"));
        *closed = false;
        *end = int(text.size());
        return out;
    }

    // `|` or `>` with optional chomping (`-`, `+`) and indentation digit.
    QJsonValue parseBlockScalar(const QString &header, int parentIndent)
    {
        const bool literal = header.startsWith(u'|');
        QChar chomp;
        int explicitIndent = 0;
        const QString indicators = stripComment(header.mid(1));
        for (const QChar c : indicators) {
            if ((c == u'-' || c == u'+') && chomp.isNull())
                chomp = c;
            else if (c >= u'1' && c <= u'9' && explicitIndent == 0)
                explicitIndent = c.digitValue();
            else
                fail(QStringLiteral("bad block scalar header \"%1\"").arg(header));
        }
        ++m_pos;
        int blockIndent = explicitIndent ? parentIndent + explicitIndent : -1;
        QStringList lines;
        for (; m_pos < m_lines.size(); ++m_pos) {
            const QString &raw = current().raw;
            if (raw.trimmed().isEmpty()) {
                lines.append(QString());
                continue;
            }
            const int spaces = leadingSpaces(raw);
            if (blockIndent < 0)
                blockIndent = spaces;
            if (spaces < blockIndent || spaces <= parentIndent)
                break;
            lines.append(raw.mid(blockIndent));
        }
        int trailing = 0;
        while (!lines.isEmpty() && lines.last().isEmpty()) {
            lines.removeLast();
            ++trailing;
        }
        QString text;
        if (literal) {
            text = lines.join(u'\n');
        } else {
            for (qsizetype i = 0; i < lines.size(); ++i) {
                if (i > 0) {
                    const bool keepBreak = lines[i].isEmpty() || lines[i - 1].isEmpty()
                        || lines[i].startsWith(u' ') || lines[i - 1].startsWith(u' ');
                    text += keepBreak ? u'\n' : u' ';
                }
                text += lines[i];
            }
        }
        if (chomp == u'+')
            text += QString(trailing + (lines.isEmpty() ? 0 : 1), u'\n');
        else if (chomp.isNull() && !lines.isEmpty())
            text += u'\n';
        return text;
    }

    // A flow collection or scalar on one line, from text[*i].
    QJsonValue parseFlow(const QString &text, int *i)
    {
        auto skipSpaces = [&] {
            while (*i < text.size() && text.at(*i) == u' ')
                ++*i;
        };
        skipSpaces();
        if (*i >= text.size())
            fail(QStringLiteral("unexpected end of a flow collection"));
        const QChar open = text.at(*i);
        if (open == u'{' || open == u'[') {
            const QChar close = open == u'{' ? u'}' : u']';
            QJsonObject map;
            QJsonArray list;
            ++*i;
            for (;;) {
                skipSpaces();
                if (*i < text.size() && text.at(*i) == close) {
                    ++*i;
                    break;
                }
                if (open == u'{') {
                    const QString key = flowScalar(text, i, true).toString();
                    skipSpaces();
                    if (*i >= text.size() || text.at(*i) != u':')
                        fail(QStringLiteral("expected ':' in a flow mapping"));
                    ++*i;
                    map.insert(key, parseFlow(text, i));
                } else {
                    list.append(parseFlow(text, i));
                }
                skipSpaces();
                if (*i < text.size() && text.at(*i) == u',') {
                    ++*i;
                    continue;
                }
                if (*i < text.size() && text.at(*i) == close) {
                    ++*i;
                    break;
                }
                fail(QStringLiteral("expected ',' or '%1' in a flow collection").arg(close));
            }
            if (open == u'{')
                return map;
            return list;
        }
        return flowScalar(text, i, false);
    }

    QJsonValue flowScalar(const QString &text, int *i, bool isKey)
    {
        if (text.at(*i) == u'"' || text.at(*i) == u'\'') {
            int end = 0;
            const QString value = quotedText(text.mid(*i), &end);
            *i += end;
            return value;
        }
        const int start = *i;
        while (*i < text.size()) {
            const QChar c = text.at(*i);
            if (c == u',' || c == u'}' || c == u']')
                break;
            if (isKey && c == u':' && (*i + 1 == text.size() || text.at(*i + 1) == u' '))
                break;
            ++*i;
        }
        const QString value = text.mid(start, *i - start).trimmed();
        if (!isKey && isNullScalar(value))
            return QJsonValue::Null;
        return value;
    }

    std::vector<Line> m_lines;
    std::size_t m_pos = 0;
};

} // namespace

std::optional<std::vector<QJsonValue>> readYamlDocuments(const QByteArray &text, QString *error)
{
    QString decoded = QString::fromUtf8(text);
    if (decoded.startsWith(QChar(0xfeff)))
        decoded.remove(0, 1);
    const QStringList rawLines = decoded.split(u'\n');
    std::vector<std::vector<Line>> documents(1);
    for (qsizetype n = 0; n < rawLines.size(); ++n) {
        QString raw = rawLines[n];
        if (raw.endsWith(u'\r'))
            raw.chop(1);
        if (raw == QLatin1String("---") || raw.startsWith(QLatin1String("--- "))
            || raw == QLatin1String("...")) {
            documents.emplace_back();
            const QString rest = raw.mid(4).trimmed();
            if (raw.startsWith(QLatin1String("--- ")) && !isIgnorable(rest))
                raw = rest; // "--- value" starts the document on the marker's line
            else
                continue;
        }
        if (raw.startsWith(u'%') && documents.back().empty())
            continue; // a directive (%YAML 1.2)
        const int indent = leadingSpaces(raw);
        documents.back().push_back(Line {raw, int(n + 1), indent, raw.mid(indent)});
    }
    std::vector<QJsonValue> values;
    try {
        for (std::vector<Line> &lines : documents) {
            DocumentParser parser(std::move(lines));
            if (!parser.isEmpty())
                values.push_back(parser.parseDocument());
        }
    } catch (const YamlError &failure) {
        *error = QStringLiteral("line %1: %2").arg(failure.line).arg(failure.message);
        return std::nullopt;
    }
    return values;
}

} // namespace iotcore::app
