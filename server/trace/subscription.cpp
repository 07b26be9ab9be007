#include "subscription.h"

#include <algorithm>

namespace loopscope::trace {

Subscription::Subscription(std::size_t capacity)
    : m_capacity(capacity)
{ }

std::size_t Subscription::drain(std::vector<Event> &out)
{
    out.clear();
    const std::lock_guard lock(m_mutex);
    std::swap(out, m_pending);
    return out.size();
}

std::uint64_t Subscription::dropped() const
{
    const std::lock_guard lock(m_mutex);
    return m_dropped;
}

std::size_t Subscription::push(std::span<const Event> events)
{
    const std::lock_guard lock(m_mutex);
    const std::size_t room = m_capacity - std::min(m_capacity, m_pending.size());
    const std::size_t taken = std::min(room, events.size());
    m_pending.insert(m_pending.end(), events.begin(), events.begin() + taken);
    const std::size_t lost = events.size() - taken;
    m_dropped += lost;
    return lost;
}

} // namespace loopscope::trace
