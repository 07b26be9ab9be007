#pragma once

#include "eventdecoder.h"
#include "trace.h"

#include <QtCore/QByteArray>

#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace loopscope::trace {

struct AwaitRecord
{
    std::uint32_t label = 0;
    Nanos suspend = 0;
    Nanos resume = 0; // 0 while still suspended
};

struct BlockingRecord
{
    std::uint32_t label = 0;
    Nanos begin = 0;
    Nanos end = 0; // 0 while still blocking
    std::uint32_t thread = 0;
};

// Everything known about one span, gathered from its events. Times are nowNs()
// values, 0 = not seen (yet). Requests fill accepted..closed; a task uses
// accepted = spawned and closed = finished/failed/cancelled; a job uses
// accepted = queued, started = started on its worker, closed = finished.
struct SpanRecord
{
    std::uint64_t span = 0;
    SpanKind kind = SpanKind::Unknown;
    SpanOutcome outcome = SpanOutcome::Open;
    std::uint32_t label = 0; // route label, task name or job label
    QByteArray requestId;
    int status = 0;
    std::int64_t bytes = 0;
    std::int64_t connection = 0;
    std::optional<HandlerVariant> variant; // request: from its route, when known
    std::uint64_t parent = 0; // task: spawning request; job: awaiting request/task
    std::uint32_t thread = 0; // where the span began (the loop thread for requests)
    std::uint32_t workerThread = 0; // job: the thread that ran it

    Nanos sent = 0; // request: when its client sent it (X-Loopscope-Sent), 0 = not said
    Nanos arrived = 0; // request: when its first byte reached this machine, 0 = not known
    Nanos accepted = 0;
    Nanos parsed = 0;
    Nanos started = 0;
    Nanos written = 0;
    Nanos closed = 0;

    std::vector<AwaitRecord> awaits;
    std::vector<BlockingRecord> blocking;

    Nanos begin() const { return accepted ? accepted : started; }
    // Since when the request existed outside the server's reach: its client's send time, else
    // its bytes' arrival, else 0 (unknown; the wait in the socket can't be told).
    Nanos issued() const { return sent ? sent : arrived; }
    Nanos end() const; // closed, else the latest time seen, else 0
};

// Groups drained batches by span. Incremental: the GUI feeds it each frame's
// batch; exporters feed it a whole retained window.
class SpanIndex
{
public:
    void add(std::span<const Event> events);
    void clear();
    // Forgets spans that closed before horizon (keeps a live view's memory
    // bounded the way the hub's retention bounds its window). Returns how many.
    std::size_t pruneClosedBefore(Nanos horizon);

    const SpanRecord *find(std::uint64_t span) const;
    const std::vector<SpanRecord> &records() const { return m_records; } // by first sight
    std::size_t size() const { return m_records.size(); }

private:
    SpanRecord &recordFor(const Event &e);

    std::vector<SpanRecord> m_records;
    std::unordered_map<std::uint64_t, std::size_t> m_bySpan;
};

} // namespace loopscope::trace
