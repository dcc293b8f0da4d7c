#include "SocketClientTransport.h"

#include <QSslSocket>
#include <QTcpSocket>

namespace iotcore::app {

SocketClientTransport::SocketClientTransport(QString host, quint16 port,
                                             std::optional<QSslConfiguration> tls, QObject *parent)
    : ClientTransport(parent)
    , m_host(std::move(host))
    , m_port(port)
    , m_tls(std::move(tls))
{
}

SocketClientTransport::~SocketClientTransport()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void SocketClientTransport::open()
{
    if (m_tls) {
        auto *ssl = new QSslSocket;
        ssl->setSslConfiguration(*m_tls);
        connect(ssl, &QSslSocket::encrypted, this, &ClientTransport::opened);
        m_socket.reset(ssl);
    } else {
        m_socket = std::make_unique<QTcpSocket>();
        connect(m_socket.get(), &QTcpSocket::connected, this, &ClientTransport::opened);
    }
    // MQTT packets are small and latency matters more than the number of segments.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_socket.get(), &QIODevice::readyRead, this,
            [this] { emit bytesReceived(m_socket->readAll()); });
    connect(m_socket.get(), &QAbstractSocket::errorOccurred, this, [this] {
        finish(m_socket->error() == QAbstractSocket::RemoteHostClosedError
                   ? tr("the server closed the connection")
                   : m_socket->errorString());
    });
    connect(m_socket.get(), &QAbstractSocket::disconnected, this,
            [this] { finish(tr("the server closed the connection")); });

    // Connect on the next turn of the event loop, so that even an immediate refusal reaches the
    // client after open() has returned, as ClientTransport promises.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (auto *ssl = qobject_cast<QSslSocket *>(m_socket.get()))
                ssl->connectToHostEncrypted(m_host, m_port);
            else
                m_socket->connectToHost(m_host, m_port);
        },
        Qt::QueuedConnection);
}

void SocketClientTransport::write(const QByteArray &bytes)
{
    if (m_socket)
        m_socket->write(bytes);
}

void SocketClientTransport::close()
{
    if (m_socket)
        m_socket->disconnectFromHost(); // sends what is buffered first
}

void SocketClientTransport::abort()
{
    m_finished = true;
    if (m_socket)
        m_socket->abort();
}

QString SocketClientTransport::peerDescription() const
{
    return QStringLiteral("%1://%2:%3").arg(m_tls ? "mqtts" : "mqtt", m_host).arg(m_port);
}

void SocketClientTransport::finish(const QString &reason)
{
    if (m_finished)
        return;
    m_finished = true;
    emit closed(reason);
}

} // namespace iotcore::app
