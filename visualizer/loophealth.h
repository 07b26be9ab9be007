#pragma once

#include "timemapping.h"

#include <cstdint>

namespace loopscope::viz {

// A stretch during which the server loop answered no heartbeat, and what it cost:
// which span caused it and how much waiting it imposed on every other span that
// was in flight at the time.
struct LoopStall
{
    std::uint64_t id = 0;
    Nanos begin = 0;
    Nanos end = 0; // 0 while the loop is still stalled
    std::uint64_t culprit = 0; // 0 = unknown (nothing annotated ran then)
    std::uint32_t culpritLabel = 0; // the blocking call, when one was annotated
    bool culpritBlocking = false; // culprit was inside an annotated blocking call
    Nanos collateralTotal = 0; // sum of the delay of every victim
    int victims = 0;

    bool isOpen() const { return end == 0; }
};

struct LagSample
{
    Nanos time = 0;
    Nanos lag = 0;
};

} // namespace loopscope::viz
