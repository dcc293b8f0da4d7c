#pragma once

// A double-ended FIFO on one growable array: nothing allocated while empty (std::deque takes
// over half a kilobyte even then, which 10,000 idle sessions feel), amortised O(1) push and pop,
// O(1) indexing, and the memory of a burst given back once it drains.

#include <cstddef>
#include <memory>
#include <utility>

namespace iotcore::broker {

template<typename T>
class RingBuffer
{
public:
    RingBuffer() = default;
    RingBuffer(const RingBuffer &) = delete;
    RingBuffer &operator=(const RingBuffer &) = delete;
    RingBuffer(RingBuffer &&other) noexcept { swap(other); }
    RingBuffer &operator=(RingBuffer &&other) noexcept
    {
        RingBuffer moved(std::move(other));
        swap(moved);
        return *this;
    }

    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }

    T &operator[](std::size_t index) { return m_items[(m_head + index) & (m_capacity - 1)]; }
    const T &operator[](std::size_t index) const
    {
        return m_items[(m_head + index) & (m_capacity - 1)];
    }
    T &front() { return (*this)[0]; }
    T &back() { return (*this)[m_size - 1]; }

    void push_back(T value)
    {
        if (m_size == m_capacity)
            grow();
        (*this)[m_size] = std::move(value);
        ++m_size;
    }

    void pop_front()
    {
        m_items[m_head] = T();
        m_head = (m_head + 1) & (m_capacity - 1);
        if (--m_size == 0)
            releaseIfLarge();
    }

    void clear()
    {
        for (std::size_t i = 0; i < m_size; ++i)
            (*this)[i] = T();
        m_size = 0;
        m_head = 0;
        releaseIfLarge();
    }

    template<typename Visit>
    void forEach(Visit &&visit)
    {
        for (std::size_t i = 0; i < m_size; ++i)
            visit((*this)[i]);
    }
    template<typename Visit>
    void forEach(Visit &&visit) const
    {
        for (std::size_t i = 0; i < m_size; ++i)
            visit((*this)[i]);
    }

private:
    static constexpr std::size_t KeptCapacity = 16;

    void grow()
    {
        const std::size_t capacity = m_capacity ? m_capacity * 2 : 4;
        auto items = std::make_unique<T[]>(capacity);
        for (std::size_t i = 0; i < m_size; ++i)
            items[i] = std::move((*this)[i]);
        m_items = std::move(items);
        m_capacity = capacity;
        m_head = 0;
    }

    void releaseIfLarge()
    {
        m_head = 0;
        if (m_capacity > KeptCapacity) {
            m_items.reset();
            m_capacity = 0;
        }
    }

    void swap(RingBuffer &other) noexcept
    {
        std::swap(m_items, other.m_items);
        std::swap(m_capacity, other.m_capacity);
        std::swap(m_head, other.m_head);
        std::swap(m_size, other.m_size);
    }

    std::unique_ptr<T[]> m_items;
    std::size_t m_capacity = 0; // zero or a power of two
    std::size_t m_head = 0;
    std::size_t m_size = 0;
};

} // namespace iotcore::broker
