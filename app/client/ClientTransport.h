#pragma once

// The byte stream an MqttClient speaks MQTT over. The client owns no socket: it asks a
// ClientTransportFactory for a new transport for every connection attempt (so no signal from an
// earlier connection can reach a later one), writes encoded packets to it and feeds what it
// receives to the project's PacketDecoder.
//
// The contract, which an in-process transport (the client side of a pipe into the embedded
// broker, without sockets) must keep as the socket ones do:
//   - open() starts connecting and returns at once. Exactly one of opened() or closed(reason)
//     follows, later (never from inside open()).
//   - After opened(): bytesReceived() for each chunk of the stream, in order, split anywhere
//     (a WebSocket transport may hand whole frames; the client does not rely on it).
//   - write() queues bytes in order; it is only called between opened() and closed().
//   - closed(reason) is emitted once when the stream ends for any reason the client did not ask
//     for: the peer closed it, a socket or TLS error, a failed connection attempt. `reason` is one
//     line for a person ("connection refused", "remote host closed the connection").
//   - close() ends the stream gracefully after the bytes already written have been sent; abort()
//     drops it at once. The client calls them only to end a connection it no longer listens to,
//     so after either a transport may still emit closed() (it is ignored) and is then deleted by
//     the client (close() is given time to flush first).

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace iotcore::app {

class ClientTransport : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    virtual void open() = 0;
    virtual void write(const QByteArray &bytes) = 0;
    virtual void close() = 0;
    virtual void abort() = 0;

    // Where the transport goes, for messages: "tcp://127.0.0.1:1883", "wss://host:443/mqtt".
    virtual QString peerDescription() const = 0;

signals:
    void opened();
    void bytesReceived(const QByteArray &bytes);
    void closed(const QString &reason);
};

// Makes a fresh, unopened transport for one connection attempt.
using ClientTransportFactory = std::function<std::unique_ptr<ClientTransport>()>;

} // namespace iotcore::app
