#pragma once

// Incremental, total decoder of MQTT 3.1.1 packets: bytes arrive in any split (one at a time
// included) and come out as whole packets or as one protocol error with a reason. It never
// reserves memory for bytes it has not received, and refuses a packet longer than the limit
// before buffering it.

#include "Packet.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace iotcore::broker {

class PacketDecoder
{
public:
    enum class Status { Packet, NeedMore, Error };

    explicit PacketDecoder(std::size_t maxPacketSize = MaxRemainingLength + 5);

    // Appends received bytes. Call next() until it stops returning Status::Packet.
    void feed(std::string_view bytes);

    // Decodes the next whole packet into `packet`. After an Error, every call returns Error.
    Status next(Packet &packet);

    // Why decoding failed, e.g. "PUBLISH topic contains '+' (MQTT-3.3.2-2)".
    const std::string &errorReason() const { return m_error; }
    bool hasError() const { return !m_error.empty(); }

    // Bytes received and not yet decoded (a partial packet).
    std::size_t bufferedBytes() const { return m_buffer.size() - m_offset; }

    std::size_t maxPacketSize() const { return m_maxPacketSize; }
    void setMaxPacketSize(std::size_t bytes) { m_maxPacketSize = bytes; }

private:
    Status fail(std::string reason);

    std::string m_buffer;
    std::size_t m_offset = 0; // start of the first undecoded byte in m_buffer
    std::size_t m_maxPacketSize;
    std::string m_error;
};

} // namespace iotcore::broker
