#pragma once

#include "trace.h"

#include <cstdint>
#include <span>
#include <vector>

namespace loopscope::trace {

struct SpanRecord;

// Why the loop stopped answering: one annotated blocking call, or work of the loop's own
// (parsing a burst of arrivals, a long slot) with no blocking call inside.
enum class StallCause : std::uint8_t
{
    BlockingCall,
    LoopBusy
};

// Where a victim spent the time a stall cost it.
enum class WaitPlace : std::uint8_t
{
    Socket, // sent by the client but not yet read: needs the client's send time (LoopSpan::sent)
    Queued, // read, waiting for the loop to start its handler
    Awaiting // started and not the one running: its resume came late because the loop was stuck
};

QLatin1StringView stallCauseName(StallCause cause) noexcept;
QLatin1StringView waitPlaceName(WaitPlace place) noexcept;

struct TimeInterval
{
    Nanos begin = 0;
    Nanos end = 0; // 0 = still open
    std::uint32_t label = 0;
};

// What the attribution needs to know of one span that runs on the loop (a request or a
// background task). Times on the trace clock; 0 = not known / not happened. Awaits need no
// list: one coroutine runs on the loop at a time, so while another span's call blocks it, a
// started span can only be suspended, annotated or not.
struct LoopSpan
{
    std::uint64_t span = 0;
    Nanos sent = 0; // when its client sent it; 0 = unknown, so no socket wait is counted
    Nanos accepted = 0; // read by the server
    Nanos started = 0; // handler started; 0 = still queued
    Nanos end = 0; // 0 = still open
    std::vector<TimeInterval> blocking; // only the calls made on the loop thread

    static LoopSpan fromRecord(const SpanRecord &record);
};

struct StallVictim
{
    std::uint64_t span = 0;
    Nanos waited = 0;
    WaitPlace where = WaitPlace::Queued;
};

struct AttributedStall
{
    Nanos begin = 0;
    Nanos end = 0; // "now" for a stall still under way (see open)
    bool open = false;
    StallCause cause = StallCause::BlockingCall;
    std::uint64_t culprit = 0; // the span in the blocking call; 0 for LoopBusy
    std::uint32_t label = 0; // the blocking call's label
    int arrivals = 0; // spans the server read during it
    std::vector<StallVictim> victims;

    Nanos waited() const;
};

// The loop-stall interval as the watchdog saw it (LoopStallBegin/End); end 0 = still open.
struct WatchedStall
{
    Nanos begin = 0;
    Nanos end = 0;
};

// The watchdog's stalls in a stream of events (a begin without its end is still open; an end
// whose begin was dropped still tells where it began).
std::vector<WatchedStall> watchedStalls(std::span<const Event> events);

// Turns the loop's spans and the watchdog's stalls into stalls with a cause and victims. The
// one rule for the server's /_scope/stalls and the timeline:
// - every blocking call on the loop is a stall of its own, blamed on its span; consecutive
//   calls stay consecutive stalls, never one merged stall (a call shorter than the watchdog's
//   threshold counts only inside a stall the watchdog saw);
// - what the watchdog saw beyond the blocking calls is "loop busy" (no one is blamed), kept
//   when it is at least as long as the watchdog's own stall threshold;
// - a stall's victims are every other span in flight during it (in the socket, queued or
//   suspended), each charged with the part of its wait the stall covered, so a victim hit by
//   several consecutive calls is charged by each of them. A busy loop blames no one, so every
//   span in flight then is its victim.
// Pure: no clock, no sockets; `now` closes whatever is still open.
class StallAttribution
{
public:
    // The watchdog's default threshold: the shortest stretch called a stall.
    static constexpr Nanos kDefaultMinBusy = 5'000'000;

    explicit StallAttribution(Nanos minBusy = kDefaultMinBusy)
        : m_minBusy(minBusy)
    { }

    // Blocking calls whose end falls in (from, to] are taken (to = 0: no upper bound), so
    // that stall windows attributed one after the other never take a call twice.
    std::vector<AttributedStall> attribute(std::span<const LoopSpan> spans,
        std::span<const WatchedStall> watched, Nanos now, Nanos from = 0, Nanos to = 0) const;

private:
    void chargeVictims(std::span<const LoopSpan> spans, AttributedStall &stall, Nanos now) const;

    Nanos m_minBusy;
};

} // namespace loopscope::trace
