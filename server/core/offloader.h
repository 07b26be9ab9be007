#pragma once

#include "gil.h"
#include "trace/handlervariant.h"
#include "trace/trace.h"
#include "workerpool.h"
#include "workerprocess.h"

#include <QCoro/QCoroTask>
#include <QString>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace loopscope {

class ServerLog;

// What Python would say of an awaitable the no-await variant forgets: the coroutine's name in
// its RuntimeWarning, and the error raised where its result is used instead (none for one whose
// result nobody uses, as `asyncio.sleep`'s).
struct PythonAwaitable
{
    QLatin1StringView coroutine;
    QLatin1StringView errorWhenUsed = {};
};

// Thrown where the no-await variant uses a result it never awaited (Python's error as what());
// the dispatcher answers it as Starlette answers an unhandled exception.
class NeverAwaited : public std::runtime_error
{
public:
    explicit NeverAwaited(const QString &pythonError)
        : std::runtime_error(pythonError.toStdString())
    { }
};

// What the async variant does with a job that has no awaitable form of its own.
struct RunOnLoop // quick work (no I/O): an `async def` simply calls it
{
};
struct AwaitOnPool // the awaitable form runs the same call on a thread and awaits it (aiofiles)
{
};

// A job with a form for a worker process (`job.inWorkerProcess(process)`), which the processpool
// variant runs instead: CPU work that ProcessPoolExecutor can take.
template <typename Job>
concept ProcessPoolJob = requires(Job job, WorkerProcess &process)
{
    job.inWorkerProcess(process);
};

// The one place that knows how each variant waits. Routes, services and bodies hand it the call
// that would block and, where one exists, its awaitable form; they never look at the variant.
// Each `switch` here has no `default`, so the compiler lists what a new variant must decide.
class Offloader
{
public:
    // `processes` drives the worker processes of the processpool variant, a thread for each.
    Offloader(HandlerVariant variant, WorkerPool &pool, WorkerPool &processes, std::uint64_t span,
        ServerLog *log)
        : m_variant(variant)
        , m_pool(&pool)
        , m_processes(&processes)
        , m_span(span)
        , m_log(log)
    { }

    HandlerVariant variant() const { return m_variant; }

    // Runs `job`, a call that would block, the way the variant waits:
    // - async: awaits `asyncForm()` (a timer, the database pool, the async client), which records
    //   its own awaits; or the job itself, per the RunOnLoop / AwaitOnPool tags;
    // - threadpool: `job` on the worker pool, awaited (a `def` route; traced as a pool job);
    // - blocking: `job` right here on the loop thread, traced as a blocking call;
    // - no-await: the awaitable form is never made, let alone awaited (`python` says what Python
    //   would warn and raise); a job an async def simply calls still runs;
    // - processpool: the job's process form in a worker process, awaited (only routes whose job
    //   has one offer the variant; any other job would run on the thread pool).
    // Callers keep the returned task in a named local before awaiting it: GCC 12 destroys a
    // temporary with a non-trivial destructor twice when it sits in a co_await expression.
    template <typename Job, typename AsyncForm = RunOnLoop>
    auto offload(std::uint32_t label, Job job, AsyncForm asyncForm = {},
        PythonAwaitable python = {}) -> QCoro::Task<std::invoke_result_t<Job &>>
    {
        using Result = std::invoke_result_t<Job &>;
        switch (m_variant) {
        case HandlerVariant::Async:
            if constexpr (std::is_same_v<AsyncForm, RunOnLoop>) {
                co_return job();
            } else if constexpr (std::is_same_v<AsyncForm, AwaitOnPool>) {
                auto task = m_pool->run(std::move(job), m_span, label);
                co_return co_await task;
            } else {
                auto task = asyncForm();
                co_return co_await task;
            }
        case HandlerVariant::ThreadPool: {
            auto task = m_pool->run(std::move(job), m_span, label);
            co_return co_await task;
        }
        case HandlerVariant::Blocking: {
            // Deliberately on the loop thread: nobody else is served meanwhile, the lesson. The
            // call lets the GIL go, as time.sleep and I/O do (CPU work takes it back itself).
            trace::record(trace::Kind::BlockingBegin, m_span, label);
            Gil::process().loopLetsGo();
            struct Done
            {
                std::uint64_t span;
                std::uint32_t label;
                ~Done()
                {
                    trace::record(trace::Kind::BlockingEnd, span, label);
                    Gil::process().loopTakes(span);
                }
            } done { m_span, label };
            co_return job();
        }
        case HandlerVariant::NoAwait:
            if constexpr (std::is_same_v<AsyncForm, RunOnLoop>) {
                co_return job(); // nothing is awaited, so nothing is forgotten
            } else if constexpr (std::is_void_v<Result>) {
                forget(python);
                co_return;
            } else {
                forget(python);
                throw NeverAwaited(usedError(python));
            }
        case HandlerVariant::ProcessPool:
            if constexpr (ProcessPoolJob<Job>) {
                auto inProcess = [job = std::move(job)]() mutable {
                    return job.inWorkerProcess(WorkerProcess::forThisThread());
                };
                auto task = m_processes->run(std::move(inProcess), m_span, label);
                co_return co_await task;
            } else {
                auto task = m_pool->run(std::move(job), m_span, label);
                co_return co_await task;
            }
        }
    }

