#include "eventring.h"

#include <algorithm>
#include <bit>

namespace loopscope::trace {

EventRing::EventRing(std::size_t capacity, std::uint32_t thread)
    : m_mask(std::bit_ceil(std::max<std::size_t>(capacity, 2)) - 1)
    , m_thread(thread)
    // Value-initialised, so every page is resident from the thread's first event on. Left
    // untouched, a ring became resident slowly as it first wrapped (minutes for a thread that
    // records a few events a second), and the process seemed to grow long after its load
    // settled, hiding any real growth in the noise.
    , m_slots(new Event[m_mask + 1]())
{ }

std::size_t EventRing::drain(std::vector<Event> &out, std::size_t maxEvents)
{
    const std::uint64_t tail = m_tail.load(std::memory_order_relaxed);
    const std::uint64_t head = m_head.load(std::memory_order_acquire);
    const std::size_t n = std::min<std::uint64_t>(head - tail, maxEvents);
    if (n == 0)
        return 0;
    const std::size_t first = tail & m_mask;
    const std::size_t firstPart = std::min<std::size_t>(n, m_mask + 1 - first);
    out.insert(out.end(), &m_slots[first], &m_slots[first] + firstPart);
    out.insert(out.end(), &m_slots[0], &m_slots[0] + (n - firstPart));
    m_tail.store(tail + n, std::memory_order_release);
    return n;
}

bool EventRing::empty() const noexcept
{
    return m_head.load(std::memory_order_acquire) == m_tail.load(std::memory_order_relaxed);
}

} // namespace loopscope::trace
