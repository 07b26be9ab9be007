#pragma once

#include <QtGlobal>

namespace loopscope::testing {

// Resident set size of a process in KiB (VmRSS of /proc/PID/status); -1 when unknown.
qint64 rssKb(qint64 pid);

} // namespace loopscope::testing
