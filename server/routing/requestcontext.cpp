#include "requestcontext.h"

#include "core/precisesleep.h"
#include "core/taskregistry.h"
#include "core/workerpool.h"
#include "trace/trace.h"

#include <thread>

namespace loopscope {

QCoro::Task<> RequestContext::simulatedIo(std::chrono::milliseconds duration, const QString &label)
{
    const QByteArray text = label.toUtf8();
    const std::uint32_t traceLabel = trace::label(std::string_view(text.constData(), text.size()));
    switch (variant) {
    case HandlerVariant::Async:
        awaitBegins(traceLabel);
        co_await PreciseSleep(duration);
        awaitEnds(traceLabel);
        break;
    case HandlerVariant::ThreadPool:
        co_await services.pool.run(
            [duration] { std::this_thread::sleep_for(duration); }, incoming.span, traceLabel);
        break;
    case HandlerVariant::Blocking:
        blockingBegins(traceLabel);
        std::this_thread::sleep_for(duration); // deliberately stalls the loop: that is the lesson
        blockingEnds(traceLabel);
        break;
    }
}

void RequestContext::awaitBegins(std::uint32_t label) const
{
    trace::record(trace::Kind::AwaitSuspend, incoming.span, label);
}

void RequestContext::awaitEnds(std::uint32_t label) const
{
    trace::record(trace::Kind::AwaitResume, incoming.span, label);
}

void RequestContext::blockingBegins(std::uint32_t label) const
{
    trace::record(trace::Kind::BlockingBegin, incoming.span, label);
}

void RequestContext::blockingEnds(std::uint32_t label) const
{
    trace::record(trace::Kind::BlockingEnd, incoming.span, label);
}

quint64 RequestContext::spawnTask(
    TaskSlot slot, const QString &name, std::function<QCoro::Task<>(CancelToken &)> body)
{
    return services.tasks.spawn(
        std::move(slot), name, route.key(), incoming.requestId, incoming.span, std::move(body));
}

} // namespace loopscope
