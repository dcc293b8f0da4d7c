#pragma once

// Payloads of the message log, packed one after another into large chunks: no allocation per
// message, and dropping the oldest messages frees whole chunks. Payloads are stored whole; one
// larger than a chunk gets a chunk of its own.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>

namespace iotcore::ui {

class PayloadArena
{
public:
    struct Ref {
        std::uint32_t chunk = 0; // a sequence number: chunks are numbered from the first ever
        std::uint32_t offset = 0;
    };

    Ref append(std::string_view bytes);
    std::string_view view(Ref ref, std::uint32_t size) const;
    // Frees the chunks before the one `firstKept` points into.
    void releaseBefore(Ref firstKept);
    void clear();
    std::size_t bytesReserved() const { return m_bytesReserved; }

    static constexpr std::uint32_t ChunkSize = 1u << 20;

private:
    struct Chunk {
        std::unique_ptr<char[]> data;
        std::uint32_t used = 0;
        std::uint32_t capacity = 0;
    };

    std::deque<Chunk> m_chunks;
    std::uint32_t m_firstChunk = 0;
    std::size_t m_bytesReserved = 0;
};

} // namespace iotcore::ui
