#include "eventloopchecker.h"

#include <QThread>
#include <QTimer>

#include <algorithm>
#include <mutex>
#include <vector>

namespace loopscope::testing {

struct EventLoopChecker::Ticks
{
    mutable std::mutex mutex;
    std::vector<qint64> times;
};

namespace {

qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

EventLoopChecker::EventLoopChecker(QThread *thread, std::chrono::milliseconds interval)
    : m_ticks(std::make_shared<Ticks>())
    , m_timer(new QTimer)
{
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(interval);
    QObject::connect(m_timer, &QTimer::timeout, m_timer, [ticks = m_ticks] {
        const std::lock_guard lock(ticks->mutex);
        ticks->times.push_back(steadyNowNs());
    });
    m_timer->moveToThread(thread);
    // A timer starts on its own thread; queued, so it starts when that loop next turns.
    QMetaObject::invokeMethod(m_timer, qOverload<>(&QTimer::start), Qt::QueuedConnection);
}

EventLoopChecker::~EventLoopChecker()
{
    QThread *thread = m_timer->thread();
    if (thread == QThread::currentThread() || !thread->isRunning()) {
        delete m_timer;
        return;
    }
    // Stopped on its own thread (a timer may not be stopped from another one), then deleted
    // there; blocking, so no tick is counted after this returns.
    QMetaObject::invokeMethod(m_timer, &QTimer::stop, Qt::BlockingQueuedConnection);
    m_timer->deleteLater();
}

int EventLoopChecker::ticks() const
{
    const std::lock_guard lock(m_ticks->mutex);
    return int(m_ticks->times.size());
}

int EventLoopChecker::ticksBetween(qint64 fromNs, qint64 toNs) const
{
    const std::lock_guard lock(m_ticks->mutex);
    return int(std::count_if(m_ticks->times.begin(), m_ticks->times.end(),
        [&](qint64 t) { return t > fromNs && t < toNs; }));
}

} // namespace loopscope::testing
