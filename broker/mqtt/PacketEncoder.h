#pragma once

// Encodes MQTT 3.1.1 packets by appending their bytes to a buffer, so a connection can batch
// many packets into one write.

#include "Packet.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace iotcore::broker {

// Appends the encoded packet to `out`.
void encodePacket(const Packet &packet, std::string &out);

// The hot path of a broker: a PUBLISH built from its parts without a PublishPacket.
void encodePublish(std::string &out, std::string_view topic, std::string_view payload,
                   std::uint8_t qos, bool retain, bool dup, std::uint16_t packetId);

// PUBACK, PUBREC, PUBREL (flags 0x2), PUBCOMP or UNSUBACK.
void encodeAck(std::string &out, PacketType type, std::uint16_t packetId);

// Convenience for tests and clients: the packet's bytes.
std::string encodedPacket(const Packet &packet);

} // namespace iotcore::broker
