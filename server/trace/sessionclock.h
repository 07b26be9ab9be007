#pragma once

#include "trace.h"

#include <QtCore/QString>

namespace loopscope::trace {

// The one time origin of a session. The timeline's axis, the live charts, the log, the
// inspector, the runs table and the exported trace all count seconds from it, so one instant
// reads the same everywhere. It is a time on the trace clock (nowNs()), sampled once as the
// process starts, before any server or window exists: every event of the process comes after.
Nanos sessionOrigin() noexcept;

// Seconds from sessionOrigin() to a trace-clock time.
double sessionSeconds(Nanos time) noexcept;
// The inverse, for a time a view shows in session seconds (a chart's x value).
Nanos fromSessionSeconds(double seconds) noexcept;

// "48.213 s": how every view writes a session time.
QString formatSessionTime(Nanos time);

} // namespace loopscope::trace
