#include "requestcontext.h"

#include "core/precisesleep.h"
#include "core/taskregistry.h"
#include "core/workerpool.h"

#include <thread>

namespace loopscope {

QCoro::Task<> RequestContext::simulatedIo(std::chrono::milliseconds duration, const QString &label)
{
    Q_UNUSED(label);
    switch (variant) {
    case HandlerVariant::Async:
        co_await PreciseSleep(duration);
        break;
    case HandlerVariant::ThreadPool:
        co_await services.pool.run([duration] { std::this_thread::sleep_for(duration); });
        break;
    case HandlerVariant::Blocking:
        std::this_thread::sleep_for(duration); // deliberately stalls the loop: that is the lesson
        break;
    }
}

quint64 RequestContext::spawnTask(const QString &name,
                                  std::function<QCoro::Task<>(CancelToken &)> body)
{
    return services.tasks.spawn(name, route.key(), incoming.requestId, incoming.span,
                                std::move(body));
}

} // namespace loopscope
