#pragma once

#include "timemapping.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace loopscope::viz {

// Gantt packing for one lane group: which lane a span may go in, the lowest whose last span
// ended at or before the span begins. A span's begin can move back after it was placed (a
// request learns when its client sent it only after the server read it), so "the lane is free
// now" is not enough: each lane keeps the time it became free, and a min-tree over those times
// finds the lowest fitting lane in O(log lanes) however far back the begin lies.
class LaneAllocator
{
public:
    static constexpr Nanos kBusy = std::numeric_limits<Nanos>::max(); // a span is open in it
    static constexpr Nanos kEmpty = std::numeric_limits<Nanos>::min(); // nothing in it

    int size() const { return m_size; }
    // The lowest lane free at or before `begin`, or -1 when every lane is taken then.
    int lowestFreeAt(Nanos begin) const;
    // Appends a lane; returns its index.
    int add(Nanos freeSince);
    void setFreeSince(int lane, Nanos freeSince);
    Nanos freeSince(int lane) const { return m_tree[std::size_t(m_capacity) + std::size_t(lane)]; }
    // Keeps the first `lanes` lanes.
    void truncate(int lanes);

private:
    void grow();

    int m_size = 0;
    int m_capacity = 0; // leaves, a power of two; leaves past m_size hold kBusy
    std::vector<Nanos> m_tree; // 1-based heap layout: node n has children 2n and 2n+1
};

} // namespace loopscope::viz
