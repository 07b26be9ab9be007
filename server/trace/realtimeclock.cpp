#include "realtimeclock.h"

#include <time.h>

namespace loopscope::trace {

namespace {

Nanos realtimeNs() noexcept
{
    timespec now {};
    clock_gettime(CLOCK_REALTIME, &now);
    return Nanos(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// The realtime reading is bracketed by two steady ones and taken at their middle; of a few
// tries the narrowest bracket wins, so a preemption between the reads does not skew it.
Nanos sampleOffset() noexcept
{
    Nanos best = 0;
    Nanos narrowest = -1;
    for (int attempt = 0; attempt < 5; ++attempt) {
        const Nanos before = nowNs();
        const Nanos realtime = realtimeNs();
        const Nanos after = nowNs();
        if (narrowest < 0 || after - before < narrowest) {
            narrowest = after - before;
            best = realtime - (before + (after - before) / 2);
        }
    }
    return best;
}

} // namespace

Nanos realtimeOffsetNs() noexcept
{
    static const Nanos offset = sampleOffset();
    return offset;
}

} // namespace loopscope::trace
