// libFuzzer target for the MQTT packet decoder.
//
// Input layout: byte 0 = largest chunk size (0: feed everything at once), bytes 1-2 = seed of
// the split, byte 3 = packet size limit selector; the rest is the byte stream. The target aborts
// (so libFuzzer records a crash) when the property of DecoderProperty.h does not hold.
//
//   build-fuzz/tests/fuzz/fuzz_packetdecoder -max_total_time=60 corpus/

#include "DecoderProperty.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace iotcore::broker;

    if (size < 4)
        return 0;
    const std::size_t maxChunk = data[0];
    const std::uint32_t seed = std::uint32_t(data[1]) << 8 | data[2];
    // Mostly the default limit; sometimes a small one to exercise the size check.
    const std::size_t maxPacketSize = data[3] < 0xF0 ? MaxRemainingLength + 5
                                                     : std::size_t(data[3] - 0xF0) * 8;
    const std::string_view stream(reinterpret_cast<const char *>(data + 4), size - 4);

    std::string failure;
    if (!fuzz::checkDecoderProperty(stream, seed, maxChunk, maxPacketSize, failure)) {
        std::fprintf(stderr, "decoder property violated: %s\n", failure.c_str());
        std::abort();
    }
    return 0;
}
