#pragma once

// MQTT over WebSocket (ws:// or wss://) with QWebSocket, offering the "mqtt" subprotocol as MQTT
// 3.1.1 section 6 requires. MQTT packets travel in binary messages; one message may hold part of
// a packet or several, which the client's incremental decoder does not mind.

#include "ClientTransport.h"

#include <QSslConfiguration>
#include <QUrl>

#include <memory>
#include <optional>

class QWebSocket;

namespace iotcore::app {

class WebSocketClientTransport : public ClientTransport
{
    Q_OBJECT

public:
    // `url` is ws://host:port/path or wss://…; wss uses `tls` (the system's CA certificates
    // when not given).
    explicit WebSocketClientTransport(QUrl url, std::optional<QSslConfiguration> tls = std::nullopt,
                                      QObject *parent = nullptr);
    ~WebSocketClientTransport() override;

    void open() override;
    void write(const QByteArray &bytes) override;
    void close() override;
    void abort() override;
    QString peerDescription() const override;

private:
    void finish(const QString &reason);

    QUrl m_url;
    std::optional<QSslConfiguration> m_tls;
    std::unique_ptr<QWebSocket> m_socket;
    bool m_finished = false;
};

} // namespace iotcore::app
