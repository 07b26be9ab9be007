#pragma once

#include <QCoro/QCoroTask>
#include <QThreadPool>
#include <chrono>
#include <memory>

#include "poolhandoff.h"
#include "trace/trace.h"

namespace loopscope {

// The pool that runs `def` routes (the threadpool variant). FastAPI's has 40 threads; the global
// QThreadPool has one per core and expires idle threads, so this one is dedicated and permanent.
class WorkerPool
{
public:
    // `name` is its threads' name in the trace (what the timeline's tooltips say).
    explicit WorkerPool(int threads = 40, QString name = QStringLiteral("sync worker pool"))
        : m_pool(std::make_unique<QThreadPool>())
        , m_maxThreads(threads)
        , m_name(std::move(name))
    {
        m_pool->setMaxThreadCount(threads);
        m_pool->setExpiryTimeout(-1);
        m_pool->setObjectName(m_name);
    }
    ~WorkerPool()
    {
        if (m_pool)
            m_pool->waitForDone();
    }

    // Whether the calling thread is one of a worker pool's (a thread-local connection is then its
    // own), rather than the server loop.
    static bool onWorkerThread() { return workerThreadFlag(); }
    // The span of the job running on the calling pool thread; 0 elsewhere (its own waits, as
    // for the GIL, are traced on it).
    static std::uint64_t currentJob() { return currentJobSlot(); }

    int maxThreads() const { return m_maxThreads; }
    int activeThreads() const { return m_pool ? m_pool->activeThreadCount() : 0; }

    // At shutdown: waits up to `timeout` for the jobs to end. A job that does not (a blocking
    // call that cannot be cancelled) must not hold the process: its threads are abandoned to
    // end with it. Returns how many were; nothing may run() afterwards.
    int stop(std::chrono::milliseconds timeout)
    {
        if (!m_pool || m_pool->waitForDone(int(timeout.count())))
            return 0;
        const int busy = m_pool->activeThreadCount();
        // Deliberately leaked: destroying a QThreadPool waits for its threads without bound.
        (void)m_pool.release();
        return busy;
    }

    // Runs `job` on a pool thread; the awaiting coroutine resumes on its own thread. The job is
    // traced as queued/started/finished, linked to the span that awaits it, and the wait as an
    // await of that span.
    template <typename Job>
    auto run(Job job, std::uint64_t awaitingSpan = 0, std::uint32_t label = 0)
        -> QCoro::Task<std::invoke_result_t<Job>>
    {
        const std::uint64_t jobSpan = trace::newSpanId();
        trace::record(trace::Kind::JobQueued, jobSpan, label, awaitingSpan);
        if (awaitingSpan)
            trace::record(trace::Kind::AwaitSuspend, awaitingSpan, label, jobSpan);
        auto traced = [job = std::move(job), jobSpan, label, name = m_name]() mutable {
            nameWorkerThread(name);
            trace::record(trace::Kind::JobStarted, jobSpan, label);
            currentJobSlot() = jobSpan;
            struct Finished
            {
                std::uint64_t span;
                std::uint32_t label;
                ~Finished()
                {
                    currentJobSlot() = 0;
                    trace::record(trace::Kind::JobFinished, span, label);
                }
            } finished { jobSpan, label };
            return job();
        };
        struct Resumed
        {
            std::uint64_t span;
            std::uint32_t label;
            std::uint64_t job;
            ~Resumed()
            {
                if (span)
                    trace::record(trace::Kind::AwaitResume, span, label, job);
            }
        } resumed { awaitingSpan, label, jobSpan };
        co_return co_await PoolHandoff<std::invoke_result_t<Job>>::run(*m_pool, std::move(traced));
    }

private:
    static bool &workerThreadFlag()
    {
        thread_local bool worker = false;
        return worker;
    }
    static std::uint64_t &currentJobSlot()
    {
        thread_local std::uint64_t job = 0;
        return job;
    }
    static void nameWorkerThread(const QString &name)
    {
        bool &named = workerThreadFlag();
        if (!named) {
            trace::setThreadName(name);
            // Before the job's first event, so its start is not the ring's making.
            trace::prepareRing();
            named = true;
        }
    }

    std::unique_ptr<QThreadPool> m_pool;
    const int m_maxThreads;
    const QString m_name;
};

} // namespace loopscope
