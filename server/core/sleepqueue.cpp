#include "sleepqueue.h"

#include <utility>

namespace loopscope {

SleepQueue &SleepQueue::forThisThread()
{
    // Freed when its thread ends with no sleeper left. Sleepers a thread ends with are never
    // woken, and cannot be destroyed from here (each is the innermost of a chain of coroutine
    // frames): the queue is kept with them, so that they stay referenced, as the timers of Qt's
    // dispatcher kept them before (LeakSanitizer checks after the main thread's thread_locals
    // are gone: the request fuzzer ends with requests asleep).
    struct Holder
    {
        SleepQueue *queue = nullptr;
        ~Holder()
        {
            if (queue && queue->m_due.empty())
                delete std::exchange(queue, nullptr);
        }
    };
    thread_local Holder holder;
    if (!holder.queue)
        holder.queue = new SleepQueue;
    return *holder.queue;
}

SleepQueue::SleepQueue()
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setSingleShot(true);
    QObject::connect(&m_timer, &QTimer::timeout, [this] { wakeDue(); });
}

SleepQueue::Entry SleepQueue::add(Clock::time_point due, Sleeper *sleeper)
{
    sleeper->queued = true;
    // Equal times keep their order of arrival (a multimap inserts after its equals).
    const Entry entry = m_due.emplace(due, sleeper);
    if (entry == m_due.begin())
        arm();
    return entry;
}

void SleepQueue::withdraw(Entry entry)
{
    entry->second->queued = false;
    const bool first = entry == m_due.begin();
    m_due.erase(entry);
    if (first)
        arm();
}

void SleepQueue::wakeDue()
{
    // One at a time from the front: a woken coroutine may add sleeps or withdraw others.
    const Clock::time_point now = Clock::now();
    while (!m_due.empty() && m_due.begin()->first <= now) {
        Sleeper *sleeper = m_due.begin()->second;
        m_due.erase(m_due.begin());
        sleeper->queued = false;
        sleeper->awaiting.resume();
    }
    arm();
}

void SleepQueue::arm()
{
    if (m_due.empty()) {
        m_timer.stop();
        return;
    }
    // Rounded up: a timer of whole milliseconds never fires before the first sleep is due.
    const auto wait
        = std::chrono::ceil<std::chrono::milliseconds>(m_due.begin()->first - Clock::now());
    m_timer.start(std::max(wait, std::chrono::milliseconds(0)));
}

} // namespace loopscope
