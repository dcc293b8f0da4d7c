#pragma once

// MQTT over TCP (QTcpSocket) or TLS (QSslSocket, the server verified against the configuration's
// CA certificates and host name, with a client certificate and key when the configuration has
// them).

#include "ClientTransport.h"

#include <QAbstractSocket>
#include <QSslConfiguration>

#include <memory>
#include <optional>

class QTcpSocket;

namespace iotcore::app {

class SocketClientTransport : public ClientTransport
{
    Q_OBJECT

public:
    // Plain TCP without `tls`, TLS with it.
    SocketClientTransport(QString host, quint16 port,
                          std::optional<QSslConfiguration> tls = std::nullopt,
                          QObject *parent = nullptr);
    ~SocketClientTransport() override;

    void open() override;
    void write(const QByteArray &bytes) override;
    void close() override;
    void abort() override;
    QString peerDescription() const override;

private:
    void finish(const QString &reason);

    QString m_host;
    quint16 m_port;
    std::optional<QSslConfiguration> m_tls;
    std::unique_ptr<QTcpSocket> m_socket;
    bool m_finished = false;
};

} // namespace iotcore::app
