#pragma once

#include "trace.h"

#include <QtCore/QByteArray>

#include <span>

namespace loopscope::trace {

// Chrome Trace Event JSON ("JSON object format") of a batch of events, as
// Perfetto and chrome://tracing open it. Timestamps are microseconds relative to
// the earliest event. Lanes (tids) are the trace's dense thread indices, named by
// thread_name metadata. Mapping:
//  - requests and tasks: nestable async slices (b/e, id = span) with one nested
//    slice per await; tasks carry their parent span in args;
//  - loop-thread runs of a request/task between awaits, blocking calls and job
//    executions: complete (X) slices on the lane of the thread that ran them;
//  - a flow (s/f, id = job span) from the run that queued a job to its execution;
//  - counters (C): in-flight requests, loop lag; stalls: X on the watchdog lane.
QByteArray chromeTraceJson(std::span<const Event> events);

} // namespace loopscope::trace
