#pragma once

// One HTTP/1.1 request as the data API sees it, and one answer. Only what a small JSON API
// needs: no chunked bodies, no trailers, no ranges.

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <utility>
#include <vector>

namespace iotcore::app {

using HttpHeaders = std::vector<std::pair<QByteArray, QByteArray>>;

struct HttpRequest {
    QByteArray method;     // as sent: "POST"
    QByteArray target;     // origin form: "/iot-devices/v1/devices/are…/publish?x=1"
    int minorVersion = 1;  // HTTP/1.<minorVersion>
    HttpHeaders headers;   // names in lower case, values without surrounding spaces
    QByteArray body;
    QString peer;          // "127.0.0.1:50312"

    // The first value of a header (name in lower case), or an empty array.
    QByteArray header(QByteArrayView name) const;
    QByteArray path() const; // the target without its query
    // RFC 9112, 9.3: HTTP/1.1 persists unless "Connection: close"; HTTP/1.0 only with keep-alive.
    bool keepAlive() const;
};

struct HttpResponse {
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    HttpHeaders headers; // extra ones: Allow, WWW-Authenticate
    bool close = false;  // close the connection once sent
    bool bodyOmitted = false; // an answer to HEAD: Content-Length of the body, but no body

    // The bytes on the wire; `keepAlive` is what the request allowed.
    QByteArray serialize(bool keepAlive) const;
};

const char *httpReasonPhrase(int status);

} // namespace iotcore::app
