#pragma once

// An MQTT 3.1.1 client on the project's codec (broker/mqtt), shaped after Qt MQTT's QMqttClient
// so that a Qt developer finds what they expect and a later switch to Qt MQTT stays small:
// the same property names, states, error codes and connectToHost() / connectToHostEncrypted() /
// publish() / subscribe() calls. What it adds: connected(sessionPresent), disconnected(reason),
// messageAcknowledged / messageRetried, automatic reconnection with exponential back-off,
// WebSocket and pluggable transports (ClientTransport.h, e.g. in-process).
//
// QoS 0, 1 and 2 in both directions. Outgoing QoS 1/2 messages stay in flight until PUBACK or
// PUBCOMP; with a persistent session (cleanSession false) they are sent again with DUP set, and
// PUBRELs again, after a reconnection (MQTT-4.4.0-1). With a clean session the session ends with
// the connection (MQTT-3.1.2-6), and so do the messages in flight: they are dropped.
// Subscriptions are sent again after a reconnection unless the server kept the session
// (CONNACK session present).
//
// Every failure (socket or TLS error, CONNACK refusal, a malformed or unexpected packet from the
// server, no PINGRESP in time) ends the connection: state Disconnected, error() and
// errorString() say why, disconnected(reason) is emitted. Nothing the server sends can crash it.
// Lives on one thread (the one it was created on), like any QObject.

#include "ClientTimers.h"
#include "ClientTransport.h"
#include "MqttMessage.h"
#include "MqttSubscription.h"

#include "mqtt/Packet.h"
#include "mqtt/PacketDecoder.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSslConfiguration>

#include <cstdint>

namespace iotcore::broker {
class BrokerServer;
}

namespace iotcore::app {

class MqttClient : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString hostname READ hostname WRITE setHostname)
    Q_PROPERTY(quint16 port READ port WRITE setPort)
    Q_PROPERTY(QString clientId READ clientId WRITE setClientId)
    Q_PROPERTY(QString username READ username WRITE setUsername)
    Q_PROPERTY(QString password READ password WRITE setPassword)
    Q_PROPERTY(bool cleanSession READ cleanSession WRITE setCleanSession)
    Q_PROPERTY(quint16 keepAlive READ keepAlive WRITE setKeepAlive)
    Q_PROPERTY(QString willTopic READ willTopic WRITE setWillTopic)
    Q_PROPERTY(QByteArray willMessage READ willMessage WRITE setWillMessage)
    Q_PROPERTY(quint8 willQoS READ willQoS WRITE setWillQoS)
    Q_PROPERTY(bool willRetain READ willRetain WRITE setWillRetain)
    Q_PROPERTY(QString webSocketPath READ webSocketPath WRITE setWebSocketPath)
    Q_PROPERTY(bool autoReconnect READ autoReconnect WRITE setAutoReconnect)
    Q_PROPERTY(int reconnectMinDelay READ reconnectMinDelay WRITE setReconnectMinDelay)
    Q_PROPERTY(int reconnectMaxDelay READ reconnectMaxDelay WRITE setReconnectMaxDelay)
    Q_PROPERTY(int connectTimeout READ connectTimeout WRITE setConnectTimeout)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(Error error READ error NOTIFY errorChanged)

