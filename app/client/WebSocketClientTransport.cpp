#include "WebSocketClientTransport.h"

#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

namespace iotcore::app {

WebSocketClientTransport::WebSocketClientTransport(QUrl url, std::optional<QSslConfiguration> tls,
                                                   QObject *parent)
    : ClientTransport(parent)
    , m_url(std::move(url))
    , m_tls(std::move(tls))
{
}

WebSocketClientTransport::~WebSocketClientTransport()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void WebSocketClientTransport::open()
{
    m_socket = std::make_unique<QWebSocket>();
    if (m_tls)
        m_socket->setSslConfiguration(*m_tls);
    connect(m_socket.get(), &QWebSocket::connected, this, [this] {
        // MQTT-6.0.0-3 asks the server to pick "mqtt"; a server that picks nothing is refused,
        // since it may not speak MQTT at all.
        if (m_socket->subprotocol() != QLatin1String("mqtt")) {
            finish(tr("the WebSocket server did not accept the \"mqtt\" subprotocol"));
            m_socket->abort();
            return;
        }
        emit opened();
    });
    connect(m_socket.get(), &QWebSocket::binaryMessageReceived, this,
            &ClientTransport::bytesReceived);
    connect(m_socket.get(), qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this] { finish(m_socket->errorString()); });
    connect(m_socket.get(), &QWebSocket::disconnected, this, [this] {
        const QString reason = m_socket->closeReason();
        finish(reason.isEmpty() ? tr("the server closed the WebSocket") : reason);
    });

    QWebSocketHandshakeOptions options;
    options.setSubprotocols({QStringLiteral("mqtt")});
    QMetaObject::invokeMethod(
        this, [this, options] { m_socket->open(m_url, options); }, Qt::QueuedConnection);
}

void WebSocketClientTransport::write(const QByteArray &bytes)
{
    if (m_socket)
        m_socket->sendBinaryMessage(bytes);
}

void WebSocketClientTransport::close()
{
    if (m_socket)
        m_socket->close();
}

void WebSocketClientTransport::abort()
{
    m_finished = true;
    if (m_socket)
        m_socket->abort();
}

QString WebSocketClientTransport::peerDescription() const
{
    return m_url.toString();
}

void WebSocketClientTransport::finish(const QString &reason)
{
    if (m_finished)
        return;
    m_finished = true;
    emit closed(reason);
}

} // namespace iotcore::app
