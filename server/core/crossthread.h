#pragma once

#include <QMetaObject>
#include <QObject>
#include <atomic>
#include <utility>

namespace loopscope {

namespace detail {
inline std::atomic<unsigned> postFence { 0 };
}

// Runs `job` on `context`'s thread, queued. Same as QMetaObject::invokeMethod, plus a
// release/acquire pair that thread sanitizers can see: Debian's Qt is not instrumented, so its
// event-queue mutex is invisible and everything handed over would otherwise look like a race.
template <typename Job> void postTo(QObject *context, Job job)
{
    detail::postFence.fetch_add(1, std::memory_order_release);
    QMetaObject::invokeMethod(context, [job = std::move(job)]() mutable {
        (void)detail::postFence.load(std::memory_order_acquire);
        job();
    });
}

} // namespace loopscope
