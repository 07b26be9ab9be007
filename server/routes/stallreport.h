#pragma once

#include "trace/trace.h"

#include <QtCore/QJsonObject>

#include <span>

namespace loopscope {

// GET /_scope/stalls: every stall in `events` (the retained window) with its cause, its culprit
// and the wait it cost each victim, attributed by trace::StallAttribution (the timeline's rule).
// {"stalls": [{"start_ns", "end_ns", "open", "cause", "culprit": {"request_id", "span", "route",
// "variant", "label"} | null, "arrivals", "victims": [{"request_id", "span", "waited_ns",
// "where"}]}]}, times on the trace clock.
QJsonObject stallReport(std::span<const trace::Event> events, trace::Nanos now);

} // namespace loopscope
