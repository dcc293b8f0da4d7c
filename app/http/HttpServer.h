#pragma once

// A small HTTP/1.1 server on QTcpServer, on the thread that creates it. Each request is handed
// to the handler with a Respond function that may be called later (once the broker thread has
// answered): the connection reads nothing more until then, so requests are answered in order and
// pipelined bytes wait in the kernel. Bounded sizes (HttpRequestParser::Limits), keep-alive, and
// an idle timeout; QHttpServer of Qt 6.4 was not used because its asynchronous (QFuture) answers
// keep a reference to a request that is gone by then, and it accepts bodies of any size.

#include "HttpMessage.h"
#include "HttpRequestParser.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

#include <chrono>
#include <functional>

class QTcpServer;

namespace iotcore::app {

class HttpServer : public QObject
{
    Q_OBJECT

public:
    // Call exactly once, on the server's thread. Safe after the connection closed (then a no-op).
    using Respond = std::function<void(HttpResponse)>;
    using Handler = std::function<void(HttpRequest, Respond)>;

    struct Options {
        HttpRequestParser::Limits limits;
        std::chrono::milliseconds idleTimeout{60'000}; // a connection silent this long is closed
        int maxConnections = 512;                       // more are refused at once
        // The answer to a request that could not be read (400, 413, 431, 501, 505); the
        // connection is closed after it. Plain text when not set.
        std::function<HttpResponse(int status, const QString &message)> errorResponse;
    };

    HttpServer(Handler handler, Options options, QObject *parent = nullptr);
    ~HttpServer() override;

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    QHostAddress address() const;
    quint16 port() const;
    // Stops accepting and closes every connection; pending answers are dropped.
    void close();

private:
    class Connection;
    void accept();

    Handler m_handler;
    Options m_options;
    QTcpServer *m_server;
    QList<Connection *> m_connections; // each removes itself when it is destroyed
};

} // namespace iotcore::app
