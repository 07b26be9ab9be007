#pragma once

#include "timelinespan.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace loopscope::viz {

// One row of the timeline. Spans in a lane never overlap (the model packs them),
// so begins and ends are both sorted and the visible slice is two binary searches.
// Each item carries what a zoomed-out frame needs (times, dominant state, the
// blocking summary), so painting thousands of small bars never touches the spans
// themselves. Items live in one contiguous vector (binary searches stay in cache)
// with a moving head: retention pops from the front and compacts now and then.
class TimelineLane
{
public:
    struct Item
    {
        Nanos begin;
        Nanos end; // 0 while the span is open
        std::uint32_t slot; // index into the model's span storage
        // Running count of spans with a blocking segment up to and including this
        // one: the per-lane summary that answers "any blocking in this run of
        // thousands?" in O(1) and finds each one by binary search.
        std::uint32_t blockingUpTo;
        SegmentKind dominant; // what the span spent most of its time doing

        Nanos endOr(Nanos now) const { return end ? end : std::max(now, begin); }
    };

    using Spans = std::vector<TimelineSpan>;

    std::size_t size() const { return m_items.size() - m_head; }
    bool empty() const { return size() == 0; }
    const Item &operator[](std::size_t i) const { return m_items[m_head + i]; }
    const Item &back() const { return m_items.back(); }

    void append(const TimelineSpan &span, std::uint32_t slot);
    // The span at slot gained its first blocking segment.
    void markBlocking(std::uint32_t slot);
    // The span at slot closed.
    void closeItem(std::uint32_t slot, Nanos end, SegmentKind dominant);
    // Removes the item of slot (a job moving to another group). Returns whether found.
    bool remove(std::uint32_t slot);

    // [first, last) of the items that intersect [t0, t1].
    std::pair<std::size_t, std::size_t> visible(Nanos t0, Nanos t1, Nanos now) const;
    // First index in [from, to) whose span ends at or after t.
    std::size_t firstEndingAtOrAfter(std::size_t from, std::size_t to, Nanos t, Nanos now) const;
    // First index in [from, to) whose span begins at or after t.
    std::size_t firstBeginningAtOrAfter(std::size_t from, std::size_t to, Nanos t) const;
    // Index of the span covering t (within tolerance), or size().
    std::size_t hit(Nanos t, Nanos tolerance, Nanos now) const;
    // Spans with a blocking segment among items [first, last).
    std::uint32_t blockingIn(std::size_t first, std::size_t last) const;
    bool isBlocking(std::size_t i) const { return blockingIn(i, i + 1) > 0; }
    // First index in [from, to) whose span has a blocking segment, or to.
    std::size_t nextBlocking(std::size_t from, std::size_t to) const;
    // Calls f(index) for every span with a blocking segment in [from, to), in
    // order, visiting only those (a zoomed-out frame marks each without a search).
    template <typename F> void forEachBlocking(std::size_t from, std::size_t to, F &&f) const
    {
        auto it = std::lower_bound(m_blockingIndex.begin(), m_blockingIndex.end(), m_head + from);
        for (; it != m_blockingIndex.end() && *it < m_head + to; ++it)
            f(*it - m_head);
    }

    // Drops closed spans that ended before horizon and spans still open that
    // began before it (their end was lost). Appends the freed slots.
    void dropBefore(Nanos horizon, std::vector<std::uint32_t> &freed);

private:
    std::uint32_t cumulativeBefore(std::size_t i) const
    {
        return i == 0 ? m_dropped : (*this)[i - 1].blockingUpTo;
    }
    Item &at(std::size_t i) { return m_items[m_head + i]; }
    using Iter = std::vector<Item>::const_iterator;
    Iter iter(std::size_t i) const { return m_items.begin() + std::ptrdiff_t(m_head + i); }
    std::size_t indexOf(std::uint32_t slot) const;
    void recount(std::size_t from);

    std::vector<Item> m_items; // [m_head, end) are live
    std::vector<std::uint8_t> m_blocking; // per item, to recount after an out-of-order insert
    std::size_t m_head = 0;
    std::vector<std::size_t> m_blockingIndex; // positions in m_items of blocking spans, sorted
    void rebuildBlockingIndex();
    // partition_point that probes from, from+1, from+3, from+7, ... first: a
    // painter's next target is usually a few items away, and touching nearby
    // memory beats a binary search across a lane that does not fit in cache.
    template <typename Pred> std::size_t gallop(std::size_t from, std::size_t to, Pred before) const
    {
        std::size_t lo = from;
        std::size_t step = 1;
        while (lo < to && before((*this)[lo])) {
            const std::size_t next = lo + step;
            if (next >= to || !before((*this)[next])) {
                const auto it
                    = std::partition_point(iter(lo + 1), iter(std::min(next, to)), before);
                return std::size_t(it - iter(0));
            }
            lo = next + 1;
            step *= 2;
        }
        return lo;
    }
    std::uint32_t m_dropped = 0; // blockingUpTo of the last item popped, keeps counts absolute
};

} // namespace loopscope::viz
