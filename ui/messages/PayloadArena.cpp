#include "PayloadArena.h"

#include <algorithm>
#include <cstring>

namespace iotcore::ui {

PayloadArena::Ref PayloadArena::append(std::string_view bytes)
{
    const auto size = std::uint32_t(bytes.size());
    if (m_chunks.empty() || m_chunks.back().capacity - m_chunks.back().used < size) {
        const std::uint32_t capacity = std::max(size, ChunkSize);
        m_chunks.push_back(Chunk{std::make_unique_for_overwrite<char[]>(capacity), 0, capacity});
        m_bytesReserved += capacity;
    }
    Chunk &chunk = m_chunks.back();
    const Ref ref{m_firstChunk + std::uint32_t(m_chunks.size() - 1), chunk.used};
    if (size > 0)
        std::memcpy(chunk.data.get() + chunk.used, bytes.data(), size);
    chunk.used += size;
    return ref;
}

std::string_view PayloadArena::view(Ref ref, std::uint32_t size) const
{
    if (size == 0 || ref.chunk < m_firstChunk || ref.chunk - m_firstChunk >= m_chunks.size())
        return {};
    const Chunk &chunk = m_chunks[ref.chunk - m_firstChunk];
    return {chunk.data.get() + ref.offset, size};
}

void PayloadArena::releaseBefore(Ref firstKept)
{
    while (!m_chunks.empty() && m_firstChunk < firstKept.chunk) {
        m_bytesReserved -= m_chunks.front().capacity;
        m_chunks.pop_front();
        ++m_firstChunk;
    }
}

void PayloadArena::clear()
{
    m_firstChunk += std::uint32_t(m_chunks.size());
    m_chunks.clear();
    m_bytesReserved = 0;
}

} // namespace iotcore::ui
