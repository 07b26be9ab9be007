#pragma once

#include "trace/handlervariant.h"
#include "trace/trace.h"
#include "workerpool.h"

#include <QCoro/QCoroTask>
#include <type_traits>
#include <vector>

namespace loopscope {

// What the async variant does with a job that has no awaitable form of its own.
struct RunOnLoop // quick work (no I/O): an `async def` simply calls it
{
};
struct AwaitOnPool // the awaitable form runs the same call on a thread and awaits it (aiofiles)
{
};

// The one place that knows how each variant waits. Routes, services and bodies hand it the call
// that would block and, where one exists, its awaitable form; they never look at the variant.
// Each `switch` here has no `default`, so the compiler lists what a new variant must decide.
class Offloader
{
public:
    Offloader(HandlerVariant variant, WorkerPool &pool, std::uint64_t span)
        : m_variant(variant)
        , m_pool(pool)
        , m_span(span)
    { }

    HandlerVariant variant() const { return m_variant; }

    // Runs `job`, a call that would block, the way the variant waits:
    // - async: awaits `asyncForm()` (a timer, the database pool, the async client), which records
    //   its own awaits; or the job itself, per the RunOnLoop / AwaitOnPool tags;
    // - threadpool: `job` on the worker pool, awaited (a `def` route; traced as a pool job);
    // - blocking: `job` right here on the loop thread, traced as a blocking call.
    // Callers keep the returned task in a named local before awaiting it: GCC 12 destroys a
    // temporary with a non-trivial destructor twice when it sits in a co_await expression.
    template <typename Job, typename AsyncForm = RunOnLoop>
    auto offload(std::uint32_t label, Job job, AsyncForm asyncForm = {})
        -> QCoro::Task<std::invoke_result_t<Job &>>
    {
        using Result = std::invoke_result_t<Job &>;
        switch (m_variant) {
        case HandlerVariant::Async:
            if constexpr (std::is_same_v<AsyncForm, RunOnLoop>) {
                co_return job();
            } else if constexpr (std::is_same_v<AsyncForm, AwaitOnPool>) {
                auto task = m_pool.run(std::move(job), m_span, label);
                co_return co_await task;
            } else {
                auto task = asyncForm();
                co_return co_await task;
            }
        case HandlerVariant::ThreadPool: {
            auto task = m_pool.run(std::move(job), m_span, label);
            co_return co_await task;
        }
        case HandlerVariant::Blocking:
            // Deliberately on the loop thread: nobody else is served meanwhile, the lesson.
            trace::record(trace::Kind::BlockingBegin, m_span, label);
            if constexpr (std::is_void_v<Result>) {
                job();
                trace::record(trace::Kind::BlockingEnd, m_span, label);
                co_return;
            } else {
                Result result = job();
                trace::record(trace::Kind::BlockingEnd, m_span, label);
                co_return result;
            }
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
        case HandlerVariant::Async: {
            std::vector<std::invoke_result_t<Call &, qsizetype>> started;
            for (qsizetype i = 0; i < count; ++i)
                started.push_back(call(i));
            for (auto &task : started)
                results.push_back(co_await task);
            break;
        }
        case HandlerVariant::ThreadPool:
        case HandlerVariant::Blocking:
            for (qsizetype i = 0; i < count; ++i) {
                auto task = call(i);
                results.push_back(co_await task);
            }
            break;
        }
        co_return results;
    }

private:
    const HandlerVariant m_variant;
    WorkerPool &m_pool;
    const std::uint64_t m_span;
};

} // namespace loopscope
