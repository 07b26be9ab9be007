#pragma once

#include "trace.h"

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace loopscope::trace {

// Single-producer single-consumer ring of events. The producer is the thread the
// ring belongs to, the consumer is the hub's collector. A full ring drops the new
// event and counts it: the producer must never wait for the consumer.
class EventRing
{
public:
    explicit EventRing(std::size_t capacity, std::uint32_t thread);

    std::uint32_t thread() const noexcept { return m_thread; }
    std::size_t capacity() const noexcept { return m_mask + 1; }
    // Memory the ring holds, all of it resident from its creation. Any thread.
    std::size_t bytesHeld() const noexcept { return capacity() * sizeof(Event); }

    // Producer side. Returns a slot to fill, or nullptr when full (already counted).
    Event *beginWrite() noexcept
    {
        const std::uint64_t head = m_head.load(std::memory_order_relaxed);
        // The cached tail saves a cache-line transfer per event; it is only
        // refreshed when the ring looks full.
        if (head - m_cachedTail > m_mask) {
            m_cachedTail = m_tail.load(std::memory_order_acquire);
            if (head - m_cachedTail > m_mask) {
                m_dropped.fetch_add(1, std::memory_order_relaxed);
                return nullptr;
            }
        }
        return &m_slots[head & m_mask];
    }
    void commitWrite() noexcept
    {
        m_head.store(m_head.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }

    // Consumer side: appends up to maxEvents events to out, returns how many.
    std::size_t drain(std::vector<Event> &out, std::size_t maxEvents = SIZE_MAX);
    bool empty() const noexcept;

    std::uint64_t dropped() const noexcept { return m_dropped.load(std::memory_order_relaxed); }

    // Set by the owning thread when it exits; the ring is freed once drained.
    void markOwnerExited() noexcept { m_ownerExited.store(true, std::memory_order_release); }
    bool ownerExited() const noexcept { return m_ownerExited.load(std::memory_order_acquire); }

private:
    const std::uint64_t m_mask;
    const std::uint32_t m_thread;
    std::unique_ptr<Event[]> m_slots;
    std::atomic<bool> m_ownerExited { false };
    std::atomic<std::uint64_t> m_dropped { 0 };
    // Producer and consumer indices on separate cache lines so they do not bounce.
    alignas(64) std::atomic<std::uint64_t> m_head { 0 };
    std::uint64_t m_cachedTail = 0; // producer-only
    alignas(64) std::atomic<std::uint64_t> m_tail { 0 };
};

} // namespace loopscope::trace
