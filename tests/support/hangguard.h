#pragma once

#include <QtGlobal>

#include <chrono>

namespace loopscope::testing {

// A hang guard is the limit of a wait that would otherwise never end (an answer that never comes,
// a counter that never reaches its mark); it claims nothing about speed. Sanitized builds and a
// busy machine run several times slower, so every guard is stretched by the factor
// LOOPSCOPE_TEST_TIMEOUT_SCALE (default 1), which the asan and tsan presets raise for their runs.
inline int timeoutScale()
{
    static const int scale = [] {
        bool ok = false;
        const int value = qEnvironmentVariableIntValue("LOOPSCOPE_TEST_TIMEOUT_SCALE", &ok);
        return ok && value > 1 ? value : 1;
    }();
    return scale;
}

// `ms` is what the wait needs on an idle machine, generously.
inline int hangGuardMs(int ms)
{
    return ms * timeoutScale();
}

inline std::chrono::milliseconds hangGuard(std::chrono::milliseconds limit)
{
    return limit * timeoutScale();
}

} // namespace loopscope::testing
