#pragma once

// MQTT over WebSocket (MQTT 3.1.1 section 6, RFC 6455), over plain TCP (ws) or TLS (wss): the
// opening handshake, then binary frames both ways. The payloads of the client's binary and
// continuation frames are one byte stream that need not follow MQTT packet boundaries (a packet
// may span frames, a frame may hold several packets), so they are passed on as they arrive.
// Each flush sends the whole outbox as one binary frame.

#include "SocketTransport.h"

#include <cstdint>

namespace iotcore::broker {

class WebSocketTransport final : public SocketTransport
{
public:
    WebSocketTransport(EventLoop &loop, int fd, std::string peerAddress,
                       std::unique_ptr<TlsChannel> tls = nullptr);

    // Sends a Close frame after what is pending, then closes.
    void close() override;

protected:
    void received(std::string_view bytes) override;
    void prepareOutput() override;

private:
    enum class State { Handshake, Open, Closed };
    enum class CloseCode : std::uint16_t {
        Normal = 1000,
        ProtocolError = 1002,
        UnsupportedData = 1003,
        MessageTooBig = 1009,
    };

    void receiveHandshake(std::string_view bytes);
    void receiveFrames(std::string_view bytes);
    std::size_t headerSize() const;
    void startFrame();
    void finishFrame();
    void handleControlFrame();
    void deliverData();
    void sendFrame(std::uint8_t opcode, std::string_view payload);
    void sendClose(std::uint16_t code, std::string_view reason);
    // Sends what is pending and a Close frame, closes, and tells the handler why.
    void closeWith(CloseCode code, std::string_view reason);
    void refuseHandshake(const std::string &response, std::string_view reason);

    State m_state = State::Handshake;
    std::string m_request; // the handshake request so far, at most MaxWebSocketRequestSize

    // The frame being read (RFC 6455 section 5.2).
    unsigned char m_header[14] = {};
    std::size_t m_headerBytes = 0;
    bool m_inPayload = false;
    std::uint8_t m_opcode = 0;
    std::uint64_t m_payloadLeft = 0;
    unsigned char m_mask[4] = {};
    std::size_t m_maskIndex = 0;
    bool m_inFragmentedMessage = false;

    std::string m_control; // a control frame's payload, at most 125 bytes
    std::string m_data;    // unmasked MQTT bytes from one read, delivered together
};

} // namespace iotcore::broker
