#include "MqttClient.h"

#include "InProcessClientTransport.h"
#include "SocketClientTransport.h"
#include "WebSocketClientTransport.h"

#include "mqtt/PacketEncoder.h"
#include "mqtt/Topic.h"

#include <QRandomGenerator>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <utility>
#include <vector>

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

// How long a gracefully closed transport may take to send what it holds before it is dropped.
constexpr int GracefulCloseTimeoutMs = 5000;

std::string utf8(const QString &text)
{
    return text.toUtf8().toStdString();
}

QString fromUtf8(const std::string &text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QString packetName(PacketType type)
{
    return QString::fromLatin1(packetTypeName(type));
}

// A retired transport stops being the client's child once its deletion is posted: a child
// destroyed with a DeferredDelete still posted makes Qt scan the thread's whole posted-event list
// for it (QCoreApplication::removePostedEvents), and a fleet shutting down destroys tens of
// thousands of clients whose transports' deletions are still posted.
void deleteRetiredLater(ClientTransport *transport)
{
    transport->setParent(nullptr);
    transport->deleteLater();
}

} // namespace

MqttClient::MqttClient(QObject *parent)
    : QObject(parent)
    , m_keepAliveDeadline([this] { onKeepAliveTimeout(); })
    , m_connectDeadline([this] { onConnectTimeout(); })
    , m_reconnectDeadline([this] { onReconnectDue(); })
{
    // 0-9a-z and at most 23 characters: what every server must accept (MQTT-3.1.3-5).
    const quint64 random = QRandomGenerator::global()->generate64() & 0xFFFFFFFFFFFFull;
    m_clientId = QStringLiteral("iotcore") + QString::number(random, 36);
}

MqttClient::~MqttClient()
{
    for (MqttSubscription *subscription : std::as_const(m_subscriptionList))
        subscription->disconnect(this);
    if (m_transport) {
        m_transport->disconnect(this);
        delete m_transport;
    }
}

// --- connecting and disconnecting ---------------------------------------------------------------

void MqttClient::connectToHost()
{
    const QString host = m_hostname;
    const quint16 port = m_port;
    startConnecting([host, port] { return std::make_unique<SocketClientTransport>(host, port); });
}

void MqttClient::connectToHostEncrypted(const QSslConfiguration &configuration)
{
    const QString host = m_hostname;
    const quint16 port = m_port;
    startConnecting([host, port, configuration] {
        return std::make_unique<SocketClientTransport>(host, port, configuration);
    });
}

void MqttClient::connectToHostWebSocket()
{
    QUrl url;
    url.setScheme(QStringLiteral("ws"));
    url.setHost(m_hostname);
    url.setPort(m_port);
    url.setPath(m_webSocketPath);
    startConnecting([url] { return std::make_unique<WebSocketClientTransport>(url); });
}

void MqttClient::connectToHostWebSocketEncrypted(const QSslConfiguration &configuration)
{
    QUrl url;
    url.setScheme(QStringLiteral("wss"));
    url.setHost(m_hostname);
    url.setPort(m_port);
    url.setPath(m_webSocketPath);
    startConnecting([url, configuration] {
        return std::make_unique<WebSocketClientTransport>(url, configuration);
    });
}

void MqttClient::connectInProcess(broker::BrokerServer &server, const QString &listenerName)
{
    startConnecting(inProcessTransportFactory(server, listenerName));
}

void MqttClient::connectWithTransport(ClientTransportFactory factory)
{
    startConnecting(std::move(factory));
}

void MqttClient::startConnecting(ClientTransportFactory factory)
{
    if (m_state != State::Disconnected)
        return;
    m_transportFactory = std::move(factory);
    m_reconnectAttempt = 0;
    setError(Error::NoError, {});
    openTransport();
}

