#include "openfilelimit.h"

#include <algorithm>
#include <sys/resource.h>

namespace loopscope::http {

long raiseOpenFileLimit(long wanted)
{
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return wanted; // unknown: assume the best, the accept-error recovery still holds
    const rlim_t target = limit.rlim_max == RLIM_INFINITY
        ? rlim_t(wanted)
        : std::min(rlim_t(wanted), limit.rlim_max);
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
        limit.rlim_cur = target;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur == RLIM_INFINITY ? wanted : long(limit.rlim_cur);
}

} // namespace loopscope::http
