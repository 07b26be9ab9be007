#pragma once

#include "trace.h"

#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

namespace loopscope::trace {

// A bounded mailbox the hub fills after every collection and a consumer (the
// GUI, once per frame) empties. When the consumer falls behind, the newest
// events are dropped and counted; the collector never waits for it.
class Subscription
{
public:
    explicit Subscription(std::size_t capacity);

    // Replaces the contents of out with everything pending, oldest first. Swaps
    // buffers, so a consumer reusing one vector allocates nothing in steady state.
    std::size_t drain(std::vector<Event> &out);

    std::size_t capacity() const noexcept { return m_capacity; }
    std::uint64_t dropped() const;

    // Hub side. Returns how many events did not fit.
    std::size_t push(std::span<const Event> events);

private:
    const std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::vector<Event> m_pending;
    std::uint64_t m_dropped = 0;
};

} // namespace loopscope::trace