void MqttClient::openTransport()
{
    m_reconnectDeadline.stop();
    setState(State::Connecting);
    if (m_state != State::Connecting)
        return; // a slot of stateChanged gave up already

    m_transport = m_transportFactory().release();
    m_transport->setParent(this);
    connect(m_transport, &ClientTransport::opened, this, &MqttClient::onTransportOpened);
    connect(m_transport, &ClientTransport::bytesReceived, this, &MqttClient::onBytesReceived);
    connect(m_transport, &ClientTransport::closed, this, [this](const QString &reason) {
        endConnection(Ending::Lost, Error::TransportInvalid, reason);
    });
    m_decoder = PacketDecoder();
    m_connackReceived = false;
    if (m_connectTimeout > 0)
        m_connectDeadline.start(m_connectTimeout);
    m_transport->open();
}

void MqttClient::onConnectTimeout()
{
    endConnection(Ending::Lost, Error::Timeout,
                  tr("no CONNACK within %1 ms").arg(m_connectTimeout));
}

void MqttClient::onReconnectDue()
{
    if (m_state == State::Disconnected && m_transportFactory)
        openTransport();
}

void MqttClient::onTransportOpened()
{
    ConnectPacket connect;
    connect.cleanSession = m_cleanSession;
    connect.keepAlive = m_keepAlive;
    connect.clientId = utf8(m_clientId);
    if (!m_willTopic.isEmpty())
        connect.will =
            Will{utf8(m_willTopic), m_willMessage.toStdString(), m_willQos, m_willRetain};
    if (!m_username.isEmpty()) {
        connect.username = utf8(m_username);
        if (!m_password.isEmpty())
            connect.password = utf8(m_password);
    }
    send(connect);
}

void MqttClient::disconnectFromHost()
{
    m_reconnectDeadline.stop();
    if (m_state == State::Disconnected)
        return;
    if (m_connackReceived)
        send(EmptyPacket{PacketType::Disconnect});
    endConnection(Ending::Graceful, Error::NoError, tr("disconnected by the client"));
}

void MqttClient::abortConnection(const QString &reason)
{
    if (m_state != State::Disconnected)
        endConnection(Ending::Lost, Error::NoError,
                      reason.isEmpty() ? tr("connection aborted by the client") : reason);
}

void MqttClient::retireTransport(bool graceful)
{
    ClientTransport *transport = std::exchange(m_transport, nullptr);
    if (!transport)
        return;
    transport->disconnect(this);
    // Until then a child, so that it goes with the client.
    if (graceful) {
        const auto drop = [transport] { deleteRetiredLater(transport); };
        connect(transport, &ClientTransport::closed, transport, drop);
        QTimer::singleShot(GracefulCloseTimeoutMs, transport, drop);
        transport->close();
    } else {
        transport->abort();
        deleteRetiredLater(transport); // we may be inside one of its signals
    }
}

void MqttClient::endConnection(Ending ending, Error error, const QString &reason)
{
    if (m_state == State::Disconnected)
        return;

    // First the state, without a signal, so that a slot sees the client as it now is.
    m_connectDeadline.stop();
    m_keepAliveDeadline.stop();
    m_pingOutstanding = false;
    m_connackReceived = false;
    retireTransport(ending == Ending::Graceful);
    m_subscribeAcks.clear();
    m_unsubscribeAcks.clear();

    std::vector<std::pair<QPointer<MqttSubscription>, MqttSubscription::State>> changes;
    if (m_cleanSession) {
        // The server forgets the session with the connection (MQTT-3.1.2-6); so do we.
        m_outgoing.clear();
        m_incomingQos2.clear();
        for (MqttSubscription *subscription : std::as_const(m_subscriptionList)) {
            if (subscription->state() == MqttSubscription::State::Subscribed)
                changes.emplace_back(subscription, MqttSubscription::State::SubscriptionPending);
            else if (subscription->state() == MqttSubscription::State::UnsubscriptionPending)
                changes.emplace_back(subscription, MqttSubscription::State::Unsubscribed);
        }
    }

    const bool errorChanges = error != m_error;
    m_error = error;
    m_errorString = reason;
    m_state = State::Disconnected;

    const bool reconnect = m_autoReconnect && m_transportFactory
                           && (ending == Ending::Lost
                               || (ending == Ending::Refused && error == Error::ServerUnavailable));
    int delay = 0;
    if (reconnect) {
        delay = std::max(m_reconnectMinDelay, 0);
        for (int i = 0; i < m_reconnectAttempt && delay < m_reconnectMaxDelay; ++i)
            delay *= 2;
        delay = std::min(delay, std::max(m_reconnectMaxDelay, m_reconnectMinDelay));
        ++m_reconnectAttempt;
        m_reconnectDeadline.start(delay);
    }

    // Then the signals.
    if (errorChanges)
        emit errorChanged(error);
    emit stateChanged(State::Disconnected);
    for (const auto &[subscription, state] : changes) {
        if (subscription)
            subscription->setState(state);
    }
    emit disconnected(reason);
    if (reconnect && m_reconnectDeadline.isActive())
        emit reconnectScheduled(delay);
}

