#pragma once

// The property both the libFuzzer target and the GCC-friendly random test check on any input:
//
//  1. Decoding the bytes fed whole and fed in an arbitrary split yields the same packets and the
//     same end (NeedMore with the same leftover, or Error with the same reason).
//  2. Every decoded packet re-encodes to bytes that decode to an equal packet, with nothing
//     left over and no error.
//  3. After an error, the decoder stays in error and buffers nothing.
//
// Only the codec and the standard library are used, so the fuzz target can compile the codec
// sources with coverage instrumentation and no Qt.

#include "mqtt/Packet.h"
#include "mqtt/PacketDecoder.h"
#include "mqtt/PacketEncoder.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iotcore::broker::fuzz {

struct Outcome
{
    std::vector<Packet> packets;
    PacketDecoder::Status last = PacketDecoder::Status::NeedMore;
    std::string error;
    std::size_t buffered = 0;

    bool operator==(const Outcome &) const = default;
};

// A small deterministic generator (xorshift32) so that a split is a function of the input.
class SplitGenerator
{
public:
    explicit SplitGenerator(std::uint32_t seed) : m_state(seed ? seed : 0x9E3779B9u) {}

    std::uint32_t next()
    {
        m_state ^= m_state << 13;
        m_state ^= m_state >> 17;
        m_state ^= m_state << 5;
        return m_state;
    }

private:
    std::uint32_t m_state;
};

// Feeds `data` in pieces of 1..maxChunk bytes chosen by `seed` (maxChunk 0: all at once),
// draining the decoder after each piece. Also checks that the decoder stays failed.
inline Outcome decodeStream(std::string_view data, std::uint32_t seed, std::size_t maxChunk,
                            std::size_t maxPacketSize, std::string *failure)
{
    PacketDecoder decoder(maxPacketSize);
    Outcome outcome;
    SplitGenerator rng(seed);
    std::size_t pos = 0;
    bool failed = false;
    do {
        std::size_t n = data.size() - pos;
        if (maxChunk > 0 && n > 0)
            n = std::min<std::size_t>(n, 1 + rng.next() % maxChunk);
        decoder.feed(data.substr(pos, n));
        pos += n;
        for (;;) {
            Packet packet;
            const auto status = decoder.next(packet);
            if (status == PacketDecoder::Status::Packet) {
                if (failed && failure)
                    *failure = "a packet came out after an error";
                outcome.packets.push_back(std::move(packet));
                continue;
            }
            outcome.last = status;
            if (status == PacketDecoder::Status::Error) {
                failed = true;
                if (decoder.bufferedBytes() != 0 && failure)
                    *failure = "bytes are buffered after an error";
                if (decoder.errorReason().empty() && failure)
                    *failure = "an error without a reason";
            }
            break;
        }
    } while (pos < data.size());
    outcome.error = decoder.errorReason();
    outcome.buffered = decoder.bufferedBytes();
    if (outcome.last == PacketDecoder::Status::Error && !decoder.hasError() && failure)
        *failure = "Error returned but hasError() is false";
    return outcome;
}

// Checks the property on `data`; returns false and says why in `failure` on a violation.
// `result`, if given, receives the outcome of decoding the whole input.
inline bool checkDecoderProperty(std::string_view data, std::uint32_t splitSeed,
                                 std::size_t maxChunk, std::size_t maxPacketSize,
                                 std::string &failure, Outcome *result = nullptr)
{
    failure.clear();
    const Outcome whole = decodeStream(data, 0, 0, maxPacketSize, &failure);
    if (!failure.empty())
        return false;
    const Outcome split = decodeStream(data, splitSeed, maxChunk, maxPacketSize, &failure);
    if (!failure.empty())
        return false;
    if (!(whole == split)) {
        failure = "whole and split decoding differ (" + whole.error + " / " + split.error + ")";
        return false;
    }
    if (whole.last == PacketDecoder::Status::NeedMore
        && whole.buffered > data.size()) {
        failure = "more bytes buffered than received";
        return false;
    }

    // Re-encode every packet, one stream, and decode it again.
    std::string encoded;
    for (const Packet &packet : whole.packets) {
        const std::size_t before = encoded.size();
        encodePacket(packet, encoded);
        if (encoded.size() == before) {
            failure = std::string("empty encoding of a ") + packetTypeName(packetType(packet));
            return false;
        }
    }
    const Outcome again = decodeStream(encoded, splitSeed ^ 0x5A5A5A5Au, maxChunk,
                                       MaxRemainingLength + 5, &failure);
    if (!failure.empty())
        return false;
    if (again.last != PacketDecoder::Status::NeedMore || again.buffered != 0) {
        failure = "re-encoded packets do not decode cleanly: " + again.error;
        return false;
    }
    if (again.packets != whole.packets) {
        failure = "re-encoded packets decode differently";
        return false;
    }
    if (result)
        *result = std::move(whole);
    return true;
}

} // namespace iotcore::broker::fuzz
