#include "gil.h"

#include "trace/trace.h"

namespace loopscope {

namespace {
// The loop's side, per thread (tests run several servers): whether this thread is a server
// loop that lets the GIL go before each poll, and whether it holds it now. A loop thread that
// ends holding it lets it go, or every other thread would wait for a dead one.
struct LoopSide
{
    bool isLoop = false;
    bool holds = false;
    ~LoopSide()
    {
        if (holds)
            Gil::process().loopLetsGo();
    }
};
thread_local LoopSide loopSide;
} // namespace

Gil &Gil::process()
{
    static Gil gil;
    return gil;
}

Gil::Hold::Hold(Gil &gil, Waiter waiter, std::uint64_t blame, std::uint64_t own)
    : m_gil(gil)
    , m_waiter(waiter)
    , m_blame(blame)
    , m_own(own)
    , m_taken(gil.acquire(waiter, blame, own))
{ }

Gil::Hold::~Hold()
{
    if (m_taken)
        m_gil.release();
}

void Gil::Hold::checkpoint()
{
    if (m_gil.m_dropRequest.load(std::memory_order_relaxed))
        m_gil.dropForOthers(m_waiter, m_blame, m_own);
}

void Gil::becomeLoopThread()
{
    loopSide.isLoop = true;
}

void Gil::loopTakes(std::uint64_t forSpan)
{
    if (loopSide.isLoop && !loopSide.holds && acquire(Waiter::Loop, forSpan, 0))
        loopSide.holds = true;
}

void Gil::loopLetsGo()
{
    if (loopSide.holds) {
        loopSide.holds = false;
        release();
    }
}

std::uint64_t Gil::switches() const
{
    std::lock_guard lock(m_mutex);
    return m_switches;
}

bool Gil::heldHere() const
{
    std::lock_guard lock(m_mutex);
    return m_locked && m_holder == std::this_thread::get_id();
}

bool Gil::acquire(Waiter waiter, std::uint64_t blame, std::uint64_t own)
{
    if (!enabled())
        return false;
    std::unique_lock lock(m_mutex);
    if (m_locked && m_holder == std::this_thread::get_id())
        return false;
    take(lock, waiter, blame, own);
    return true;
}

void Gil::take(std::unique_lock<std::mutex> &lock, Waiter waiter, std::uint64_t blame,
    std::uint64_t own, bool waitTraced)
{
    const std::uint64_t heldBy = m_locked ? m_holderBlame : 0;
    const bool waits = m_locked;
    if (waits && !waitTraced)
        recordWait(true, waiter, heldBy, own);
    if (waits) {
        ++m_waiters;
        while (m_locked) {
            // Past the interval with no hand-over meanwhile, ask the holder to let go.
            const std::uint64_t before = m_switches;
            if (!m_released.wait_for(lock, switchInterval, [this] { return !m_locked; })
                && m_switches == before)
                m_dropRequest.store(true, std::memory_order_relaxed);
        }
        --m_waiters;
    }
    m_locked = true;
    m_holder = std::this_thread::get_id();
    m_holderBlame = blame;
    ++m_switches;
    m_dropRequest.store(false, std::memory_order_relaxed);
    m_switched.notify_all();
    if (waits || waitTraced)
        recordWait(false, waiter, heldBy, own);
}

void Gil::release()
{
    {
        std::lock_guard lock(m_mutex);
        letGo();
    }
    m_released.notify_all();
}

void Gil::letGo()
{
    m_locked = false;
    m_holder = {};
    m_holderBlame = 0;
}

void Gil::dropForOthers(Waiter waiter, std::uint64_t blame, std::uint64_t own)
{
    std::unique_lock lock(m_mutex);
    if (!m_locked || m_holder != std::this_thread::get_id())
        return;
    const std::uint64_t before = m_switches;
    // A pool thread waits from the moment it lets go, as CPython's forced switch does: traced
    // before the next holder can take over, so the two never seem to work at once. (The loop's
    // wait is blamed on the next holder, known only once it waits.)
    const bool waitTraced = waiter == Waiter::Worker;
    if (waitTraced)
        recordWait(true, waiter, 0, own);
    letGo();
    m_released.notify_all();
    // Forced switching: not back until another thread had the lock (or none waits now).
    m_switched.wait(lock, [&] { return m_switches != before || m_waiters == 0; });
    // Retaken even if the GIL was switched off meanwhile: the caller's release expects it.
    take(lock, waiter, blame, own, waitTraced);
}

void Gil::recordWait(bool begins, Waiter waiter, std::uint64_t heldBy, std::uint64_t own) const
{
    switch (waiter) {
    case Waiter::Loop: {
        static const std::uint32_t label = trace::label("loop waits for the GIL");
        if (heldBy) // the loop is stuck on that span's work, as on a blocking call of its own
            trace::record(
                begins ? trace::Kind::BlockingBegin : trace::Kind::BlockingEnd, heldBy, label);
        return;
    }
    case Waiter::Worker: {
        static const std::uint32_t label = trace::label("waiting for the GIL");
        if (own)
            trace::record(
                begins ? trace::Kind::AwaitSuspend : trace::Kind::AwaitResume, own, label);
        return;
    }
    }
}

} // namespace loopscope
