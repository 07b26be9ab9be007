#pragma once

#include "trace/trace.h"

#include <QByteArrayView>

namespace loopscope::http {

// The header in which a client on this machine says when it sent a request: CLOCK_MONOTONIC
// nanoseconds in decimal, the clock of the server's trace (the built-in load generator sends
// it). Lower-cased, as the parser keeps header names.
inline constexpr QByteArrayView kSentHeader = "x-loopscope-sent";

// What is known of a request before the server read it, on the trace clock; 0 = not known.
struct ClientTimes
{
    trace::Nanos sent = 0; // the client's word (kSentHeader)
    trace::Nanos arrived = 0; // the kernel's receive stamp of its first byte

    bool known() const { return sent != 0 || arrived != 0; }
};

// The one rule for believing either: a time is taken only when it lies in the minute before
// the server read the request (`readAt`), and the client's also no later than the kernel's
// arrival (with 1 ms for the realtime clock's mapping). Anything else is dropped, not clamped:
// a remote client's monotonic clock, a garbled or hostile value, a realtime clock that stepped
// since start. The header must be a plain positive decimal.
ClientTimes plausibleClientTimes(
    QByteArrayView sentHeader, trace::Nanos arrived, trace::Nanos readAt) noexcept;

} // namespace loopscope::http
