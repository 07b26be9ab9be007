#pragma once

#include "stallattribution.h"
#include "timemapping.h"

#include <cstdint>
#include <vector>

namespace loopscope::viz {

// A stretch during which the server loop answered no heartbeat, and what it cost. While the
// watchdog still sees it, one open stall; once it ends, trace::StallAttribution cuts it into
// one stall per blocking call (blamed on its span) and "loop busy" stretches (blamed on no one),
// each with the waiting it imposed on every other span in flight.
struct LoopStall
{
    std::uint64_t id = 0;
    Nanos begin = 0;
    Nanos end = 0; // 0 while the loop is still stalled
    bool attributed = false; // false while the watchdog still reports it open
    trace::StallCause cause = trace::StallCause::LoopBusy;
    std::uint64_t culprit = 0; // the span in the blocking call; 0 for a busy loop
    std::uint32_t culpritLabel = 0; // the blocking call
    int arrivals = 0; // requests the server read during it
    Nanos collateralTotal = 0; // sum of the delay of every victim
    Nanos socketTotal = 0; // the part of it spent unread in a socket
    int victims = 0;
    // The watchdog's stall this one was cut from. Cut again when a request read later turns
    // out to have waited in its socket during it: its victims only become known then.
    std::uint64_t watchedId = 0;
    trace::WatchedStall watched;
    std::vector<trace::StallVictim> charges; // what each victim waited, and where

    bool blamesCall() const { return attributed && cause == trace::StallCause::BlockingCall; }

    bool isOpen() const { return end == 0; }
};

struct LagSample
{
    Nanos time = 0;
    Nanos lag = 0;
};

// A server stopping or starting (a restart is both, its tasks' grace between): drawn across every
// lane, so tasks cut short line up with the deploy that cut them.
struct ServerMark
{
    Nanos time = 0;
    bool starts = false; // false: stopping
};

} // namespace loopscope::viz