    // The name of what the variant's code calls, for the trace: the awaitable library's where
    // it awaits one (aiofiles), the blocking call's where its code is synchronous (f.read).
    std::uint32_t callLabel(std::uint32_t awaitable, std::uint32_t blocking) const
    {
        switch (m_variant) {
        case HandlerVariant::Async:
        case HandlerVariant::NoAwait:
            return awaitable;
        case HandlerVariant::ThreadPool:
        case HandlerVariant::Blocking:
        case HandlerVariant::ProcessPool:
            return blocking;
        }
        return blocking;
    }

    // `await call()` of a coroutine the route's own code calls (a service method): awaited in
    // every variant but no-await, where it is never made (nor run), as Python's
    // `user = service.create_user(...)` without `await`.
    template <typename Call>
    auto awaitCall(PythonAwaitable python, Call call)
        -> QCoro::Task<typename std::invoke_result_t<Call &>::value_type>
    {
        using Result = typename std::invoke_result_t<Call &>::value_type;
        switch (m_variant) {
        case HandlerVariant::Async:
        case HandlerVariant::ThreadPool:
        case HandlerVariant::Blocking:
        case HandlerVariant::ProcessPool: {
            auto task = call();
            co_return co_await task;
        }
        case HandlerVariant::NoAwait:
            forget(python);
            if constexpr (std::is_void_v<Result>)
                co_return;
            else
                throw NeverAwaited(usedError(python));
        }
    }

    // asyncio.gather of `count` calls (`call(i)` returns a task) where the variant awaits: all
    // start before the first is awaited. Where its code is synchronous, one after another, as
    // the `requests` version is written (a threadpool route then holds one pool job at a time).
    template <typename Call>
    auto gather(qsizetype count, Call call)
        -> QCoro::Task<std::vector<typename std::invoke_result_t<Call &, qsizetype>::value_type>>
    {
        std::vector<typename std::invoke_result_t<Call &, qsizetype>::value_type> results;
        switch (m_variant) {
        case HandlerVariant::Async:
        case HandlerVariant::NoAwait: { // the gather is awaited; its calls forget their awaits
            std::vector<std::invoke_result_t<Call &, qsizetype>> started;
            for (qsizetype i = 0; i < count; ++i)
                started.push_back(call(i));
            for (auto &task : started)
                results.push_back(co_await task);
            break;
        }
        case HandlerVariant::ThreadPool:
        case HandlerVariant::Blocking:
        case HandlerVariant::ProcessPool:
            for (qsizetype i = 0; i < count; ++i) {
                auto task = call(i);
                results.push_back(co_await task);
            }
            break;
        }
        co_return results;
    }

private:
    // The no-await variant drops an awaitable: Python's RuntimeWarning in the server log, and a
    // trace mark on the request (a task spawned and cancelled at once, never run, labelled with
    // the warning), so the timeline shows the coroutine that never ran.
    void forget(PythonAwaitable python) const;
    static QString usedError(PythonAwaitable python);

    HandlerVariant m_variant;
    WorkerPool *m_pool;
    WorkerPool *m_processes;
    std::uint64_t m_span;
    ServerLog *m_log;
};

} // namespace loopscope