public:
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    // Values as in QMqttClient::ClientError: 1 to 5 are the CONNACK return codes (MQTT 3.2.2.3).
    enum class Error {
        NoError = 0,
        InvalidProtocolVersion = 1,
        IdRejected = 2,
        ServerUnavailable = 3,
        BadUsernameOrPassword = 4,
        NotAuthorized = 5,
        TransportInvalid = 256,  // the connection could not be made or was lost
        ProtocolViolation = 257, // the server sent what MQTT 3.1.1 does not allow
        UnknownError = 258,
        Timeout = 260,           // no CONNACK within connectTimeout, or no PINGRESP in keep-alive
    };
    Q_ENUM(Error)

    explicit MqttClient(QObject *parent = nullptr);
    ~MqttClient() override;

    QString hostname() const { return m_hostname; }
    void setHostname(const QString &hostname) { m_hostname = hostname; }
    quint16 port() const { return m_port; }
    void setPort(quint16 port) { m_port = port; }
    // A random "iotcore-…" id until set; an empty id asks the server to assign one (clean
    // sessions only, MQTT-3.1.3-7).
    QString clientId() const { return m_clientId; }
    void setClientId(const QString &clientId) { m_clientId = clientId; }
    // Sent when not empty; the password only with a user name (MQTT-3.1.2-22).
    QString username() const { return m_username; }
    void setUsername(const QString &username) { m_username = username; }
    QString password() const { return m_password; }
    void setPassword(const QString &password) { m_password = password; }
    bool cleanSession() const { return m_cleanSession; }
    void setCleanSession(bool clean) { m_cleanSession = clean; }
    // Seconds; 0 turns keep-alive off. Default 60.
    quint16 keepAlive() const { return m_keepAlive; }
    void setKeepAlive(quint16 seconds) { m_keepAlive = seconds; }

    // The will is sent with CONNECT when willTopic is not empty.
    QString willTopic() const { return m_willTopic; }
    void setWillTopic(const QString &topic) { m_willTopic = topic; }
    QByteArray willMessage() const { return m_willMessage; }
    void setWillMessage(const QByteArray &message) { m_willMessage = message; }
    quint8 willQoS() const { return m_willQos; }
    void setWillQoS(quint8 qos) { m_willQos = qos; }
    bool willRetain() const { return m_willRetain; }
    void setWillRetain(bool retain) { m_willRetain = retain; }

    // The path of the WebSocket URL; "/mqtt" by default, as most brokers expect.
    QString webSocketPath() const { return m_webSocketPath; }
    void setWebSocketPath(const QString &path) { m_webSocketPath = path; }

    // After a connection is lost (not after disconnectFromHost() or a CONNACK refusal other than
    // "server unavailable"), connect again after reconnectMinDelay ms, doubling the delay after
    // each failed attempt up to reconnectMaxDelay ms. Off by default, as in Qt MQTT.
    bool autoReconnect() const { return m_autoReconnect; }
    void setAutoReconnect(bool on) { m_autoReconnect = on; }
    int reconnectMinDelay() const { return m_reconnectMinDelay; }
    void setReconnectMinDelay(int ms) { m_reconnectMinDelay = ms; }
    int reconnectMaxDelay() const { return m_reconnectMaxDelay; }
    void setReconnectMaxDelay(int ms) { m_reconnectMaxDelay = ms; }
    // Milliseconds from the start of a connection attempt to CONNACK. Default 30 000.
    int connectTimeout() const { return m_connectTimeout; }
    void setConnectTimeout(int ms) { m_connectTimeout = ms; }

    State state() const { return m_state; }
    Error error() const { return m_error; }
    // Why error() is what it is, for people: "connection refused: not authorized (CONNACK 5)".
    QString errorString() const { return m_errorString; }
    // From the last CONNACK.
    bool sessionPresent() const { return m_sessionPresent; }

    // Connects with hostname and port over TCP.
    void connectToHost();
    // Over TLS. `configuration` holds the CA certificates the server is verified against and,
    // for mutual TLS, the client's certificate and key (see ClientTlsFiles.h).
    void connectToHostEncrypted(const QSslConfiguration &configuration);
    // Over WebSocket (ws://hostname:port/webSocketPath, subprotocol "mqtt").
    void connectToHostWebSocket();
    void connectToHostWebSocketEncrypted(const QSslConfiguration &configuration);
    // To the embedded broker in this process, without a socket: its in-process listener
    // `listenerName` (BrokerServer::addInProcessListener). See InProcessClientTransport.h.
    void connectInProcess(broker::BrokerServer &server, const QString &listenerName);
    // Over any transport; `factory` makes one for each connection attempt.
    void connectWithTransport(ClientTransportFactory factory);

    // Sends DISCONNECT and closes: the server discards the will. Cancels a pending reconnection.
    void disconnectFromHost();
    // Drops the connection without DISCONNECT, as a network failure would: the server publishes
    // the will, and autoReconnect applies. For fault injection; `reason` goes to disconnected().
    void abortConnection(const QString &reason = {});

    // While connected: the message id (1-65535) of a QoS 1/2 message, 0 for QoS 0 (as Qt MQTT),
    // or -1 when not connected, the topic is not a valid topic name or qos is above 2.
    qint32 publish(const QString &topic, const QByteArray &payload = {}, quint8 qos = 0,
                   bool retain = false);

    // The subscription to `filter`, sent now when connected or on connecting otherwise; the same
    // object when already subscribed. Null when the filter is invalid or qos above 2.
    MqttSubscription *subscribe(const QString &filter, quint8 qos = 0);
    void unsubscribe(const QString &filter);
    // Subscriptions that are not Unsubscribed.
    QList<MqttSubscription *> subscriptions() const;

    // Sends PINGREQ now; false when not connected.
    bool requestPing();

    // Outgoing QoS 1/2 messages not yet acknowledged.
    int inflightCount() const { return int(m_outgoing.size()); }

