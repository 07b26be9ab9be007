#pragma once

// What each trace event means, in one place: the span kind it is about, the step it is in that
// span's life, and what its fields hold. SpanIndex, the timeline and the exporters read events
// through decode() and switch over its Step with no `default`, so a new Kind reaches them by
// the compiler's list of unhandled cases, starting with the switch in decode() itself.

#include "handlervariant.h"
#include "trace.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace loopscope::trace {

enum class SpanKind : std::uint8_t
{
    Unknown, // no event that tells was seen (for a decoded event: any kind, or no span at all)
    Request,
    Task,
    Job
};

enum class SpanOutcome : std::uint8_t
{
    Open,
    Done,
    Failed,
    Cancelled
};

enum class Step : std::uint8_t
{
    Open, // the span begins: a request accepted, a task spawned, a job queued
    Parse, // a request's route is known: Event::label, DecodedEvent::variant
    RequestId, // Event::requestIdView()
    Arrive, // when a request was sent and reached the machine: sentTime(), arrivedTime()
    StartHandler, // a request's handler began
    StartOnWorker, // a job began on its worker thread (Event::thread)
    Suspend, // an await began (Event::label)
    Resume, // an await ended (Event::label, 0 = the latest one)
    BlockBegin, // a blocking call began on Event::thread (Event::label)
    BlockEnd, // it ended (Event::label, 0 = the latest one)
    Respond, // a response was written: status(), bytes()
    Close, // the span ended with DecodedEvent::outcome
    // Loop-wide, about no span of their own:
    StallBegin, // the watchdog saw a stall start: stallId(), stallStart()
    StallEnd, // stallId(), stallDuration()
    Lag, // a heartbeat's lag sample: lag()
    ServerStop, // a server began to stop or restart
    ServerStart, // a server listens
};

struct DecodedEvent
{
    Step step = Step::Open;
    // What its span is; Unknown when the event could be any span's (awaits, blocking calls) or
    // is loop-wide.
    SpanKind span = SpanKind::Unknown;
    SpanOutcome outcome = SpanOutcome::Open; // Close: how it ended
    std::optional<HandlerVariant> variant; // Parse: how the route runs, when the code is known
};

// The meaning of an event of this kind; value is the event's, the only field a kind's meaning
// reads (a route's variant).
DecodedEvent decode(Kind kind, std::int64_t value = 0) noexcept;
inline DecodedEvent decode(const Event &e) noexcept
{
    return decode(e.kind, e.value);
}

// What a server's stop or start is called wherever it is shown (the timeline's marks, the
// export's instants, which the import reads back): "server stopping", "server started"; empty
// for any other step.
std::string_view serverMarkName(Step step) noexcept;

// Whether events of this step concern the whole loop rather than a span (Event::span is then
// the stall id, or nothing).
bool isLoopWide(Step step) noexcept;

// Which fields of an event of this step are trace-clock times or span ids (a recording moved
// to another origin shifts the times and keeps the ids).
bool valueIsTime(Step step) noexcept;
bool linkIsTime(Step step) noexcept;
bool linkIsSpan(const DecodedEvent &d) noexcept;

// --- the fields, by step ------------------------------------------------------

// Open of a task or job: the request or task it belongs to.
inline std::uint64_t parentSpan(const Event &e) noexcept
{
    return e.link;
}
// Open of a request: its connection's id.
inline std::int64_t connectionId(const Event &e) noexcept
{
    return e.value;
}
// Arrive: when its client sent it / its first byte reached this machine; 0 = unknown.
inline Nanos sentTime(const Event &e) noexcept
{
    return Nanos(e.link);
}
inline Nanos arrivedTime(const Event &e) noexcept
{
    return e.value;
}
// Respond, and Close of a request: the status (0 on a close = none was sent).
inline int status(const Event &e) noexcept
{
    return int(e.value);
}
// Respond: the bytes written.
inline std::int64_t bytes(const Event &e) noexcept
{
    return std::int64_t(e.link);
}
inline std::uint64_t stallId(const Event &e) noexcept
{
    return e.span;
}
// StallBegin: when the loop stopped turning (the event is recorded later, when the watchdog
// notices); the event's own time when not said.
inline Nanos stallStart(const Event &e) noexcept
{
    return e.value > 0 ? Nanos(e.value) : e.time;
}
// StallEnd: how long the loop stood still.
inline Nanos stallDuration(const Event &e) noexcept
{
    return e.value;
}
// Lag: how late the heartbeat ran.
inline Nanos lag(const Event &e) noexcept
{
    return e.value;
}

} // namespace loopscope::trace
