#pragma once

#include "databasepool.h"
#include "routing/requestcontext.h"

namespace loopscope::db {

// Runs a database job the way the request's variant says: awaited on the database pool (async),
// on the sync worker pool (threadpool), or synchronously on the loop thread (blocking, traced
// as a blocking call). The job is the same in all three; only where it waits differs.
template <typename Job>
auto dbCall(RequestContext &context, DatabasePool &pool, std::uint32_t label, Access access,
    Job job) -> QCoro::Task<DbResult<std::invoke_result_t<Job &, DbConnection &>>>
{
    // Each task is a named local before it is awaited: GCC 12 destroys a temporary with a
    // non-trivial destructor twice when it sits in a co_await expression.
    switch (context.variant) {
    case HandlerVariant::ThreadPool: {
        auto task = pool.runOnThreadPool(
            context.services.pool, std::move(job), access, context.incoming.span, label);
        auto result = co_await task;
        co_return result;
    }
    case HandlerVariant::Blocking: {
        context.blockingBegins(label);
        auto result = pool.runHere(std::move(job), access);
        context.blockingEnds(label);
        co_return result;
    }
    case HandlerVariant::Async:
        break;
    }
    auto task = pool.run(std::move(job), access, context.incoming.span, label);
    auto result = co_await task;
    co_return result;
}

} // namespace loopscope::db
