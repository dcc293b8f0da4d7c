#include "HttpRequestParser.h"

#include <QList>

namespace iotcore::app {

namespace {

// RFC 9110, 5.6.2: tchar.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

HttpRequestParser::Result failure(int status, const QString &message)
{
    HttpRequestParser::Result result;
    result.state = HttpRequestParser::State::Error;
    result.errorStatus = status;
    result.errorMessage = message;
    return result;
}

// The end of the head (the index just past the empty line), or -1. Lines may end in CRLF or,
// leniently (RFC 9112, 2.2), in a bare LF.
qsizetype headEnd(const QByteArray &buffer)
{
    for (qsizetype i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n', i + 1)) {
        if (i + 1 < buffer.size() && buffer[i + 1] == '\n')
            return i + 2;
        if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n')
            return i + 3;
    }
    return -1;
}

} // namespace

HttpRequestParser::Result HttpRequestParser::next()
{
    if (!m_haveHead) {
        // RFC 9112, 2.2: empty lines before the request line are ignored.
        qsizetype skip = 0;
        while (skip < m_buffer.size() && (m_buffer[skip] == '\r' || m_buffer[skip] == '\n'))
            ++skip;
        if (skip > 0)
            m_buffer.remove(0, skip);
        const qsizetype end = headEnd(m_buffer);
        if (end < 0) {
            if (m_buffer.size() > m_limits.maxHeaderBytes)
                return failure(431, QStringLiteral("request headers over %1 bytes").arg(m_limits.maxHeaderBytes));
            return {};
        }
        if (end > m_limits.maxHeaderBytes)
            return failure(431, QStringLiteral("request headers over %1 bytes").arg(m_limits.maxHeaderBytes));
        Result head = parseHead(QByteArrayView(m_buffer).first(end));
        if (head.state == State::Error)
            return head;
        m_buffer.remove(0, end);
        m_haveHead = true;
        m_continueRequested = m_bodyLength > m_buffer.size()
            && m_pending.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0;
    }
    if (m_buffer.size() < m_bodyLength)
        return {};
    m_continueRequested = false;
    Result result;
    result.state = State::Complete;
    result.request = std::move(m_pending);
    result.request.body = m_buffer.left(m_bodyLength);
    m_buffer.remove(0, m_bodyLength);
    m_pending = {};
    m_haveHead = false;
    m_bodyLength = 0;
    return result;
}

HttpRequestParser::Result HttpRequestParser::parseHead(QByteArrayView head)
{
    QList<QByteArrayView> lines;
    for (qsizetype start = 0; start < head.size();) {
        qsizetype end = head.indexOf('\n', start);
        if (end < 0)
            end = head.size();
        QByteArrayView line = head.sliced(start, end - start);
        if (line.endsWith('\r'))
            line.chop(1);
        lines.append(line);
        start = end + 1;
    }
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    if (lines.isEmpty())
        return failure(400, QStringLiteral("empty request"));

    // request-line = method SP request-target SP HTTP-version
    const QByteArrayView requestLine = lines.first();
    const qsizetype firstSpace = requestLine.indexOf(' ');
    const qsizetype lastSpace = requestLine.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace == firstSpace)
        return failure(400, QStringLiteral("malformed request line"));
    const QByteArrayView method = requestLine.first(firstSpace);
    const QByteArrayView target = requestLine.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = requestLine.sliced(lastSpace + 1);
    if (!isToken(method) || target.isEmpty() || target.contains(' '))
        return failure(400, QStringLiteral("malformed request line"));
    if (version.size() != 8 || !version.startsWith("HTTP/") || version[6] != '.'
        || version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
        return failure(400, QStringLiteral("malformed HTTP version"));
    if (version[5] != '1')
        return failure(505, QStringLiteral("only HTTP/1.x is served"));
    if (!target.startsWith('/'))
        return failure(400, QStringLiteral("the request target must be a path"));

    m_pending = {};
    m_pending.method = method.toByteArray();
    m_pending.target = target.toByteArray();
    m_pending.minorVersion = version[7] - '0';
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArrayView line = lines[i];
        if (line.startsWith(' ') || line.startsWith('\t'))
            return failure(400, QStringLiteral("obsolete header line folding")); // RFC 9112, 5.2
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return failure(400, QStringLiteral("malformed header line"));
        m_pending.headers.emplace_back(line.first(colon).toByteArray().toLower(),
                                       line.sliced(colon + 1).trimmed().toByteArray());
    }

    if (!m_pending.header("transfer-encoding").isEmpty())
        return failure(501, QStringLiteral("chunked bodies are not supported: send Content-Length"));
    m_bodyLength = 0;
    bool seenLength = false;
    for (const auto &[name, value] : m_pending.headers) {
        if (name != "content-length")
            continue;
        bool ok = !value.isEmpty();
        for (const char c : value)
            ok = ok && c >= '0' && c <= '9';
        if (!ok)
            return failure(400, QStringLiteral("malformed Content-Length"));
        const qlonglong length = value.size() <= 12 ? value.toLongLong() : m_limits.maxBodyBytes + 1;
        if (seenLength && length != m_bodyLength)
            return failure(400, QStringLiteral("conflicting Content-Length headers")); // RFC 9112, 6.3
        if (length > m_limits.maxBodyBytes)
            return failure(413, QStringLiteral("request body over %1 bytes").arg(m_limits.maxBodyBytes));
        m_bodyLength = qsizetype(length);
        seenLength = true;
    }
    return {};
}

} // namespace iotcore::app
