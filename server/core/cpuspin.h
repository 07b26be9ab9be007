#pragma once

#include <chrono>
#include <ctime>

namespace loopscope {

// Keeps the calling thread computing until it has used `cpu` of its own CPU time: work that
// costs CPU, as a Python library call does, and takes longer on a busy machine, as CPU work does
// (a wall-clock wait would not).
inline void spinCpu(std::chrono::nanoseconds cpu)
{
    auto used = [] {
        timespec now {};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
        return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
    };
    const auto until = used() + cpu;
    while (used() < until) { }
}

} // namespace loopscope