signals:
    void stateChanged(iotcore::app::MqttClient::State state);
    void errorChanged(iotcore::app::MqttClient::Error error);
    void connected(bool sessionPresent);
    // As in Qt MQTT: the server kept the session (emitted before connected(true)).
    void brokerSessionRestored();
    // Whenever the state becomes Disconnected, with why (a person's sentence).
    void disconnected(const QString &reason);
    // Every message received, whether or not a subscription object matches it (a persistent
    // session may deliver messages of subscriptions made by an earlier process).
    void messageReceived(const iotcore::app::MqttMessage &message);
    // The PUBLISH was handed to the transport.
    void messageSent(qint32 id);
    // PUBACK for QoS 1, PUBCOMP for QoS 2.
    void messageAcknowledged(qint32 id);
    // A message in flight was sent again (PUBLISH with DUP, or its PUBREL) after reconnecting.
    void messageRetried(qint32 id);
    void pingResponseReceived();
    // autoReconnect will try again in `delayMs`.
    void reconnectScheduled(int delayMs);

private:
    struct Outgoing {
        broker::PublishPacket packet;
        bool released = false; // QoS 2: PUBREC received, PUBREL sent, waiting for PUBCOMP
        quint64 sequence = 0;  // the order to resend in
    };

    enum class Ending { Graceful, Lost, Refused };

    void startConnecting(ClientTransportFactory factory);
    void openTransport();
    void retireTransport(bool graceful);
    void onTransportOpened();
    void onBytesReceived(const QByteArray &bytes);
    void handlePacket(broker::Packet &packet);
    void handleConnack(const broker::ConnackPacket &connack);
    void handlePublish(broker::PublishPacket &publish);
    void handleAck(const broker::AckPacket &ack);
    void handleSuback(const broker::SubackPacket &suback);
    void resumeSession();
    void onKeepAliveTimeout();
    void onConnectTimeout();
    void onReconnectDue();
    void endConnection(Ending ending, Error error, const QString &reason);
    void scheduleReconnect();
    void setState(State state);
    void setError(Error error, const QString &reason);
    void send(const broker::Packet &packet);
    void sendBytes(std::string &&bytes);
    void sendSubscribe(MqttSubscription *subscription);
    void sendUnsubscribe(MqttSubscription *subscription);
    quint16 allocatePacketId();
    bool packetIdInUse(quint16 id) const;
    QList<QPointer<MqttSubscription>> guardedSubscriptions() const;

    QString m_hostname = QStringLiteral("127.0.0.1");
    quint16 m_port = 1883;
    QString m_clientId;
    QString m_username;
    QString m_password;
    bool m_cleanSession = true;
    quint16 m_keepAlive = 60;
    QString m_willTopic;
    QByteArray m_willMessage;
    quint8 m_willQos = 0;
    bool m_willRetain = false;
    QString m_webSocketPath = QStringLiteral("/mqtt");
    bool m_autoReconnect = false;
    int m_reconnectMinDelay = 1000;
    int m_reconnectMaxDelay = 60000;
    int m_connectTimeout = 30000;

    State m_state = State::Disconnected;
    Error m_error = Error::NoError;
    QString m_errorString;
    bool m_sessionPresent = false;

    ClientTransportFactory m_transportFactory;
    ClientTransport *m_transport = nullptr; // a child; replaced for every connection attempt
    broker::PacketDecoder m_decoder;
    bool m_connackReceived = false;

    QHash<quint16, Outgoing> m_outgoing;
    quint64 m_nextSequence = 0;
    QSet<quint16> m_incomingQos2; // PUBREC sent, PUBREL not yet received (MQTT-4.3.3-2)
    QHash<quint16, QPointer<MqttSubscription>> m_subscribeAcks;
    QHash<quint16, QPointer<MqttSubscription>> m_unsubscribeAcks;
    quint16 m_lastPacketId = 0;
    QList<MqttSubscription *> m_subscriptionList; // children; every filter ever subscribed to

    // Deadlines rather than QTimers: a fleet of 100,000 clients on a thread (ClientTimers.h).
    ClientDeadline m_keepAliveDeadline;
    QElapsedTimer m_sinceLastWrite;
    bool m_pingOutstanding = false;
    ClientDeadline m_connectDeadline;
    ClientDeadline m_reconnectDeadline;
    int m_reconnectAttempt = 0;
};

} // namespace iotcore::app
