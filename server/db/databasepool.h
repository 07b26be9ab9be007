#pragma once

#include "core/workerpool.h"
#include "databaseurl.h"
#include "dbconnection.h"
#include "dbresult.h"
#include "trace/trace.h"

#include <QCoro/QCoroFuture>
#include <QCoro/QCoroTask>
#include <QPromise>
#include <QTemporaryDir>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace loopscope::db {

// Reads may be retried once on a fresh connection when theirs turned out to be dead; a write is
// never replayed (it may have committed before the connection went).
enum class Access
{
    Read,
    Write
};

// The course's asyncpg pool over a blocking driver: database worker threads (min..max), each
// owning one connection. Handlers `co_await run(...)`; a job waits in the queue while every
// connection is busy, which the trace shows as the gap between JobQueued and JobStarted. The
// same jobs can also run on the sync worker pool (threadpool variant, a lazily opened
// connection per pool thread) or on the calling thread (blocking variant).
class DatabasePool
{
public:
    DatabasePool(DatabaseUrl url, int minSize, int maxSize);
    ~DatabasePool();
    DatabasePool(const DatabasePool &) = delete;
    DatabasePool &operator=(const DatabasePool &) = delete;

    // Connects once on the calling thread, creates the schema and seeds it, then starts the
    // minimum number of workers. Blocking: meant for server start-up, before it listens.
    Result open();

    // Runs job(DbConnection &) on a database worker; resumes the awaiting coroutine on its
    // own thread. The job may throw DbFailure; the result says what happened.
    template <typename Job>
    auto run(Job job, Access access, std::uint64_t awaitingSpan, std::uint32_t label)
        -> QCoro::Task<DbResult<std::invoke_result_t<Job &, DbConnection &>>>;

    // The same job on the calling thread, blocking it: a sync driver called from a `def` route on
    // a sync worker pool thread (a lazily opened connection per thread), or from an async route
    // on the loop thread (the blocking variant).
    template <typename Job>
    auto runOnCallingThread(Job &job, Access access)
        -> DbResult<std::invoke_result_t<Job &, DbConnection &>>;

    // Off: every job opens (and closes) its own connection, the course's "not using connection
    // pools" mistake.
    void setPooling(bool on) { m_pooling.store(on, std::memory_order_relaxed); }
    bool pooling() const { return m_pooling.load(std::memory_order_relaxed); }

    struct Stats
    {
        int workers = 0;
        int busy = 0;
        int queued = 0;
    };
    Stats stats() const;
    int minSize() const { return m_minSize; }
    int maxSize() const { return m_maxSize; }
    const DatabaseUrl &url() const { return m_url; }

private:
    struct PendingJob
    {
        std::uint64_t span = 0;
        std::uint32_t label = 0;
        std::function<void(DbConnection &)> body;
    };
    void enqueue(PendingJob job);
    void workerMain(int index);
    DbConnection &threadConnection(); // this pool's connection on the calling pool thread
    DbConnection &loopConnection(); // the loop thread's, for the blocking variant

    // Runs `job` on `connection` (or on a fresh one when pooling is off), reconnecting first if
    // the connection was lost, and turns failures into a DbResult.
    template <typename T, typename Job>
    DbResult<T> execute(DbConnection &connection, Job &job, Access access);
    // The type-erased part of execute: success, or the failure and whether to try once more.
    struct Outcome
    {
        Result result;
        bool retry = false;
    };
    Outcome attempt(DbConnection &connection, const std::function<void(DbConnection &)> &body,
        Access access, bool firstAttempt);

    DatabaseUrl m_url;
    const int m_minSize;
    const int m_maxSize;
    const quint64 m_id;
    std::unique_ptr<QTemporaryDir> m_memoryDir; // sqlite::memory: lives here for the pool's life
    std::atomic<bool> m_pooling { true };

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<PendingJob> m_queue;
    std::vector<std::thread> m_workers;
    // Workers that have made their first connection attempt: open() returns once the first
    // min_size have, as `await asyncpg.create_pool(...)` returns with min_size connections open.
    int m_started = 0;
    std::condition_variable m_workerStarted;
    int m_busy = 0;
    bool m_stopping = false;

    std::unique_ptr<DbConnection> m_loopConnection;
};

// --- templates ---------------------------------------------------------------------------------

template <typename T, typename Job>
DbResult<T> DatabasePool::execute(DbConnection &pooled, Job &job, Access access)
{
    std::unique_ptr<DbConnection> fresh;
    if (!pooling())
        fresh = std::make_unique<DbConnection>(m_url);
    DbConnection &connection = fresh ? *fresh : pooled;
    DbResult<T> result;
    const std::function<void(DbConnection &)> body
        = [&job, &result](DbConnection &c) { result.value = job(c); };
    for (bool first = true;; first = false) {
        const Outcome outcome = attempt(connection, body, access, first);
        if (outcome.retry)
            continue;
        if (!outcome.result)
            return { outcome.result, {} };
        return result;
    }
}

template <typename Job>
auto DatabasePool::run(Job job, Access access, std::uint64_t awaitingSpan, std::uint32_t label)
    -> QCoro::Task<DbResult<std::invoke_result_t<Job &, DbConnection &>>>
{
    using T = std::invoke_result_t<Job &, DbConnection &>;
    // Always finished with a result, whatever happens: awaiting a cancelled QFuture crashes.
    auto promise = std::make_shared<QPromise<DbResult<T>>>();
    QFuture<DbResult<T>> future = promise->future();
    promise->start();
    PendingJob pending;
    pending.span = trace::newSpanId();
    pending.label = label;
    pending.body = [this, promise, job = std::move(job), access](DbConnection &connection) mutable {
        promise->addResult(execute<T>(connection, job, access));
        promise->finish();
    };
    trace::record(trace::Kind::JobQueued, pending.span, label, awaitingSpan);
    if (awaitingSpan)
        trace::record(trace::Kind::AwaitSuspend, awaitingSpan, label, pending.span);
    const std::uint64_t jobSpan = pending.span;
    enqueue(std::move(pending));
    DbResult<T> result = co_await future;
    if (awaitingSpan)
        trace::record(trace::Kind::AwaitResume, awaitingSpan, label, jobSpan);
    co_return result;
}

template <typename Job>
auto DatabasePool::runOnCallingThread(Job &job, Access access)
    -> DbResult<std::invoke_result_t<Job &, DbConnection &>>
{
    using T = std::invoke_result_t<Job &, DbConnection &>;
    return execute<T>(
        WorkerPool::onWorkerThread() ? threadConnection() : loopConnection(), job, access);
}

} // namespace loopscope::db
