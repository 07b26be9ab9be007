#include "tracedfigures.h"

#include <algorithm>
#include <utility>

namespace loopscope {

void TracedFiguresTally::add(const trace::Event &event)
{
    m_figures.tasksStarted += event.kind == trace::Kind::TaskSpawned ? 1 : 0;
    m_figures.tasksCancelled += event.kind == trace::Kind::TaskCancelled ? 1 : 0;
    // A job span's only awaits are its waits for the GIL. They are recorded on the job's worker
    // thread after its start, which the hub delivers in that order, so the awaits of every other
    // span (the requests') are dropped here rather than kept until the step ends.
    if (event.kind == trace::Kind::JobStarted)
        m_jobsSeen.insert(event.span);
    const bool await
        = event.kind == trace::Kind::AwaitSuspend || event.kind == trace::Kind::AwaitResume;
    if (event.kind == trace::Kind::JobStarted || event.kind == trace::Kind::JobFinished
        || (await && m_jobsSeen.contains(event.span)))
        m_jobEvents.push_back(event);
    if (event.kind == trace::Kind::JobFinished)
        m_jobsSeen.erase(event.span);
}

TracedFigures TracedFiguresTally::take()
{
    sweepJobEvents();
    return std::exchange(m_figures, {});
}

void TracedFiguresTally::sweepJobEvents()
{
    std::stable_sort(m_jobEvents.begin(), m_jobEvents.end(),
        [](const trace::Event &a, const trace::Event &b) { return a.time < b.time; });
    for (const trace::Event &event : m_jobEvents) {
        if (m_working > 0)
            m_figures.jobsWorking += event.time - m_lastChange;
        if (m_working > 1)
            m_figures.jobsWorkingTogether += event.time - m_lastChange;
        m_lastChange = event.time;
        const bool starts = event.kind == trace::Kind::JobStarted;
        const auto job = starts ? m_startedJobs.try_emplace(event.span, false).first
                                : m_startedJobs.find(event.span);
        if (job == m_startedJobs.end())
            continue; // a request's await, or a job started before the tally
        const bool works = starts || event.kind == trace::Kind::AwaitResume;
        m_working += int(works) - int(job->second);
        job->second = works;
        if (event.kind == trace::Kind::JobFinished)
            m_startedJobs.erase(job);
    }
    m_jobEvents.clear();
}

} // namespace loopscope
