#include "HttpServer.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace iotcore::app {

// One client connection: reads a request, hands it over, and reads the next only once the answer
// is written. Deletes itself when the peer goes away.
class HttpServer::Connection final : public QObject
{
public:
    Connection(QTcpSocket *socket, HttpServer &server)
        : QObject(&server)
        , m_server(server)
        , m_socket(socket)
        , m_parser(server.m_options.limits)
    {
        m_socket->setParent(this);
        // Qt stops reading from the kernel when this is full: with a request pending, the
        // client's further bytes wait there (TCP flow control), not in memory.
        m_socket->setReadBufferSize(64 * 1024);
        m_peer = m_socket->peerAddress().toString() + u':' + QString::number(m_socket->peerPort());
        m_idle.setSingleShot(true);
        m_idle.setInterval(server.m_options.idleTimeout);
        connect(&m_idle, &QTimer::timeout, this, [this] {
            if (m_busy)
                m_idle.start(); // the answer is being worked out
            else
                finish();
        });
        connect(m_socket, &QTcpSocket::readyRead, this, [this] {
            m_idle.start();
            process();
        });
        connect(m_socket, &QTcpSocket::disconnected, this, [this] {
            m_closing = true;
            deleteLater();
        });
        m_idle.start();
        process();
    }

    ~Connection() override
    {
        m_socket->disconnect(this); // no signal of the dying socket may reach this half-gone object
        m_server.m_connections.removeOne(this);
    }

private:
    void process()
    {
        if (m_processing)
            return; // an answer given from inside the handler: the loop below goes on
        m_processing = true;
        const HttpRequestParser::Limits &limits = m_server.m_options.limits;
        while (!m_busy && !m_closing) {
            if (m_socket->bytesAvailable() > 0
                && m_parser.buffered() <= limits.maxHeaderBytes + limits.maxBodyBytes)
                m_parser.append(m_socket->readAll());
            HttpRequestParser::Result result = m_parser.next();
            if (result.state == HttpRequestParser::State::NeedMore) {
                if (m_parser.takeContinueRequest())
                    m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
                break;
            }
            if (result.state == HttpRequestParser::State::Error) {
                HttpResponse response = m_server.m_options.errorResponse
                    ? m_server.m_options.errorResponse(result.errorStatus, result.errorMessage)
                    : HttpResponse{result.errorStatus, "text/plain; charset=utf-8",
                                   result.errorMessage.toUtf8() + '\n', {}, true};
                response.close = true; // the rest of the stream cannot be trusted
                write(response, false);
                break;
            }
            m_busy = true;
            m_keepAlive = result.request.keepAlive();
            m_head = result.request.method == "HEAD";
            result.request.peer = m_peer;
            const quint64 sequence = ++m_sequence;
            Respond respond = [self = QPointer<Connection>(this), sequence](HttpResponse response) {
                if (self)
                    self->answer(sequence, std::move(response));
            };
            m_server.m_handler(std::move(result.request), std::move(respond));
        }
        m_processing = false;
    }

    void answer(quint64 sequence, HttpResponse response)
    {
        if (m_closing || !m_busy || sequence != m_sequence)
            return;
        m_busy = false;
        m_idle.start();
        if (m_head)
            response.bodyOmitted = true; // RFC 9110, 9.3.2: the headers of a GET, no content
        write(response, m_keepAlive);
        if (!m_closing)
            process();
    }

    void write(const HttpResponse &response, bool keepAlive)
    {
        m_socket->write(response.serialize(keepAlive));
        if (!keepAlive || response.close)
            finish();
    }

    // Closes once what was written has gone out.
    void finish()
    {
        m_closing = true;
        m_idle.stop();
        m_socket->disconnectFromHost();
    }

    HttpServer &m_server;
    QTcpSocket *m_socket;
    HttpRequestParser m_parser;
    QTimer m_idle;
    QString m_peer;
    quint64 m_sequence = 0;
    bool m_busy = false;       // a request was handed over and not answered yet
    bool m_keepAlive = true;
    bool m_head = false;       // the request being answered is a HEAD
    bool m_processing = false;
    bool m_closing = false;
};

HttpServer::HttpServer(Handler handler, Options options, QObject *parent)
    : QObject(parent)
    , m_handler(std::move(handler))
    , m_options(std::move(options))
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &HttpServer::accept);
}

HttpServer::~HttpServer()
{
    close();
}

bool HttpServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    if (m_server->listen(address, port))
        return true;
    *error = m_server->errorString();
    return false;
}

QHostAddress HttpServer::address() const
{
    return m_server->serverAddress();
}

quint16 HttpServer::port() const
{
    return m_server->serverPort();
}

void HttpServer::close()
{
    m_server->close();
    const QList<Connection *> connections = m_connections;
    for (Connection *connection : connections)
        delete connection;
}

void HttpServer::accept()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_connections.size() >= m_options.maxConnections) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        m_connections.append(new Connection(socket, *this));
    }
}

} // namespace iotcore::app
