#pragma once

#include <QtGlobal>

namespace loopscope::testing {

// Resident set size of a process in KiB (VmRSS of /proc/PID/status); -1 when unknown.
qint64 rssKb(qint64 pid);
// User plus system CPU time a process has used, in seconds; -1 when unknown.
double cpuSeconds(qint64 pid);

// Whether an upper bound on RSS growth measures the code under test. Under a sanitizer it does
// not: AddressSanitizer keeps freed memory in quarantine (256 MB by default) and both add shadow
// memory for what is touched, so such a test still runs its scenario there but asserts the
// bound only in ordinary builds.
constexpr bool rssBoundsHold()
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    return false;
#else
    return true;
#endif
#else
    return true;
#endif
}

} // namespace loopscope::testing
