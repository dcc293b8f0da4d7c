#pragma once

// One network connection speaking MQTT to the broker: decodes what the client sends, enforces
// the protocol's order (CONNECT first and once, MQTT-3.1.0-1/2), keeps the keep-alive, and hands
// the packets to the broker and the client's session. Any protocol violation closes it with a
// reason.

#include "BrokerConfig.h"
#include "BrokerPersistence.h"
#include "ClientRights.h"
#include "Transport.h"
#include "mqtt/Packet.h"
#include "mqtt/PacketDecoder.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace iotcore::broker {

class Broker;
class Session;
struct Message;

class ClientConnection final : public TransportHandler
{
public:
    using Clock = std::chrono::steady_clock;

    ClientConnection(Broker &broker, std::unique_ptr<Transport> transport,
                     std::shared_ptr<const ListenerInfo> listener);
    ~ClientConnection() override;

    const std::string &clientId() const { return m_clientId; }
    const std::string &address() const { return m_address; }
    const std::string &identity() const { return m_identity; }
    // What the client may do; null on an open listener.
    const ClientRights *rights() const { return m_rights.get(); }
    const ListenerInfo &listener() const { return *m_listener; }
    Transport &transport() { return *m_transport; }
    bool isConnected() const { return m_state == State::Connected; }
    bool isClosed() const { return m_state == State::Closed; }
    Session *session() const { return m_session; }
    bool isBridge() const { return m_bridge; }

    void sendPublish(const Message &message, std::uint8_t qos, bool retain, bool dup,
                     std::uint16_t packetId);
    void sendAck(PacketType type, std::uint16_t packetId);
    std::size_t pendingBytes() const { return m_transport->pendingBytes(); }

    // Closes the connection. `graceful` is true after DISCONNECT: the will is then discarded
    // (MQTT-3.1.2-10); otherwise it is published (MQTT-3.1.2-8).
    void close(std::string_view reason, bool graceful = false);

    // Called periodically by the broker: closes a connection silent for 1.5 × keep-alive
    // (MQTT-3.1.2-24) or one that never sent CONNECT.
    void checkTimeouts(Clock::time_point now);

    // TransportHandler
    void onTransportData(std::string_view bytes) override;
    void onTransportClosed(std::string_view reason) override;

private:
    enum class State { AwaitingConnect, Authenticating, Connected, Closed };

    void decodeAvailable();
    void handlePacket(Packet &packet);
    void handleConnect(ConnectPacket &connect);
    void completeConnect(Authenticator::Verdict verdict, bool answeredLater);
    void publishActivity(ClientRights::Activity activity);
    void handlePublish(PublishPacket &publish);
    void refusePublish(std::string_view topic, std::string_view reason);
    void handleSubscribe(const SubscribePacket &subscribe);
    void handleUnsubscribe(const UnsubscribePacket &unsubscribe);
    void refuseConnect(ConnectReturnCode code, std::string_view reason);
    void protocolViolation(std::string_view reason);
    // `level`: how the entity log rates the disconnection (a refusal is an error).
    void finish(std::string_view reason, bool publishWill,
                EntityLogEntry::Level level = EntityLogEntry::Level::Info);
    void flush();

    Broker &m_broker;
    std::unique_ptr<Transport> m_transport;
    std::shared_ptr<const ListenerInfo> m_listener;
    PacketDecoder m_decoder;
    State m_state = State::AwaitingConnect;
    std::string m_clientId;
    std::string m_address;
    std::string m_identity = "anonymous";
    Session *m_session = nullptr;
    std::optional<Will> m_will;
    std::unique_ptr<ClientRights> m_rights;
    bool m_cleanSession = true;
    bool m_bridge = false;      // a mosquitto bridge (protocol level 0x84): not sent its own messages
    std::uint16_t m_keepAlive = 0;
    std::shared_ptr<int> m_lifetime = std::make_shared<int>(0); // outlived by pending callbacks
    std::chrono::milliseconds m_keepAliveLimit{0}; // 0: no keep-alive
    Clock::time_point m_connectedAt;
    Clock::time_point m_lastActivity;
};

} // namespace iotcore::broker