void MqttClient::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void MqttClient::setError(Error error, const QString &reason)
{
    m_errorString = reason;
    if (error == m_error)
        return;
    m_error = error;
    emit errorChanged(error);
}

// --- receiving ----------------------------------------------------------------------------------

void MqttClient::onBytesReceived(const QByteArray &bytes)
{
    const ClientTransport *transport = m_transport;
    m_decoder.feed(std::string_view(bytes.constData(), std::size_t(bytes.size())));
    Packet packet;
    while (m_transport == transport) {
        switch (m_decoder.next(packet)) {
        case PacketDecoder::Status::NeedMore:
            return;
        case PacketDecoder::Status::Error:
            endConnection(Ending::Lost, Error::ProtocolViolation,
                          tr("malformed packet from the server: %1")
                              .arg(QString::fromStdString(m_decoder.errorReason())));
            return;
        case PacketDecoder::Status::Packet:
            handlePacket(packet); // may end the connection, or a slot may start another
            break;
        }
    }
}

void MqttClient::handlePacket(Packet &packet)
{
    const PacketType type = packetType(packet);
    if (!m_connackReceived && type != PacketType::Connack) {
        endConnection(Ending::Lost, Error::ProtocolViolation,
                      tr("the server sent %1 before CONNACK (MQTT-3.2.0-1)")
                          .arg(packetName(type)));
        return;
    }
    switch (type) {
    case PacketType::Connack:
        if (m_connackReceived) {
            endConnection(Ending::Lost, Error::ProtocolViolation,
                          tr("the server sent a second CONNACK"));
            return;
        }
        handleConnack(std::get<ConnackPacket>(packet));
        return;
    case PacketType::Publish:
        handlePublish(std::get<PublishPacket>(packet));
        return;
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
        handleAck(std::get<AckPacket>(packet));
        return;
    case PacketType::Suback:
        handleSuback(std::get<SubackPacket>(packet));
        return;
    case PacketType::Unsuback:
        if (QPointer<MqttSubscription> subscription =
                m_unsubscribeAcks.take(std::get<AckPacket>(packet).packetId)) {
            if (subscription->state() == MqttSubscription::State::UnsubscriptionPending)
                subscription->setState(MqttSubscription::State::Unsubscribed);
        }
        return;
    case PacketType::Pingresp:
        m_pingOutstanding = false;
        emit pingResponseReceived();
        return;
    default:
        endConnection(Ending::Lost, Error::ProtocolViolation,
                      tr("the server sent %1, which only clients send")
                          .arg(packetName(type)));
        return;
    }
}

void MqttClient::handleConnack(const ConnackPacket &connack)
{
    m_connectDeadline.stop();
    if (connack.returnCode != ConnectReturnCode::Accepted) {
        const int code = int(connack.returnCode);
        const Error error = code >= 1 && code <= 5 ? Error(code) : Error::UnknownError;
        endConnection(Ending::Refused, error,
                      tr("connection refused: %1 (CONNACK %2)")
                          .arg(QString::fromLatin1(connectReturnCodeText(connack.returnCode)))
                          .arg(code));
        return;
    }
    if (connack.sessionPresent && m_cleanSession) {
        endConnection(Ending::Lost, Error::ProtocolViolation,
                      tr("CONNACK says session present to a clean session (MQTT-3.2.2-1)"));
        return;
    }
    m_connackReceived = true;
    m_sessionPresent = connack.sessionPresent;
    m_reconnectAttempt = 0;
    if (m_keepAlive > 0)
        m_keepAliveDeadline.start(int(m_keepAlive) * 1000);

    const ClientTransport *transport = m_transport;
    resumeSession();
    if (m_transport != transport)
        return;
    setState(State::Connected);
    if (m_state != State::Connected)
        return;
    if (m_sessionPresent)
        emit brokerSessionRestored();
    emit connected(m_sessionPresent);
}

