#include "WebSocketTransport.h"

#include "TlsChannel.h"
#include "WebSocketHandshake.h"
#include "mqtt/Packet.h"

#include <algorithm>
#include <cstring>

namespace iotcore::broker {

namespace {

// RFC 6455 section 5.2.
enum Opcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

constexpr std::size_t MaxControlPayload = 125; // RFC 6455 section 5.5

// Frame payloads are not buffered, so this bounds no allocation; it refuses lengths no MQTT
// client sends: more than the largest MQTT packet in one frame.
constexpr std::uint64_t MaxFramePayload = MaxRemainingLength + 5;

// Keeps a connection that once read a burst from holding its buffer while idle.
constexpr std::size_t KeptDataCapacity = 16 * 1024;

void appendFrameHeader(std::string &out, std::uint8_t opcode, std::uint64_t length)
{
    out += char(0x80 | opcode); // FIN: the server never fragments
    if (length < 126) {
        out += char(length);
    } else if (length <= 0xFFFF) {
        out += char(126);
        out += char(length >> 8);
        out += char(length & 0xFF);
    } else {
        out += char(127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out += char((length >> shift) & 0xFF);
    }
}

} // namespace

WebSocketTransport::WebSocketTransport(EventLoop &loop, int fd, std::string peerAddress,
                                       std::unique_ptr<TlsChannel> tls)
    : SocketTransport(loop, fd, std::move(peerAddress), std::move(tls))
{
}

void WebSocketTransport::close()
{
    if (m_state == State::Open && !isClosed()) {
        prepareOutput();
        sendClose(std::uint16_t(CloseCode::Normal), {});
        m_state = State::Closed;
    }
    SocketTransport::close();
}

void WebSocketTransport::received(std::string_view bytes)
{
    if (m_state == State::Handshake)
        receiveHandshake(bytes);
    else if (m_state == State::Open)
        receiveFrames(bytes);
}

void WebSocketTransport::prepareOutput()
{
    // Before the handshake's answer nothing is framed; after a Close frame nothing may follow.
    if (m_state != State::Open || outbox().empty())
        return;
    appendFrameHeader(wire(), Binary, outbox().size());
    wire().append(outbox());
    outbox().clear();
}

void WebSocketTransport::receiveHandshake(std::string_view bytes)
{
    // The end of the headers may straddle two reads.
    const std::size_t searchFrom = m_request.size() < 3 ? 0 : m_request.size() - 3;
    const std::size_t room = MaxWebSocketRequestSize - m_request.size();
    const std::size_t taken = std::min(room, bytes.size());
    m_request.append(bytes.substr(0, taken));
    const std::size_t end = m_request.find("\r\n\r\n", searchFrom);
    if (end == std::string::npos) {
        if (m_request.size() >= MaxWebSocketRequestSize) {
            refuseHandshake(webSocketBadRequest("request header larger than 8 KiB"),
                            "request header larger than 8 KiB");
        }
        return;
    }
    const std::size_t headerSize = end + 4;
    // A client may send its first frames right behind the request.
    std::string early = m_request.substr(headerSize);
    early.append(bytes.substr(taken));
    const WebSocketHandshake handshake = answerWebSocketRequest(
        std::string_view(m_request).substr(0, headerSize));
    std::string().swap(m_request);
    if (!handshake.accepted) {
        refuseHandshake(handshake.response, handshake.error);
        return;
    }
    wire().append(handshake.response);
    m_state = State::Open;
    requestFlush();
    if (!early.empty())
        receiveFrames(early);
}

void WebSocketTransport::refuseHandshake(const std::string &response, std::string_view reason)
{
    wire().append(response);
    m_state = State::Closed;
    flushNow();
    fail("WebSocket handshake refused: " + std::string(reason));
}

std::size_t WebSocketTransport::headerSize() const
{
    if (m_headerBytes < 2)
        return 2;
    const unsigned length7 = m_header[1] & 0x7F;
    const bool masked = m_header[1] & 0x80;
    return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
}

void WebSocketTransport::receiveFrames(std::string_view bytes)
{
    while (!bytes.empty() && m_state == State::Open) {
        if (!m_inPayload) {
            const std::size_t needed = headerSize() - m_headerBytes;
            const std::size_t taken = std::min(needed, bytes.size());
            std::memcpy(m_header + m_headerBytes, bytes.data(), taken);
            m_headerBytes += taken;
            bytes.remove_prefix(taken);
            if (m_headerBytes == headerSize())
                startFrame(); // headerSize() grows once the first two bytes are in
            continue;
        }
        const std::size_t count = std::size_t(std::min<std::uint64_t>(bytes.size(),
                                                                      m_payloadLeft));
        std::string &target = m_opcode >= Close ? m_control : m_data;
        const std::size_t start = target.size();
        target.resize(start + count);
        for (std::size_t i = 0; i < count; ++i)
            target[start + i] = char(bytes[i] ^ m_mask[(m_maskIndex + i) & 3]);
        m_maskIndex = (m_maskIndex + count) & 3;
        m_payloadLeft -= count;
        bytes.remove_prefix(count);
        if (m_payloadLeft == 0)
            finishFrame();
    }
    if (m_state == State::Open)
        deliverData();
}

void WebSocketTransport::startFrame()
{
    const bool final = m_header[0] & 0x80;
    const std::uint8_t reserved = m_header[0] & 0x70;
    const std::uint8_t opcode = m_header[0] & 0x0F;
    const bool masked = m_header[1] & 0x80;
    const unsigned length7 = m_header[1] & 0x7F;
    std::uint64_t length = length7;
    std::size_t position = 2;
    if (length7 >= 126) {
        const std::size_t lengthBytes = length7 == 126 ? 2 : 8;
        length = 0;
        for (std::size_t i = 0; i < lengthBytes; ++i)
            length = (length << 8) | m_header[position++];
    }

    // Checked once the header is complete: headerSize() already knew the mask bit and the
    // length's size, so at most 14 bytes were taken.
    if (reserved != 0)
        return closeWith(CloseCode::ProtocolError, "reserved bits set, no extension agreed");
    if (!masked)
        return closeWith(CloseCode::ProtocolError, "client frame not masked (RFC 6455 5.1)");
    if (opcode >= Close) {
        if (opcode != Close && opcode != Ping && opcode != Pong)
            return closeWith(CloseCode::ProtocolError, "unknown control opcode");
        if (!final)
            return closeWith(CloseCode::ProtocolError, "fragmented control frame");
        if (length > MaxControlPayload)
            return closeWith(CloseCode::ProtocolError, "control frame longer than 125 bytes");
        m_control.clear();
    } else {
        if (opcode == Text)
            return closeWith(CloseCode::UnsupportedData, "text frame (MQTT-6.0.0-1)");
        if (opcode != Binary && opcode != Continuation)
            return closeWith(CloseCode::ProtocolError, "unknown data opcode");
        if (opcode == Continuation && !m_inFragmentedMessage)
            return closeWith(CloseCode::ProtocolError, "continuation frame without a message");
        if (opcode == Binary && m_inFragmentedMessage)
            return closeWith(CloseCode::ProtocolError, "binary frame inside a fragmented message");
        if (length >> 63)
            return closeWith(CloseCode::ProtocolError, "64-bit length with the top bit set");
        if (length > MaxFramePayload)
            return closeWith(CloseCode::MessageTooBig, "frame longer than any MQTT packet");
        m_inFragmentedMessage = !final;
    }
    std::memcpy(m_mask, m_header + position, sizeof m_mask);
    m_maskIndex = 0;
    m_opcode = opcode;
    m_payloadLeft = length;
    m_headerBytes = 0;
    m_inPayload = true;
    if (length == 0)
        finishFrame();
}

void WebSocketTransport::finishFrame()
{
    m_inPayload = false;
    if (m_opcode >= Close)
        handleControlFrame();
}

void WebSocketTransport::handleControlFrame()
{
    // What came before the control frame goes first: a Close must not lose a PUBLISH.
    deliverData();
    if (m_state != State::Open || isClosed())
        return;
    switch (m_opcode) {
    case Ping:
        sendFrame(Pong, m_control); // RFC 6455 section 5.5.3: the same application data
        requestFlush();
        break;
    case Pong:
        break;
    case Close: {
        if (m_control.size() == 1)
            return closeWith(CloseCode::ProtocolError, "Close frame with a 1-byte body");
        // Echo the client's status code (RFC 6455 section 5.5.1), then close.
        prepareOutput();
        if (m_control.size() >= 2) {
            const auto code = std::uint16_t((std::uint8_t(m_control[0]) << 8)
                                            | std::uint8_t(m_control[1]));
            sendClose(code, {});
        } else {
            sendFrame(Close, {});
        }
        m_state = State::Closed;
        flushNow();
        fail("WebSocket closed by client");
        break;
    }
    default:
        break;
    }
}

void WebSocketTransport::deliverData()
{
    if (m_data.empty())
        return;
    deliver(m_data);
    m_data.clear();
    if (m_data.capacity() > KeptDataCapacity)
        std::string().swap(m_data);
}

void WebSocketTransport::sendFrame(std::uint8_t opcode, std::string_view payload)
{
    appendFrameHeader(wire(), opcode, payload.size());
    wire().append(payload);
}

void WebSocketTransport::sendClose(std::uint16_t code, std::string_view reason)
{
    std::string payload;
    payload += char(code >> 8);
    payload += char(code & 0xFF);
    payload.append(reason.substr(0, MaxControlPayload - 2));
    sendFrame(Close, payload);
}

void WebSocketTransport::closeWith(CloseCode code, std::string_view reason)
{
    deliverData();
    if (m_state != State::Open || isClosed())
        return;
    prepareOutput();
    sendClose(std::uint16_t(code), reason);
    m_state = State::Closed;
    flushNow();
    fail("WebSocket protocol error: " + std::string(reason));
}

} // namespace iotcore::broker
