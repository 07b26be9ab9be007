#pragma once

#include "core/offloader.h"
#include "core/taskregistry.h"
#include "core/workcancel.h"
#include "http/requesthandler.h"
#include "paramreader.h"
#include "queryparams.h"
#include "route.h"
#include "router.h"
#include "trace/handlervariant.h"

#include <QCoro/QCoroTask>
#include <chrono>
#include <functional>

namespace loopscope {

class CancelToken;
class ModeTable;
class ServerLog;
class TaskRegistry;
class TaskSlot;
class WorkerPool;

// What every handler can reach: long-lived and owned by the server runtime on the loop thread.
struct ServerServices
{
    WorkerPool &pool;
    WorkerPool &processes; // drives the processpool variant's worker processes
    TaskRegistry &tasks;
    ServerLog &log;
    ModeTable &modes;
    // Set when a stopping server gives up waiting for the requests in flight: their work stops.
    // Shared, not owned: a pool job abandoned at shutdown may still read it.
    std::shared_ptr<std::atomic<bool>> stopping = std::make_shared<std::atomic<bool>>(false);
};

// One request as a handler sees it. Lives in the dispatching coroutine's frame for the whole
// handler, so handlers may keep references to it across awaits.
struct RequestContext
{
    http::IncomingRequest &incoming;
    const Route &route;
    PathParams path;
    QueryParams query;
    HandlerVariant variant;
    ServerServices &services;
    // How this request waits, by its variant: the one place that decides (see offload).
    Offloader waits { variant, services.pool, services.processes, incoming.span, &services.log };

    ParamReader params() const { return ParamReader(path, query); }
    // Whether this request's work should stop (its client left, or the server is stopping).
    WorkCancel cancellation() const { return { incoming.clientGone, services.stopping }; }

    // A call that would block, run the way the route's variant waits; `asyncForm` is its awaitable
    // form where one exists (Offloader::offload). Every route waits through this or gather.
    template <typename Job, typename AsyncForm = RunOnLoop>
    auto offload(
        std::uint32_t label, Job job, AsyncForm asyncForm = {}, PythonAwaitable python = {})
    {
        return waits.offload(label, std::move(job), std::move(asyncForm), python);
    }
    // `await call()` of the route's own coroutine, forgotten in the no-await variant.
    template <typename Call> auto awaitCall(PythonAwaitable python, Call call)
    {
        return waits.awaitCall(python, std::move(call));
    }
    // asyncio.gather where the variant awaits, one call after another otherwise.
    template <typename Call> auto gather(qsizetype count, Call call)
    {
        return waits.gather(count, std::move(call));
    }

    // A simulated I/O wait (offload of a sleep): awaited on a timer (async), slept on a pool
    // thread and awaited (threadpool), or slept on the loop thread (blocking).
    QCoro::Task<> simulatedIo(std::chrono::milliseconds duration, const QString &label);

    // Trace records for this request's own awaits and blocking calls.
    void awaitBegins(std::uint32_t label) const;
    void awaitEnds(std::uint32_t label) const;
    void blockingBegins(std::uint32_t label) const;
    void blockingEnds(std::uint32_t label) const;

    // Starts a background task whose parent is this request, in a slot taken with
    // services.tasks.reserve() before the request did anything the task belongs to.
    quint64 spawnTask(TaskSlot slot, const QString &name,
        std::function<QCoro::Task<>(CancelToken &)> body,
        TaskRegistry::Lifetime lifetime = TaskRegistry::Lifetime::Detached);
};

} // namespace loopscope
