#pragma once

#include "trace.h"

namespace loopscope::trace {

// The kernel stamps received bytes on CLOCK_REALTIME (SO_TIMESTAMPNS); every trace event is on
// the steady clock (nowNs, CLOCK_MONOTONIC). Their difference is sampled once, at the first call
// (the server's listener makes it at start), so one received packet costs an addition.
// A step of the realtime clock after that (a manual date change; NTP slews, it does not step)
// shifts the mapped times by the step: the request timing rule then drops them as implausible.
Nanos realtimeOffsetNs() noexcept;

// A CLOCK_REALTIME time in nanoseconds, on the trace clock.
inline Nanos fromRealtime(Nanos realtimeNs) noexcept
{
    return realtimeNs - realtimeOffsetNs();
}

} // namespace loopscope::trace
