#pragma once

// The server side of the WebSocket opening handshake (RFC 6455 section 4.2) for MQTT over
// WebSocket (MQTT 3.1.1 section 6): an HTTP/1.1 GET on any path with Upgrade: websocket,
// Connection: Upgrade, Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key. As mosquitto does, the
// `mqtt` subprotocol is chosen when offered, else its older name `mqttv3.1`; a client that offers
// neither (or none) is still served, without a subprotocol in the answer.

#include <cstddef>
#include <string>
#include <string_view>

namespace iotcore::broker {

// The request line and headers may take this much; a longer request is refused unread.
inline constexpr std::size_t MaxWebSocketRequestSize = 8 * 1024;

struct WebSocketHandshake {
    bool accepted = false;
    std::string response;    // "HTTP/1.1 101 Switching Protocols…" or "… 400 Bad Request…"
    std::string subprotocol; // "mqtt", "mqttv3.1" or empty
    std::string error;       // why the request was refused (one line)
};

// `request`: the request line and headers, up to and including the empty line that ends them.
WebSocketHandshake answerWebSocketRequest(std::string_view request);

// `400 Bad Request` with `reason` as its plain-text body.
std::string webSocketBadRequest(std::string_view reason);

// The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 section 4.2.2, item 5.4).
std::string webSocketAccept(std::string_view key);

} // namespace iotcore::broker
