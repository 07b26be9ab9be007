#include "sleepqueue.h"

namespace loopscope {

SleepQueue &SleepQueue::forThisThread()
{
    thread_local SleepQueue queue;
    return queue;
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
