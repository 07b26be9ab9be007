#pragma once

#include "eventdecoder.h"
#include "timemapping.h"

#include <QtCore/QByteArray>
#include <QtCore/QVarLengthArray>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

namespace loopscope::viz {

// Where work runs; the view shows one group of lanes per value, in this order.
enum class LaneGroup : std::uint8_t
{
    Loop,
    Pool,
    Database,
    Tasks
};
inline constexpr int kLaneGroupCount = 4;

using trace::SpanKind;
using trace::SpanOutcome;

// What a span is doing over a stretch of time. Blocking is the one the whole app
// is about: the loop thread is frozen inside a synchronous call. Unread comes first in a
// request's life: its client sent it, the server has not read it yet (it waits in the socket,
// typically because the loop is blocked).
enum class SegmentKind : std::uint8_t
{
    Unread,
    Queued,
    Running,
    Awaiting,
    Blocking
};
inline constexpr int kSegmentKindCount = 5;

// What a request's first moment is known from: when its client sent it (X-Loopscope-Sent),
// when its bytes reached the machine (the kernel's receive time), or neither (an old trace,
// a client and server that say nothing, lost events): then how long it waited before the
// server read it is unknown, and the bar starts at the read.
enum class IssuedBy : std::uint8_t
{
    Unknown,
    Client,
    Kernel
};

struct Segment
{
    Nanos begin = 0;
    Nanos end = 0; // 0 while the segment is still open
    std::uint32_t label = 0; // trace label of the await / blocking call
    SegmentKind kind = SegmentKind::Running;
};

// The delay a span suffered because the loop stalled while it was in flight (in the socket,
// queued or suspended), summed over the stalls that hit it; the culprit and stall are those of
// the longest one. Each stall keeps its own charges (LoopStall::charges) for the details.
struct Collateral
{
    Nanos delay = 0;
    Nanos worst = 0; // the longest single stall among them
    std::uint64_t culprit = 0;
    std::uint64_t stall = 0; // LoopStall::id
    int stalls = 0; // how many stalls charged it
    explicit operator bool() const { return delay > 0; }
};

// One request, background task or pool/database job as the timeline shows it.
// A request id as the trace carries it (at most trace::Event::kRequestIdCapacity bytes), kept
// in the span rather than allocated for each.
class RequestIdText
{
public:
    RequestIdText() = default;
    void assign(QByteArrayView id)
    {
        m_size = std::uint8_t(std::min<qsizetype>(id.size(), qsizetype(sizeof m_text)));
        std::copy_n(id.data(), m_size, m_text);
    }
    QByteArrayView view() const { return { m_text, qsizetype(m_size) }; }
    bool isEmpty() const { return m_size == 0; }
    bool startsWith(QByteArrayView prefix) const { return view().startsWith(prefix); }
    QByteArray toByteArray() const { return view().toByteArray(); }
    friend bool operator==(const RequestIdText &a, QByteArrayView b) { return a.view() == b; }
    friend bool operator==(const RequestIdText &a, const RequestIdText &b)
    {
        return a.view() == b.view();
    }

private:
    char m_text[trace::Event::kRequestIdCapacity] {};
    std::uint8_t m_size = 0;
};

struct TimelineSpan
{
    std::uint64_t id = 0;
    std::uint64_t parent = 0; // task: spawning request; job: awaiting span
    RequestIdText requestId; // X-Request-Id when the client sent one
    Nanos begin = 0; // where the bar starts: a request's issued time when known, else accepted
    Nanos accepted = 0; // accepted / spawned / queued: when the server took it on
    Nanos parsed = 0;
    Nanos started = 0; // handler started / job started on its worker
    Nanos written = 0;
    Nanos end = 0; // closed / finished; 0 while open
    std::int64_t bytes = 0;
    std::uint32_t label = 0; // route, task name or job label
    std::uint32_t thread = 0; // where it began
    std::uint32_t workerThread = 0; // job: the thread that ran it
    int status = 0;
    std::optional<HandlerVariant> variant; // requests: from the route, when known
    SpanKind kind = SpanKind::Request;
    LaneGroup group = LaneGroup::Loop;
    SpanOutcome outcome = SpanOutcome::Open;
    IssuedBy issuedBy = IssuedBy::Unknown; // requests: what `begin` is, when before `accepted`
    std::uint16_t openAwaits = 0;
    std::int32_t lane = -1;
    std::uint64_t arrival = 0; // requests: arrival number, for list facades
    Collateral collateral;
    // Time-ordered. A request has about four (queued, running, awaiting, running): kept in the
    // span, a recording's million spans need no allocation each.
    QVarLengthArray<Segment, 4> segments;

    bool isOpen() const { return end == 0; }
    // Requests: when its client sent it (or its bytes arrived), no later than its read; 0 =
    // unknown. What the stall attribution takes as the start of its wait in the socket.
    Nanos issued() const { return issuedBy == IssuedBy::Unknown ? 0 : begin; }
    // Where the bar ends when drawn: its close, or now while it is open.
    Nanos endOr(Nanos now) const { return end ? end : std::max(now, begin); }
    bool hasBlocking() const;
    // The segment the span was in at `instant` (the last one stays open until the span ends),
    // or none before its first segment or after its end.
    const Segment *segmentAt(Nanos instant) const;
};

} // namespace loopscope::viz