void MqttClient::resumeSession()
{
    const ClientTransport *transport = m_transport;
    if (!m_cleanSession) {
        // MQTT-4.4.0-1: unacknowledged PUBLISH and PUBREL again, in their original order.
        std::vector<std::pair<quint64, quint16>> order;
        order.reserve(std::size_t(m_outgoing.size()));
        for (auto it = m_outgoing.cbegin(); it != m_outgoing.cend(); ++it)
            order.emplace_back(it->sequence, it.key());
        std::sort(order.begin(), order.end());
        for (const auto &[sequence, id] : order) {
            auto it = m_outgoing.find(id);
            if (it == m_outgoing.end() || m_transport != transport)
                continue;
            if (it->released) {
                std::string bytes;
                encodeAck(bytes, PacketType::Pubrel, id);
                sendBytes(std::move(bytes));
            } else {
                it->packet.dup = true; // MQTT-3.3.1-1
                send(it->packet);
            }
            emit messageRetried(id);
        }
    }

    for (const QPointer<MqttSubscription> &subscription : guardedSubscriptions()) {
        if (m_transport != transport)
            return;
        if (!subscription)
            continue;
        switch (subscription->state()) {
        case MqttSubscription::State::SubscriptionPending:
            sendSubscribe(subscription);
            break;
        case MqttSubscription::State::Subscribed:
            if (!m_sessionPresent)
                sendSubscribe(subscription);
            break;
        case MqttSubscription::State::UnsubscriptionPending:
            if (m_sessionPresent)
                sendUnsubscribe(subscription);
            else
                subscription->setState(MqttSubscription::State::Unsubscribed);
            break;
        case MqttSubscription::State::Unsubscribed:
        case MqttSubscription::State::Error:
            break;
        }
    }
}

void MqttClient::handlePublish(PublishPacket &publish)
{
    const MqttMessage message(fromUtf8(publish.topic), QByteArray::fromStdString(publish.payload),
                              publish.packetId, publish.qos, publish.dup, publish.retain);
    if (publish.qos == 1) {
        std::string bytes;
        encodeAck(bytes, PacketType::Puback, publish.packetId);
        sendBytes(std::move(bytes));
    } else if (publish.qos == 2) {
        // Delivered once, on the first PUBLISH; the id is remembered until PUBREL so that a
        // resent PUBLISH (DUP) is not delivered again (MQTT 4.3.3, method B's receiver side).
        const bool seen = m_incomingQos2.contains(publish.packetId);
        m_incomingQos2.insert(publish.packetId);
        std::string bytes;
        encodeAck(bytes, PacketType::Pubrec, publish.packetId);
        sendBytes(std::move(bytes));
        if (seen)
            return;
    }

    emit messageReceived(message);
    for (const QPointer<MqttSubscription> &subscription : guardedSubscriptions()) {
        if (!subscription)
            continue;
        const MqttSubscription::State state = subscription->state();
        if ((state == MqttSubscription::State::Subscribed
             || state == MqttSubscription::State::SubscriptionPending
             || state == MqttSubscription::State::UnsubscriptionPending)
            && topicMatchesFilter(subscription->m_filter, publish.topic))
            emit subscription->messageReceived(message);
    }
}

