#pragma once

#include "trace/trace.h"

#include <QtGlobal>

#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace loopscope {

// What the trace tells of one scenario step, beyond what its clients measured.
struct TracedFigures
{
    // Background tasks started while the step was current, and how many of them ended cancelled
    // (a restart).
    qint64 tasksStarted = 0;
    qint64 tasksCancelled = 0;
    // Pool jobs' working time (started, not finished, not waiting for the GIL): how long at
    // least one worked, and how long two or more worked at once.
    trace::Nanos jobsWorking = 0;
    trace::Nanos jobsWorkingTogether = 0;
};

// Reads a step's trace events into its TracedFigures. Jobs are timed once the step ends, on its
// events sorted by time: the hub orders events across threads only within a batch.
class TracedFiguresTally
{
public:
    void add(const trace::Event &event);
    // The figures since the last take. A job still working carries its state into the next.
    TracedFigures take();

private:
    void sweepJobEvents();

    TracedFigures m_figures;
    std::vector<trace::Event> m_jobEvents; // since the last take
    std::unordered_set<std::uint64_t> m_jobsSeen; // started and not yet finished, as delivered
    std::unordered_map<std::uint64_t, bool> m_startedJobs; // span -> working
    int m_working = 0;
    trace::Nanos m_lastChange = 0;
};

} // namespace loopscope
