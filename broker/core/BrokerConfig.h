#pragma once

#include <chrono>
#include <memory>
#include <cstddef>
#include <cstdint>
#include <string>

namespace iotcore::broker {

struct BrokerConfig {
    // QoS 1 and 2 messages sent to one client and not yet acknowledged.
    std::size_t maxInflightMessages = 1000;
    // QoS 1 and 2 messages waiting for a client (offline, or its inflight window full); past this,
    // new ones are dropped and the drop is recorded. Generous, as mosquitto is run in comparisons.
    std::size_t maxQueuedMessages = 100'000;
    // Bytes waiting in one connection's socket buffer past which QoS 0 messages to it are dropped.
    std::size_t maxPendingBytesQos0 = 64u << 20;
    // Largest packet a client may send (fixed header included).
    std::size_t maxPacketSize = 64u << 20;
    // A connection that sends no CONNECT within this time is closed.
    std::chrono::milliseconds connectTimeout{10'000};
    // IoT Core identities: a second connection with a client id in use takes the first one over
    // as MQTT 3.1.1 says (true), or both coexist as in the service (false, the default).
    bool iotClientIdTakeover = false;
    // How often persistent sessions that changed are written to the store.
    std::chrono::milliseconds sessionSaveInterval{2'000};
};

class Authenticator;

// What kind of listener a connection arrived on.
struct ListenerInfo {
    enum class Mode { Open, IotCore };
    std::string name;   // "open-mqtt", "mqtts", ...
    std::string scheme; // "mqtt", "mqtts", "ws", "wss"
    Mode mode = Mode::Open;
    std::shared_ptr<Authenticator> authenticator; // null: open mode
    // IoT Core mode, in-process listeners only (BrokerServer::addInProcessAssertedListener): the
    // process vouches for its clients, so a CONNECT's username is the identity and no password
    // or certificate is asked for (Authenticator::Request::identityAsserted).
    bool identityAsserted = false;
};

} // namespace iotcore::broker
