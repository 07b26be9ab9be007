#pragma once

#include "timelinespan.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace loopscope::viz {

// One row of the timeline. Spans in a lane never overlap (the model packs them),
// so begins and ends are both sorted and the visible slice is two binary searches.
// Items live in a deque: retention pops from the front without moving the rest.
class TimelineLane
{
public:
    struct Item
    {
        Nanos begin;
        std::uint32_t slot; // index into the model's span storage
        // Running count of spans with a blocking segment up to and including this
        // one: the per-lane summary that lets a folded box of thousands of spans
        // say "contains blocking" in O(1).
        std::uint32_t blockingUpTo;
    };

    using Spans = std::vector<TimelineSpan>;

    std::size_t size() const { return m_items.size(); }
    bool empty() const { return m_items.empty(); }
    const Item &operator[](std::size_t i) const { return m_items[i]; }
    const Item &back() const { return m_items.back(); }

    void append(const Spans &spans, std::uint32_t slot);
    // The span at slot gained its first blocking segment.
    void markBlocking(const Spans &spans, std::uint32_t slot);
    // Removes the item of slot (a job moving to another group). Returns whether found.
    bool remove(const Spans &spans, std::uint32_t slot);

    // [first, last) of the items that intersect [t0, t1].
    std::pair<std::size_t, std::size_t> visible(const Spans &spans, Nanos t0, Nanos t1, Nanos now) const;
    // First index in [from, to) whose span ends at or after t.
    std::size_t firstEndingAtOrAfter(const Spans &spans, std::size_t from, std::size_t to, Nanos t,
                                     Nanos now) const;
    // Index of the span covering t (within tolerance), or size().
    std::size_t hit(const Spans &spans, Nanos t, Nanos tolerance, Nanos now) const;
    // Spans with a blocking segment among items [first, last).
    std::uint32_t blockingIn(std::size_t first, std::size_t last) const;
    // First index in [from, to) whose span has a blocking segment, or to.
    std::size_t nextBlocking(std::size_t from, std::size_t to) const;

    // Drops closed spans that ended before horizon and spans still open that
    // began before it (their end was lost). Appends the freed slots.
    void dropBefore(const Spans &spans, Nanos horizon, std::vector<std::uint32_t> &freed);

    // The lane can take a new span starting at t.
    bool isFreeAt(const Spans &spans, Nanos t) const;

private:
    std::uint32_t cumulativeBefore(std::size_t i) const { return i == 0 ? m_dropped : m_items[i - 1].blockingUpTo; }
    void recount(const Spans &spans, std::size_t from);

    std::deque<Item> m_items;
    std::uint32_t m_dropped = 0; // blockingUpTo of the last item popped, keeps counts absolute
};

} // namespace loopscope::viz