void MqttClient::handleAck(const AckPacket &ack)
{
    const quint16 id = ack.packetId;
    switch (ack.type) {
    case PacketType::Puback:
        if (auto it = m_outgoing.find(id); it != m_outgoing.end() && it->packet.qos == 1) {
            m_outgoing.erase(it);
            emit messageAcknowledged(id);
        }
        return;
    case PacketType::Pubrec:
        if (auto it = m_outgoing.find(id); it != m_outgoing.end() && it->packet.qos == 2) {
            it->released = true;
            std::string bytes;
            encodeAck(bytes, PacketType::Pubrel, id);
            sendBytes(std::move(bytes));
        }
        return;
    case PacketType::Pubcomp:
        if (auto it = m_outgoing.find(id); it != m_outgoing.end() && it->released) {
            m_outgoing.erase(it);
            emit messageAcknowledged(id);
        }
        return;
    case PacketType::Pubrel: {
        // PUBCOMP even for an id we do not know: the server may be resending after we answered.
        m_incomingQos2.remove(id);
        std::string bytes;
        encodeAck(bytes, PacketType::Pubcomp, id);
        sendBytes(std::move(bytes));
        return;
    }
    default:
        return;
    }
}

void MqttClient::handleSuback(const SubackPacket &suback)
{
    const QPointer<MqttSubscription> subscription = m_subscribeAcks.take(suback.packetId);
    if (!subscription || suback.returnCodes.empty())
        return;
    if (subscription->state() != MqttSubscription::State::SubscriptionPending)
        return; // unsubscribed meanwhile
    const std::uint8_t code = suback.returnCodes.front();
    if (code == SubackFailure) {
        subscription->setState(MqttSubscription::State::Error,
                               tr("the server refused the subscription (SUBACK 0x80)"));
        return;
    }
    subscription->setQos(code);
    subscription->setState(MqttSubscription::State::Subscribed);
}

// --- keep-alive ---------------------------------------------------------------------------------

void MqttClient::onKeepAliveTimeout()
{
    if (m_state != State::Connected || m_keepAlive == 0)
        return;
    if (m_pingOutstanding) {
        endConnection(Ending::Lost, Error::Timeout,
                      tr("no PINGRESP within the keep-alive of %1 s").arg(m_keepAlive));
        return;
    }
    // MQTT-3.1.2-23: a control packet at least once per keep-alive; PINGREQ when nothing else went.
    const qint64 interval = qint64(m_keepAlive) * 1000;
    const qint64 idle = m_sinceLastWrite.elapsed();
    if (idle < interval) {
        m_keepAliveDeadline.start(int(interval - idle));
        return;
    }
    requestPing();
}

bool MqttClient::requestPing()
{
    if (m_state != State::Connected)
        return false;
    send(EmptyPacket{PacketType::Pingreq});
    m_pingOutstanding = true;
    if (m_keepAlive > 0)
        m_keepAliveDeadline.start(int(m_keepAlive) * 1000); // the deadline for PINGRESP
    return true;
}

// --- sending ------------------------------------------------------------------------------------

qint32 MqttClient::publish(const QString &topic, const QByteArray &payload, quint8 qos, bool retain)
{
    if (m_state != State::Connected || qos > 2)
        return -1;
    std::string topicName = utf8(topic);
    if (!isValidTopicName(topicName))
        return -1;
    const std::string_view body(payload.constData(), std::size_t(payload.size()));
    if (qos == 0) {
        std::string bytes;
        encodePublish(bytes, topicName, body, 0, retain, false, 0);
        sendBytes(std::move(bytes));
        emit messageSent(0);
        return 0;
    }
    const quint16 id = allocatePacketId();
    if (id == 0)
        return -1; // 65535 messages in flight
    Outgoing outgoing;
    outgoing.packet =
        PublishPacket{std::move(topicName), std::string(body), qos, retain, false, id};
    outgoing.sequence = m_nextSequence++;
    std::string bytes;
    encodePacket(outgoing.packet, bytes);
    m_outgoing.insert(id, std::move(outgoing));
    sendBytes(std::move(bytes));
    emit messageSent(id);
    return id;
}

