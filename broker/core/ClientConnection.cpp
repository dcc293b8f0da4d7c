#include "ClientConnection.h"

#include "Broker.h"
#include "Session.h"
#include "mqtt/PacketEncoder.h"
#include "observe/EventTap.h"
#include "observe/Log.h"

#include <algorithm>

namespace iotcore::broker {

ClientConnection::ClientConnection(Broker &broker, std::unique_ptr<Transport> transport,
                                   std::shared_ptr<const ListenerInfo> listener)
    : m_broker(broker)
    , m_transport(std::move(transport))
    , m_listener(std::move(listener))
    , m_decoder(broker.config().maxPacketSize)
    , m_address(m_transport->peerAddress())
    , m_connectedAt(Clock::now())
    , m_lastActivity(m_connectedAt)
{
    m_transport->setHandler(this);
}

ClientConnection::~ClientConnection()
{
    if (m_transport)
        m_transport->setHandler(nullptr);
}

void ClientConnection::onTransportData(std::string_view bytes)
{
    if (m_state == State::Closed)
        return;
    m_lastActivity = Clock::now();
    m_decoder.feed(bytes);
    decodeAvailable();
}

void ClientConnection::decodeAvailable()
{
    Packet packet;
    // While the credentials are checked, what the client sends next waits in the decoder.
    while (m_state == State::AwaitingConnect || m_state == State::Connected) {
        const PacketDecoder::Status status = m_decoder.next(packet);
        if (status == PacketDecoder::Status::NeedMore)
            break;
        if (status == PacketDecoder::Status::Error) {
            protocolViolation(m_decoder.errorReason());
            break;
        }
        handlePacket(packet);
    }
}

void ClientConnection::onTransportClosed(std::string_view reason)
{
    finish(reason, true);
}

void ClientConnection::handlePacket(Packet &packet)
{
    const PacketType type = packetType(packet);
    if (m_state == State::AwaitingConnect) {
        if (type != PacketType::Connect) {
            protocolViolation(std::string("first packet is ") + packetTypeName(type)
                              + ", not CONNECT (MQTT-3.1.0-1)");
            return;
        }
        handleConnect(std::get<ConnectPacket>(packet));
        return;
    }
    switch (type) {
    case PacketType::Publish:
        handlePublish(std::get<PublishPacket>(packet));
        break;
    case PacketType::Puback:
        m_session->handlePuback(std::get<AckPacket>(packet).packetId);
        break;
    case PacketType::Pubrec:
        m_session->handlePubrec(std::get<AckPacket>(packet).packetId);
        break;
    case PacketType::Pubrel: {
        const std::uint16_t id = std::get<AckPacket>(packet).packetId;
        m_session->releaseIncomingQos2(id);
        sendAck(PacketType::Pubcomp, id); // MQTT-3.6.4-1, also for an unknown identifier
        break;
    }
    case PacketType::Pubcomp:
        m_session->handlePubcomp(std::get<AckPacket>(packet).packetId);
        break;
    case PacketType::Subscribe:
        handleSubscribe(std::get<SubscribePacket>(packet));
        break;
    case PacketType::Unsubscribe:
        handleUnsubscribe(std::get<UnsubscribePacket>(packet));
        break;
    case PacketType::Pingreq:
        m_transport->outbox().append("\xD0\x00", 2); // PINGRESP, MQTT-3.12.4-1
        flush();
        break;
    case PacketType::Disconnect:
        finish("client disconnected", false);
        break;
    case PacketType::Connect:
        protocolViolation("second CONNECT on one connection (MQTT-3.1.0-2)");
        break;
    case PacketType::Connack:
    case PacketType::Suback:
    case PacketType::Unsuback:
    case PacketType::Pingresp:
        protocolViolation(std::string(packetTypeName(type)) + " is sent only by a server");
        break;
    }
}

void ClientConnection::handleConnect(ConnectPacket &connect)
{
    // MQTT-3.1.2-1: another protocol name is not MQTT 3.1.1; MQTT-3.1.2-2: level 4 only. A
    // mosquitto bridge sets the top bit of the level (0x84) to ask not to get its own messages.
    if (connect.protocolName != "MQTT" && connect.protocolName != "MQIsdp") {
        protocolViolation("unknown protocol name \"" + connect.protocolName + "\" (MQTT-3.1.2-1)");
        return;
    }
    const bool bridge = connect.protocolLevel == 0x84 && !m_listener->authenticator;
    if ((connect.protocolLevel != 4 && !bridge) || connect.protocolName != "MQTT") {
        refuseConnect(ConnectReturnCode::UnacceptableProtocolVersion,
                      "unsupported protocol level " + std::to_string(connect.protocolLevel));
        return;
    }
    if (connect.clientId.empty()) {
        if (!connect.cleanSession) {
            // MQTT-3.1.3-8
            refuseConnect(ConnectReturnCode::IdentifierRejected,
                          "empty client id with clean session 0 (MQTT-3.1.3-8)");
            return;
        }
        m_clientId = m_broker.assignClientId();
    } else {
        m_clientId = std::move(connect.clientId);
    }
    m_bridge = bridge;
    m_cleanSession = connect.cleanSession;
    m_keepAlive = connect.keepAlive;
    m_will = std::move(connect.will);

    const PeerCertificate *certificate = m_transport->peerCertificate();
    if (!m_listener->authenticator) {
        if (connect.username)
            m_identity = "user:" + *connect.username;
        if (certificate)
            m_identity = (connect.username ? m_identity + ", cert:" : std::string("cert:"))
                + certificate->sha1Fingerprint;
        Authenticator::Verdict open;
        open.code = ConnectReturnCode::Accepted;
        completeConnect(std::move(open), false);
        return;
    }
    Authenticator::Request request;
    request.clientId = m_clientId;
    request.username = std::move(connect.username);
    request.password = std::move(connect.password);
    if (certificate)
        request.certificate = *certificate;
    request.address = m_address;
    request.identityAsserted = m_listener->identityAsserted;
    m_state = State::Authenticating;
    std::weak_ptr<int> alive = m_lifetime;
    m_listener->authenticator->authenticate(
        std::move(request), [this, alive](Authenticator::Verdict verdict) {
            if (!alive.expired() && m_state == State::Authenticating)
                completeConnect(std::move(verdict), true);
        });
}

void ClientConnection::completeConnect(Authenticator::Verdict verdict, bool answeredLater)
{
    if (verdict.code != ConnectReturnCode::Accepted) {
        m_state = State::AwaitingConnect; // refuseConnect() closes from here
        refuseConnect(verdict.code, verdict.reason);
        return;
    }
    m_rights = std::move(verdict.rights);
    if (!verdict.warning.empty())
        m_broker.log().write(LogLevel::Warning, "limit",
                             {{"clientID", m_clientId}, {"address", m_address},
                              {"detail", verdict.warning}});
    if (m_rights) {
        m_identity = m_rights->describe();
        // IoT Core keeps no sessions (IOT_CORE.md Decision): CleanSession 0 is treated as 1.
        if (!m_rights->allowsPersistentSession())
            m_cleanSession = true;
        // A will is kept only if its topic passes the publish check; otherwise it is ignored.
        if (m_will) {
            const ClientRights::PublishCheck check = m_rights->checkPublish(m_will->topic);
            if (!check.allowed || m_will->qos > m_rights->maxQos()
                || m_will->payload.size() > m_rights->maxPayloadSize())
                m_will.reset();
            else
                m_will->topic = check.topic;
            if (m_will && !m_rights->storesRetained())
                m_will->retain = false;
        }
    }

    const bool coexist = m_rights && !m_rights->allowsPersistentSession()
        && !m_broker.config().iotClientIdTakeover;
    const Broker::OpenedSession opened = m_broker.openSession(
        *this, m_clientId, m_cleanSession, coexist, m_rights ? m_rights->sessionSpace() : "");
    m_session = opened.session;
    m_session->setRights(m_rights.get());
    m_state = State::Connected;
    if (m_keepAlive > 0)
        m_keepAliveLimit = std::chrono::milliseconds(m_keepAlive * 1500); // MQTT-3.1.2-24

    encodePacket(ConnackPacket{opened.present, ConnectReturnCode::Accepted}, m_transport->outbox());
    flush();

    Log &log = m_broker.log();
    if (log.enabled(LogLevel::Info)) {
        log.write(LogLevel::Info, "connect",
                  {{"clientID", m_clientId},
                   {"address", m_address},
                   {"identity", m_identity},
                   {"listener", m_listener->name},
                   {"cleanSession", m_cleanSession ? "1" : "0"},
                   {"sessionPresent", opened.present ? "1" : "0"},
                   {"keepAlive", std::to_string(m_keepAlive)}});
    }
    if (m_broker.tap().enabled()) {
        BrokerEvent event;
        event.kind = BrokerEvent::Kind::Connect;
        event.clientId = m_clientId;
        event.detail = m_address;
        event.identity = m_identity;
        m_broker.record(std::move(event));
    }
    if (m_rights) {
        // IOT_CORE.md, "Connection log lines".
        const ClientRights::LogOwner owner = m_rights->logOwner();
        if (!owner.id.empty())
            m_broker.logEntity(*m_rights, EntityLogEntry::Level::Info,
                               "connected, " + owner.credential + ", address: " + doubleQuoted(m_address)
                                   + ", clientID: " + doubleQuoted(m_clientId));
    }
    m_session->attach(this, opened.present);
    publishActivity(ClientRights::Activity::Connect);
    // Packets that arrived while the credentials were checked.
    if (answeredLater)
        decodeAvailable();
}

void ClientConnection::publishActivity(ClientRights::Activity activity)
{
    if (m_rights)
        m_broker.reportActivity(*m_rights, activity);
}

void ClientConnection::handlePublish(PublishPacket &publish)
{
    const std::uint8_t qos = publish.qos;
    const std::uint16_t packetId = publish.packetId;
    bool kept = false;
    bool retain = publish.retain;
    if (m_rights) {
        if (qos > m_rights->maxQos()) {
            // IOT_CORE.md Decision: a QoS 2 PUBLISH from a device or registry closes.
            refusePublish(publish.topic, "QoS " + std::to_string(qos) + " is not supported");
            return;
        }
        if (publish.payload.size() > m_rights->maxPayloadSize()) {
            refusePublish(publish.topic,
                          "message of " + std::to_string(publish.payload.size())
                              + " bytes is over the limit of "
                              + std::to_string(m_rights->maxPayloadSize()));
            return;
        }
        ClientRights::PublishCheck check = m_rights->checkPublish(publish.topic);
        if (!check.allowed) {
            refusePublish(publish.topic, check.reason);
            return;
        }
        publish.topic = std::move(check.topic);
        kept = check.kept;
        const ClientRights::RateCheck rate = m_rights->checkRate();
        if (!rate.warning.empty()) {
            m_broker.log().write(LogLevel::Warning, "rate-limit",
                                 {{"clientID", m_clientId}, {"identity", m_identity},
                                  {"detail", rate.warning}});
        }
        if (rate.drop) {
            // Acknowledged, so that the client does not send it again, but not routed.
            if (m_broker.tap().enabled()) {
                BrokerEvent event;
                event.kind = BrokerEvent::Kind::Refuse;
                event.clientId = m_clientId;
                event.topic = publish.topic;
                event.detail = "over the message rate limit";
                m_broker.record(std::move(event));
            }
            if (qos == 1)
                sendAck(PacketType::Puback, packetId);
            else if (qos == 2)
                sendAck(PacketType::Pubrec, packetId); // PUBREL is answered whatever it names
            return;
        }
        // Retain is accepted, not stored, and delivered as 0 (IOT_CORE.md Decision).
        retain = retain && m_rights->storesRetained();
    }
    if (qos == 2 && !m_session->rememberIncomingQos2(packetId)) {
        // A retransmission of a QoS 2 message not yet released: acknowledge, do not route again.
        sendAck(PacketType::Pubrec, packetId);
        return;
    }
    MessagePtr message = m_broker.makeMessage(std::move(publish.topic), std::move(publish.payload),
                                              qos, retain);
    if (m_broker.tap().enabled()) {
        BrokerEvent event;
        event.kind = BrokerEvent::Kind::Publish;
        event.clientId = m_clientId;
        event.topic = message->topic;
        event.message = message;
        event.qos = qos;
        event.packetId = packetId;
        event.kept = kept;
        m_broker.record(std::move(event));
    }
    if (kept)
        m_broker.keep(message);
    m_broker.publish(message, m_bridge ? m_session : nullptr);
    if (qos == 1)
        sendAck(PacketType::Puback, packetId); // MQTT-4.3.2-2
    else if (qos == 2)
        sendAck(PacketType::Pubrec, packetId); // MQTT-4.3.3-2
    publishActivity(ClientRights::Activity::Publish);
}

void ClientConnection::refusePublish(std::string_view topic, std::string_view reason)
{
    (void)topic;
    // IOT_CORE.md: a refused PUBLISH closes the connection, logged as the service did.
    if (m_broker.tap().enabled()) {
        BrokerEvent event;
        event.kind = BrokerEvent::Kind::Refuse;
        event.clientId = m_clientId;
        event.topic = std::string(topic);
        event.detail = std::string(reason);
        m_broker.record(std::move(event));
    }
    finish(reason, true, EntityLogEntry::Level::Error);
}

void ClientConnection::handleSubscribe(const SubscribePacket &subscribe)
{
    SubackPacket suback;
    suback.packetId = subscribe.packetId;
    suback.returnCodes.reserve(subscribe.subscriptions.size());
    std::vector<bool> exact(subscribe.subscriptions.size(), false);
    std::string refused;
    for (std::size_t i = 0; i < subscribe.subscriptions.size(); ++i) {
        const TopicSubscription &subscription = subscribe.subscriptions[i];
        std::uint8_t granted = std::min<std::uint8_t>(subscription.qos, 2);
        std::vector<SubscriptionRoute> routes;
        std::string reason;
        if (m_rights) {
            ClientRights::SubscribeCheck check = m_rights->checkSubscribe(subscription.filter);
            if (check.allowed) {
                // A QoS 2 SUBSCRIBE is granted QoS 1 (IOT_CORE.md Decision).
                granted = std::min(granted, m_rights->maxQos());
                routes = std::move(check.routes);
                exact[i] = check.exact;
            } else {
                granted = SubackFailure;
                reason = check.reason;
                refused += (refused.empty() ? "\"" : ", \"") + subscription.filter + "\"";
            }
        }
        if (granted != SubackFailure)
            m_broker.subscribe(*m_session, subscription.filter, granted, std::move(routes));
        suback.returnCodes.push_back(granted);
        if (m_broker.tap().enabled()) {
            BrokerEvent event;
            event.kind = BrokerEvent::Kind::Subscribe;
            event.clientId = m_clientId;
            event.topic = subscription.filter;
            event.qos = granted;
            event.detail = reason;
            m_broker.record(std::move(event));
        }
    }
    encodePacket(suback, m_transport->outbox()); // MQTT-3.8.4-1
    // Retained (or, for IoT Core clients, kept) messages follow the SUBACK (MQTT-3.3.1-6).
    for (std::size_t i = 0; i < subscribe.subscriptions.size(); ++i) {
        if (suback.returnCodes[i] == SubackFailure)
            continue;
        const std::string &filter = subscribe.subscriptions[i].filter;
        if (!m_rights || m_rights->storesRetained())
            m_broker.sendRetained(*m_session, filter, suback.returnCodes[i]);
        else if (exact[i])
            m_broker.sendKept(*m_session, filter);
    }
    flush();
    if (!refused.empty()) {
        m_broker.logEntity(*m_rights, EntityLogEntry::Level::Warn,
                           "some of subscriptions failed: not allowed to subscribe: [" + refused
                               + "]");
        m_broker.log().write(LogLevel::Info, "subscribe",
                             {{"clientID", m_clientId},
                              {"identity", m_identity},
                              {"result", "some of subscriptions failed: not allowed to subscribe: ["
                                             + refused + "]"}});
    }
    publishActivity(ClientRights::Activity::Subscribe);
}

void ClientConnection::handleUnsubscribe(const UnsubscribePacket &unsubscribe)
{
    for (const std::string &filter : unsubscribe.filters) {
        m_broker.unsubscribe(*m_session, filter);
        if (m_broker.tap().enabled()) {
            BrokerEvent event;
            event.kind = BrokerEvent::Kind::Unsubscribe;
            event.clientId = m_clientId;
            event.topic = filter;
            m_broker.record(std::move(event));
        }
    }
    sendAck(PacketType::Unsuback, unsubscribe.packetId); // MQTT-3.10.4-4, MQTT-3.10.4-5
}

void ClientConnection::sendPublish(const Message &message, std::uint8_t qos, bool retain, bool dup,
                                   std::uint16_t packetId)
{
    encodePublish(m_transport->outbox(), message.topic, message.payload, qos, retain, dup, packetId);
    flush();
}

void ClientConnection::sendAck(PacketType type, std::uint16_t packetId)
{
    encodeAck(m_transport->outbox(), type, packetId);
    flush();
}

void ClientConnection::flush()
{
    m_transport->requestFlush();
}

void ClientConnection::refuseConnect(ConnectReturnCode code, std::string_view reason)
{
    encodePacket(ConnackPacket{false, code}, m_transport->outbox());
    if (m_broker.tap().enabled()) {
        BrokerEvent event;
        event.kind = BrokerEvent::Kind::Refuse;
        event.clientId = m_clientId;
        event.detail = std::string(reason);
        m_broker.record(std::move(event));
    }
    m_broker.log().write(LogLevel::Info, "refuse",
                         {{"address", m_address},
                          {"returnCode", std::to_string(int(code))},
                          {"reason", reason}});
    finish(reason, false);
}

void ClientConnection::protocolViolation(std::string_view reason)
{
    if (m_broker.tap().enabled()) {
        BrokerEvent event;
        event.kind = BrokerEvent::Kind::Refuse;
        event.clientId = m_clientId;
        event.detail = "protocol violation: " + std::string(reason);
        m_broker.record(std::move(event));
    }
    finish("protocol violation: " + std::string(reason), true, EntityLogEntry::Level::Error);
}

void ClientConnection::close(std::string_view reason, bool graceful)
{
    finish(reason, !graceful);
}

void ClientConnection::finish(std::string_view reason, bool publishWill,
                              EntityLogEntry::Level level)
{
    if (m_state == State::Closed)
        return;
    const bool wasConnected = m_state == State::Connected;
    m_state = State::Closed;
    m_transport->close();
    m_transport->setHandler(nullptr);

    if (wasConnected) {
        Log &log = m_broker.log();
        if (log.enabled(LogLevel::Info)) {
            log.write(LogLevel::Info, "disconnect",
                      {{"clientID", m_clientId}, {"address", m_address}, {"reason", reason}});
        }
        if (m_broker.tap().enabled()) {
            BrokerEvent event;
            event.kind = BrokerEvent::Kind::Disconnect;
            event.clientId = m_clientId;
            event.detail = std::string(reason);
            m_broker.record(std::move(event));
        }
        if (m_rights)
            m_broker.logEntity(*m_rights, level, "disconnected: " + std::string(reason));
        Session *session = m_session;
        m_session = nullptr;
        m_broker.closeSession(*this, session);
        publishActivity(ClientRights::Activity::Disconnect);
        // MQTT-3.1.2-8: the will goes out when the network connection ends without DISCONNECT.
        if (publishWill && m_will) {
            Will will = std::move(*m_will);
            m_will.reset();
            m_broker.publish(m_broker.makeMessage(std::move(will.topic), std::move(will.payload),
                                                  will.qos, will.retain));
        }
    } else if (m_broker.log().enabled(LogLevel::Debug)) {
        m_broker.log().write(LogLevel::Debug, "close",
                             {{"address", m_address}, {"reason", reason}});
    }
    m_broker.connectionClosed(*this);
}

void ClientConnection::checkTimeouts(Clock::time_point now)
{
    if (m_state != State::Closed)
        m_transport->releaseSpareMemory();
    if (m_state == State::AwaitingConnect || m_state == State::Authenticating) {
        if (now - m_connectedAt > m_broker.config().connectTimeout)
            finish("no CONNECT in time", false);
    } else if (m_state == State::Connected && m_keepAliveLimit.count() > 0) {
        if (now - m_lastActivity > m_keepAliveLimit)
            finish("keep-alive timeout", true, EntityLogEntry::Level::Warn); // MQTT-3.1.2-24
    }
}

} // namespace iotcore::broker
