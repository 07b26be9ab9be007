#pragma once

// Evidence from the trace that does not depend on how fast the machine is: which spans overlapped,
// rather than how long a run took. For suites that link the trace library.
#include "trace/spanindex.h"
#include "trace/tracehub.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace loopscope::testing {

using Interval = std::pair<trace::Nanos, trace::Nanos>; // [begin, end)

// The most intervals open at one instant. Two that merely touch (one ends as the next begins)
// do not overlap.
inline int maxOverlap(std::vector<Interval> intervals)
{
    std::vector<std::pair<trace::Nanos, int>> edges;
    for (const Interval &interval : intervals) {
        edges.emplace_back(interval.first, +1);
        edges.emplace_back(interval.second, -1);
    }
    std::sort(edges.begin(), edges.end()); // at equal times the end (-1) sorts first
    int open = 0;
    int most = 0;
    for (const auto &edge : edges)
        most = std::max(most, open += edge.second);
    return most;
}

// The awaits of a span, as intervals, leaving out those labelled `except` (0: none).
inline std::vector<Interval> awaitIntervals(const trace::SpanRecord &span, std::uint32_t except = 0)
{
    std::vector<Interval> intervals;
    for (const trace::AwaitRecord &await : span.awaits) {
        if (await.label != except && await.resume != 0)
            intervals.emplace_back(await.suspend, await.resume);
    }
    return intervals;
}

// Everything the hub retains now, grouped by span.
inline trace::SpanIndex retainedSpans()
{
    trace::TraceHub::instance().flush();
    trace::SpanIndex index;
    index.add(trace::TraceHub::instance().retained());
    return index;
}

// Request spans of one route (its label, e.g. "GET /dashboard") that began at or after `since`.
inline std::vector<const trace::SpanRecord *> requestSpansSince(
    const trace::SpanIndex &index, const QString &route, trace::Nanos since)
{
    std::vector<const trace::SpanRecord *> spans;
    for (const trace::SpanRecord &record : index.records()) {
        if (record.kind == trace::SpanKind::Request && record.begin() >= since
            && trace::labelText(record.label) == route)
            spans.push_back(&record);
    }
    return spans;
}

// Jobs with one label (e.g. "db.fetchrow items") that started on their worker at or after
// `since`, as the intervals they ran.
inline std::vector<Interval> jobIntervalsSince(
    const trace::SpanIndex &index, const QString &label, trace::Nanos since)
{
    std::vector<Interval> intervals;
    for (const trace::SpanRecord &record : index.records()) {
        if (record.kind == trace::SpanKind::Job && record.started >= since && record.closed != 0
            && trace::labelText(record.label) == label)
            intervals.emplace_back(record.started, record.closed);
    }
    return intervals;
}

} // namespace loopscope::testing
