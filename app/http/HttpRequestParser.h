#pragma once

// Bytes of one HTTP/1.1 connection in, requests out, one at a time (RFC 9112). Bounded: the
// request line and headers may take at most `maxHeaderBytes`, a body at most `maxBodyBytes`
// (declared by Content-Length; chunked bodies are refused). Anything malformed yields one error
// with the status to answer, after which the connection cannot be trusted and is closed.

#include "HttpMessage.h"

#include <QByteArray>
#include <QString>

#include <utility>

namespace iotcore::app {

class HttpRequestParser
{
public:
    struct Limits {
        qsizetype maxHeaderBytes = 16 * 1024;
        qsizetype maxBodyBytes = 512 * 1024;
    };

    enum class State { NeedMore, Complete, Error };
    struct Result {
        State state = State::NeedMore;
        HttpRequest request;  // with Complete
        int errorStatus = 0;  // with Error: 400, 413, 431, 501, 505
        QString errorMessage;
    };

    explicit HttpRequestParser(Limits limits) : m_limits(limits) {}

    void append(const QByteArray &bytes) { m_buffer += bytes; }
    qsizetype buffered() const { return m_buffer.size(); }
    // The next complete request (its bytes are consumed), NeedMore, or an error.
    Result next();
    // True once after next() read the head of a request that sent "Expect: 100-continue" and
    // whose body has not all arrived: the client waits for "100 Continue" (RFC 9110, 10.1.1).
    bool takeContinueRequest() { return std::exchange(m_continueRequested, false); }

private:
    Result parseHead(QByteArrayView head);

    Limits m_limits;
    QByteArray m_buffer;
    // The head of the request being read, once parsed: waiting for `m_bodyLength` body bytes.
    bool m_haveHead = false;
    HttpRequest m_pending;
    qsizetype m_bodyLength = 0;
    bool m_continueRequested = false;
};

} // namespace iotcore::app
