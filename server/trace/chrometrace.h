#pragma once

#include "trace.h"

#include <QtCore/QByteArray>

#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace loopscope::trace {

// Chrome Trace Event JSON ("JSON object format") of a batch of events, as
// Perfetto and chrome://tracing open it. Timestamps are microseconds since the session's origin
// (sessionOrigin()), so an event the timeline shows at 48.2 s is at 48.2 s in Perfetto whichever
// events the window still retains; otherData says so. Lanes (tids) are the
// trace's dense thread indices, named by thread_name metadata. Mapping:
//  - requests and tasks: nestable async slices (b/e, id = span) with one nested
//    slice per await; tasks carry their parent span in args;
//  - loop-thread runs of a request/task between awaits, blocking calls and job
//    executions: complete (X) slices on the lane of the thread that ran them;
//  - a flow (s/f, id = job span) from the run that queued a job to its execution;
//  - counters (C): in-flight requests, loop lag; stalls: X on the watchdog lane.
QByteArray chromeTraceJson(std::span<const Event> events);

// The same JSON in slices, for a streamed export: each next() appends whole events until the
// slice holds `bytes` (or the text ends), so the text never exists whole. The first call reads
// the source: it indexes the spans and keeps only the events of the loop-wide pass (counters,
// stalls), so the events are never held whole either. Not thread-safe, but the calls may run one
// after the other on different threads.
class ChromeTraceWriter
{
public:
    // Fills `page` (empty on entry) with the next events in time order; false when there are
    // no more. Lets the writer index a large window page by page instead of copying it whole.
    using Source = std::function<bool(std::vector<Event> &page)>;

    explicit ChromeTraceWriter(std::vector<Event> events);
    explicit ChromeTraceWriter(Source source);
    ~ChromeTraceWriter();
    ChromeTraceWriter(const ChromeTraceWriter &) = delete;
    ChromeTraceWriter &operator=(const ChromeTraceWriter &) = delete;

    QByteArray next(qsizetype bytes); // empty once everything was given
    bool atEnd() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace loopscope::trace
