#pragma once

#include "databasepool.h"
#include "routing/requestcontext.h"

namespace loopscope::db {

// Runs a database job the way the request's variant waits (RequestContext::offload): awaited on
// the database pool (async), on the sync worker pool (threadpool), or synchronously on the loop
// thread (blocking, traced as a blocking call). The job is the same in all; only where it waits
// differs.
template <typename Job>
auto dbCall(RequestContext &context, DatabasePool &pool, std::uint32_t label, Access access,
    Job job) -> QCoro::Task<DbResult<std::invoke_result_t<Job &, DbConnection &>>>
{
    auto onCallingThread
        = [&pool, job, access]() mutable { return pool.runOnCallingThread(job, access); };
    auto onDatabasePool
        = [&pool, job = std::move(job), access, span = context.incoming.span, label]() mutable {
              return pool.run(std::move(job), access, span, label);
          };
    // Named, not a temporary inside co_await: GCC 12 destroys such temporaries twice.
    auto task = context.offload(label, std::move(onCallingThread), std::move(onDatabasePool));
    auto result = co_await task;
    co_return result;
}

} // namespace loopscope::db
