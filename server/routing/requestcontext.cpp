#include "requestcontext.h"

#include "core/gil.h"
#include "core/precisesleep.h"
#include "core/taskregistry.h"
#include "trace/trace.h"

#include <thread>

namespace loopscope {

QCoro::Task<> RequestContext::simulatedIo(std::chrono::milliseconds duration, const QString &label)
{
    const QByteArray text = label.toUtf8();
    const std::uint32_t traceLabel = trace::label(std::string_view(text.constData(), text.size()));
    auto sleep = [duration] { std::this_thread::sleep_for(duration); };
    auto awaitedSleep = [this, duration, traceLabel]() -> QCoro::Task<> {
        awaitBegins(traceLabel);
        co_await PreciseSleep(duration);
        awaitEnds(traceLabel);
    };
    // Returned, not awaited here: a sleeping request keeps no frame of this function.
    return offload(traceLabel, std::move(sleep), std::move(awaitedSleep),
        PythonAwaitable { QLatin1StringView("sleep") });
}

void RequestContext::awaitBegins(std::uint32_t label) const
{
    trace::record(trace::Kind::AwaitSuspend, incoming.span, label);
}

void RequestContext::awaitEnds(std::uint32_t label) const
{
    Gil::process().loopTakes(incoming.span); // the resumed coroutine runs Python code again
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

quint64 RequestContext::spawnTask(TaskSlot slot, const QString &name,
    std::function<QCoro::Task<>(CancelToken &)> body, TaskRegistry::Lifetime lifetime)
{
    return services.tasks.spawn(std::move(slot), name, route.key(), incoming.requestId,
        incoming.span, std::move(body), lifetime);
}

} // namespace loopscope
