#pragma once

#include "trace.h"

#include <QtCore/QObject>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace loopscope::trace {

struct WatchdogOptions
{
    std::chrono::microseconds heartbeatInterval { 2000 };
    std::chrono::microseconds stallThreshold { 5000 }; // heartbeat unanswered this long = stall
    std::chrono::microseconds lagSampleInterval {
        50000
    }; // record a lag sample at least this often
    std::chrono::microseconds lagReportThreshold { 1000 }; // and every sample above this
    // Heartbeats only while work that could block the loop is under way (between workStarted()
    // and workFinished()): an idle loop is then never woken, and nothing blocks it either.
    bool onlyWhileWorking = false;
};

// Detects stalls of an event loop while they happen, whether or not the blocking
// code is annotated: a thread of its own posts a heartbeat event to the watched
// loop's thread (the thread loopObject lives on) every ~2 ms and measures how late
// it is processed. A heartbeat
// unanswered for longer than the threshold records LoopStallBegin right away (so
// the GUI can draw the red bar growing) and LoopStallEnd when the loop answers.
// With onlyWhileWorking it posts heartbeats only while the owner says work that
// could block is running, and otherwise sleeps until told of some.
// The watched object must outlive the watchdog (or stop() must come first).
class LoopWatchdog : public QObject
{
    Q_OBJECT
public:
    explicit LoopWatchdog(
        QObject *loopObject, WatchdogOptions options = {}, QObject *parent = nullptr);
    ~LoopWatchdog() override;

    void start();
    void stop();

    bool stalled() const noexcept { return m_stalled.load(std::memory_order_acquire); }
    std::uint64_t stallCount() const noexcept
    {
        return m_stallCount.load(std::memory_order_relaxed);
    }
    Nanos totalStallNs() const noexcept { return m_totalStallNs.load(std::memory_order_relaxed); }
    Nanos lastLagNs() const noexcept { return m_lastLagNs.load(std::memory_order_relaxed); }
    // The loop's lag now, for any display: while a heartbeat is overdue, how late it is so far
    // (so a stall shows its growing lag at once, never the last quiet sample); else the lag of
    // the last answered heartbeat. After a late answer the watchdog keeps sampling until the
    // lag is back under lagReportThreshold (at most a second), even with no work under way, so
    // the figure never stays at a stall's lag once the loop is free again.
    Nanos lagNs() const noexcept;
    std::uint64_t heartbeats() const noexcept
    {
        return m_heartbeats.load(std::memory_order_relaxed);
    }

    // Work that may run on the watched loop (a request, a background task) began or ended. Any
    // thread; an atomic each, and a wake-up of the watchdog when the first one begins. Counted
    // only with WatchdogOptions::onlyWhileWorking.
    void workStarted() noexcept;
    void workFinished() noexcept;

Q_SIGNALS:
    // Emitted from the watchdog thread; connect with a queued connection.
    void stallStarted(qint64 startNs);
    void stallEnded(qint64 durationNs);

private:
    struct Heartbeat; // shared with the receiver, which may outlive this object
    class Receiver;
    void run();
    Nanos postHeartbeat(std::uint64_t seq); // returns when it was posted

    QObject *const m_loopObject;
    const WatchdogOptions m_options;
    std::shared_ptr<Heartbeat> m_heartbeat;
    Receiver *m_receiver = nullptr; // on the loop's thread while running

    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    // Under m_mutex: resting until work starts; the heartbeat workStarted() posted on waking it.
    bool m_resting = false;
    std::uint64_t m_wokenSeq = 0;
    Nanos m_wokenPostedAt = 0;
    std::thread m_thread;

    std::atomic<bool> m_stalled { false };
    std::atomic<std::uint64_t> m_stallCount { 0 };
    std::atomic<Nanos> m_totalStallNs { 0 };
    std::atomic<Nanos> m_lastLagNs { 0 };
    std::atomic<Nanos> m_overdueSince { 0 }; // posting time of the unanswered heartbeat, 0 = none
    std::atomic<std::uint64_t> m_heartbeats { 0 };
    std::atomic<int> m_work { 0 };
};

// One piece of work for the watchdog, for as long as this lives (in a request's or a task's
// coroutine frame). A null watchdog: nobody is watching.
class LoopWork
{
public:
    explicit LoopWork(LoopWatchdog *watchdog) noexcept
        : m_watchdog(watchdog)
    {
        if (m_watchdog)
            m_watchdog->workStarted();
    }
    ~LoopWork()
    {
        if (m_watchdog)
            m_watchdog->workFinished();
    }
    LoopWork(const LoopWork &) = delete;
    LoopWork &operator=(const LoopWork &) = delete;

private:
    LoopWatchdog *const m_watchdog;
};

} // namespace loopscope::trace
