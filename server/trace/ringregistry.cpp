#include "ringregistry.h"

#include <algorithm>
#include <bit>
#include <unistd.h>

namespace loopscope::trace {

RingRegistry &RingRegistry::instance()
{
    // Leaked on purpose: threads may record during static destruction.
    static RingRegistry *registry = new RingRegistry;
    return *registry;
}

std::uint32_t RingRegistry::newThreadIndex()
{
    return m_nextThread.fetch_add(1, std::memory_order_relaxed);
}

std::size_t defaultRingBudget()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    const std::size_t memory
        = pages > 0 && pageSize > 0 ? std::size_t(pages) * std::size_t(pageSize) : 0;
    return std::clamp(memory / 64, std::size_t(32) << 20, std::size_t(256) << 20);
}

RingRegistry::RingRegistry()
    : m_budget(defaultRingBudget())
{ }

EventRing *RingRegistry::createRing(std::uint32_t thread, std::size_t wantedCapacity)
{
    std::size_t capacity = std::bit_ceil(std::max(wantedCapacity, kMinRingCapacity));
    {
        // Taken from the budget before the ring is made: making it touches every page, and
        // registering threads and the collector must not wait for that.
        const std::lock_guard lock(m_mutex);
        const std::size_t left = m_budget > m_committed ? m_budget - m_committed : 0;
        while (capacity > kMinRingCapacity && capacity * sizeof(Event) > left)
            capacity /= 2;
        m_committed += capacity * sizeof(Event);
    }
    auto ring = std::make_unique<EventRing>(capacity, thread);
    EventRing *raw = ring.get();
    const std::lock_guard lock(m_mutex);
    m_rings.push_back(std::move(ring));
    return raw;
}

void RingRegistry::setByteBudget(std::size_t bytes)
{
    const std::size_t budget = bytes > 0 ? bytes : defaultRingBudget();
    const std::lock_guard lock(m_mutex);
    m_budget = budget;
}

std::size_t RingRegistry::byteBudget() const
{
    const std::lock_guard lock(m_mutex);
    return m_budget;
}

void RingRegistry::setThreadName(std::uint32_t thread, const QString &name)
{
    const std::lock_guard lock(m_mutex);
    if (m_names.size() <= thread)
        m_names.resize(thread + 1);
    m_names[thread] = name;
}

QString RingRegistry::threadName(std::uint32_t thread) const
{
    {
        const std::lock_guard lock(m_mutex);
        if (thread < m_names.size() && !m_names[thread].isEmpty())
            return m_names[thread];
    }
    return QStringLiteral("thread %1").arg(thread);
}

std::vector<ThreadInfo> RingRegistry::threads() const
{
    const std::uint32_t count = m_nextThread.load(std::memory_order_relaxed);
    std::vector<ThreadInfo> result;
    result.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i)
        result.push_back({ i, threadName(i) });
    return result;
}

std::size_t RingRegistry::drainAll(std::vector<Event> &out, std::vector<std::size_t> *runEnds)
{
    {
        // Drain outside the lock so registering threads never wait on a drain;
        // the snapshot stays valid because only this consumer frees rings.
        const std::lock_guard lock(m_mutex);
        m_snapshot.clear();
        for (const auto &ring : m_rings)
            m_snapshot.push_back(ring.get());
    }
    std::size_t total = 0;
    bool anyExited = false;
    for (EventRing *ring : m_snapshot) {
        // Read the flag before draining: a ring seen exited and then empty is final.
        const bool exited = ring->ownerExited();
        const std::size_t n = ring->drain(out);
        if (n && runEnds)
            runEnds->push_back(out.size());
        total += n;
        anyExited |= exited;
    }
    if (anyExited) {
        const std::lock_guard lock(m_mutex);
        const auto dead = std::remove_if(m_rings.begin(), m_rings.end(), [this](const auto &ring) {
            if (!ring->ownerExited() || !ring->empty())
                return false;
            m_droppedByFreedRings += ring->dropped();
            m_committed -= ring->bytesHeld();
            return true;
        });
        m_rings.erase(dead, m_rings.end());
    }
    return total;
}

std::uint64_t RingRegistry::droppedEvents() const
{
    const std::lock_guard lock(m_mutex);
    std::uint64_t total = m_droppedByFreedRings;
    for (const auto &ring : m_rings)
        total += ring->dropped();
    return total;
}

std::size_t RingRegistry::bytesHeld() const
{
    const std::lock_guard lock(m_mutex);
    std::size_t total = 0;
    for (const auto &ring : m_rings)
        total += ring->bytesHeld();
    return total;
}

std::size_t RingRegistry::ringCount() const
{
    const std::lock_guard lock(m_mutex);
    return m_rings.size();
}

} // namespace loopscope::trace
