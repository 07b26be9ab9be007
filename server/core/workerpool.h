#pragma once

#include <QCoro/QCoroFuture>
#include <QCoro/QCoroTask>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

namespace loopscope {

// The pool that runs `def` routes (the threadpool variant). FastAPI's has 40 threads; the global
// QThreadPool has one per core and expires idle threads, so this one is dedicated and permanent.
class WorkerPool
{
public:
    explicit WorkerPool(int threads = 40)
    {
        m_pool.setMaxThreadCount(threads);
        m_pool.setExpiryTimeout(-1);
        m_pool.setObjectName(QStringLiteral("sync worker pool"));
    }
    ~WorkerPool() { m_pool.waitForDone(); }

    int maxThreads() const { return m_pool.maxThreadCount(); }
    int activeThreads() const { return m_pool.activeThreadCount(); }

    // Runs `job` on a pool thread; the awaiting coroutine resumes on its own thread.
    template<typename Job>
    auto run(Job job) -> QCoro::Task<std::invoke_result_t<Job>>
    {
        co_return co_await QtConcurrent::run(&m_pool, std::move(job));
    }

private:
    QThreadPool m_pool;
};

} // namespace loopscope
