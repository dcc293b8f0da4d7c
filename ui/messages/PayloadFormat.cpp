#include "PayloadFormat.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QTimeZone>

namespace iotcore::ui::PayloadFormat {

namespace {

constexpr qint64 Year2000 = 946'684'800;  // seconds since the epoch
constexpr qint64 Year2100 = 4'102'444'800;

void newLine(QString &out, int depth)
{
    out += u'\n';
    out += QString(depth * 2, u' ');
}

} // namespace

std::optional<QString> asText(QByteArrayView payload)
{
    const QString text = QString::fromUtf8(payload);
    for (const QChar c : text) {
        if (c == QChar::ReplacementCharacter
            || (c.unicode() < 0x20 && c != u'\n' && c != u'\r' && c != u'\t'))
            return std::nullopt;
    }
    return text;
}

std::optional<QString> prettyJson(QByteArrayView payload)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(payload.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || document.isNull())
        return std::nullopt;
    // QJsonDocument sorts object keys; re-indent the original text instead, so that the keys
    // stay in the order the device wrote them. It is valid JSON, so only strings need care.
    const QString text = QString::fromUtf8(payload);
    QString out;
    out.reserve(text.size() * 2);
    int depth = 0;
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (inString) {
            out += c;
            if (c == u'\\' && i + 1 < text.size())
                out += text[++i];
            else if (c == u'"')
                inString = false;
            continue;
        }
        switch (c.unicode()) {
        case u'"':
            inString = true;
            out += c;
            break;
        case u'{':
        case u'[': {
            // An empty object or array stays on one line.
            qsizetype next = i + 1;
            while (next < text.size() && text[next].isSpace())
                ++next;
            const QChar close = c == u'{' ? u'}' : u']';
            if (next < text.size() && text[next] == close) {
                out += c;
                out += close;
                i = next;
                break;
            }
            out += c;
            newLine(out, ++depth);
            break;
        }
        case u'}':
        case u']':
            newLine(out, --depth);
            out += c;
            break;
        case u',':
            out += c;
            newLine(out, depth);
            break;
        case u':':
            out += QStringLiteral(": ");
            break;
        default:
            if (!c.isSpace())
                out += c;
        }
    }
    return out;
}

QString hexDump(QByteArrayView payload)
{
    QString out;
    out.reserve((payload.size() / 16 + 1) * 78);
    for (qsizetype line = 0; line < payload.size(); line += 16) {
        out += QStringLiteral("%1  ").arg(line, 8, 16, QLatin1Char('0'));
        QString ascii;
        for (qsizetype i = line; i < line + 16; ++i) {
            if (i == line + 8)
                out += u' ';
            if (i < payload.size()) {
                const auto byte = static_cast<unsigned char>(payload[i]);
                out += QStringLiteral("%1 ").arg(byte, 2, 16, QLatin1Char('0'));
                ascii += byte >= 0x20 && byte < 0x7f ? QChar(byte) : QChar(u'.');
            } else {
                out += QStringLiteral("   ");
            }
        }
        out += u'|' + ascii + u'|';
        out += u'\n';
    }
    return out;
}

QList<DecodedTimestamp> decodedTimestamps(QByteArrayView payload)
{
    static const QRegularExpression number(
        QStringLiteral(R"((?<![\d.\-])(\d{13}|\d{10}(?:\.\d+)?)(?![\d.]))"));
    QList<DecodedTimestamp> found;
    QStringList seen;
    const QString text = QString::fromUtf8(payload);
    for (const QRegularExpressionMatch &match : number.globalMatch(text)) {
        const QString digits = match.captured(1);
        if (seen.contains(digits))
            continue;
        DecodedTimestamp stamp;
        stamp.number = digits;
        qint64 ms = 0;
        if (digits.size() == 13) {
            stamp.unit = DecodedTimestamp::Unit::Milliseconds;
            ms = digits.toLongLong();
        } else {
            ms = qint64(digits.toDouble() * 1000.0 + 0.5);
        }
        if (ms < Year2000 * 1000 || ms >= Year2100 * 1000)
            continue;
        stamp.time = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
        seen << digits;
        found << stamp;
    }
    return found;
}

} // namespace iotcore::ui::PayloadFormat