MqttSubscription *MqttClient::subscribe(const QString &filter, quint8 qos)
{
    if (qos > 2 || !isValidTopicFilter(utf8(filter)))
        return nullptr;
    auto found = std::find_if(m_subscriptionList.cbegin(), m_subscriptionList.cend(),
                              [&](const MqttSubscription *s) { return s->topic() == filter; });
    MqttSubscription *subscription = found != m_subscriptionList.cend() ? *found : nullptr;
    if (subscription && subscription->m_requestedQos == qos
        && (subscription->state() == MqttSubscription::State::Subscribed
            || subscription->state() == MqttSubscription::State::SubscriptionPending))
        return subscription;
    if (!subscription) {
        subscription = new MqttSubscription(this, filter, qos);
        m_subscriptionList.append(subscription);
        connect(subscription, &QObject::destroyed, this,
                [this, subscription] { m_subscriptionList.removeOne(subscription); });
    }
    subscription->m_requestedQos = qos;
    if (m_state == State::Connected)
        sendSubscribe(subscription);
    else
        subscription->setState(MqttSubscription::State::SubscriptionPending);
    return subscription;
}

void MqttClient::unsubscribe(const QString &filter)
{
    auto found = std::find_if(m_subscriptionList.cbegin(), m_subscriptionList.cend(),
                              [&](const MqttSubscription *s) { return s->topic() == filter; });
    if (found == m_subscriptionList.cend())
        return;
    MqttSubscription *subscription = *found;
    const MqttSubscription::State state = subscription->state();
    if (state == MqttSubscription::State::Unsubscribed
        || state == MqttSubscription::State::UnsubscriptionPending)
        return;
    if (state == MqttSubscription::State::Error)
        subscription->setState(MqttSubscription::State::Unsubscribed);
    else if (m_state == State::Connected)
        sendUnsubscribe(subscription);
    else if (!m_cleanSession && state == MqttSubscription::State::Subscribed)
        // Sent on connecting, if the server kept the session.
        subscription->setState(MqttSubscription::State::UnsubscriptionPending);
    else
        subscription->setState(MqttSubscription::State::Unsubscribed);
}

// A copy that survives a slot deleting a subscription while signals are emitted.
QList<QPointer<MqttSubscription>> MqttClient::guardedSubscriptions() const
{
    QList<QPointer<MqttSubscription>> guarded;
    guarded.reserve(m_subscriptionList.size());
    for (MqttSubscription *subscription : m_subscriptionList)
        guarded.append(subscription);
    return guarded;
}

QList<MqttSubscription *> MqttClient::subscriptions() const
{
    QList<MqttSubscription *> active;
    for (MqttSubscription *subscription : m_subscriptionList) {
        if (subscription->state() != MqttSubscription::State::Unsubscribed)
            active.append(subscription);
    }
    return active;
}

void MqttClient::sendSubscribe(MqttSubscription *subscription)
{
    const quint16 id = allocatePacketId();
    if (id == 0)
        return; // stays pending; sent again on the next connection
    SubscribePacket packet;
    packet.packetId = id;
    packet.subscriptions.push_back({subscription->m_filter, subscription->m_requestedQos});
    m_subscribeAcks.insert(id, subscription);
    send(packet);
    subscription->setState(MqttSubscription::State::SubscriptionPending);
}

void MqttClient::sendUnsubscribe(MqttSubscription *subscription)
{
    const quint16 id = allocatePacketId();
    if (id == 0)
        return;
    UnsubscribePacket packet;
    packet.packetId = id;
    packet.filters.push_back(subscription->m_filter);
    m_unsubscribeAcks.insert(id, subscription);
    send(packet);
    subscription->setState(MqttSubscription::State::UnsubscriptionPending);
}

void MqttClient::send(const Packet &packet)
{
    sendBytes(encodedPacket(packet));
}

void MqttClient::sendBytes(std::string &&bytes)
{
    if (!m_transport)
        return;
    m_transport->write(QByteArray::fromStdString(bytes));
    m_sinceLastWrite.start();
}

quint16 MqttClient::allocatePacketId()
{
    for (int tries = 0; tries < 65535; ++tries) {
        m_lastPacketId = m_lastPacketId == 65535 ? 1 : quint16(m_lastPacketId + 1);
        if (!packetIdInUse(m_lastPacketId))
            return m_lastPacketId;
    }
    return 0;
}

bool MqttClient::packetIdInUse(quint16 id) const
{
    return m_outgoing.contains(id) || m_subscribeAcks.contains(id)
           || m_unsubscribeAcks.contains(id);
}

} // namespace iotcore::app
