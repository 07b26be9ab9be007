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
};

// Detects stalls of an event loop while they happen, whether or not the blocking
// code is annotated: a thread of its own posts a heartbeat event to the watched
// loop's thread (the thread loopObject lives on) every ~2 ms and measures how late
// it is processed. A heartbeat
// unanswered for longer than the threshold records LoopStallBegin right away (so
// the GUI can draw the red bar growing) and LoopStallEnd when the loop answers.
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
    std::uint64_t heartbeats() const noexcept
    {
        return m_heartbeats.load(std::memory_order_relaxed);
    }

Q_SIGNALS:
    // Emitted from the watchdog thread; connect with a queued connection.
    void stallStarted(qint64 startNs);
    void stallEnded(qint64 durationNs);

private:
    struct Heartbeat; // shared with the receiver, which may outlive this object
    class Receiver;
    void run();

    QObject *const m_loopObject;
    const WatchdogOptions m_options;
    std::shared_ptr<Heartbeat> m_heartbeat;
    Receiver *m_receiver = nullptr; // on the loop's thread while running

    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;

    std::atomic<bool> m_stalled { false };
    std::atomic<std::uint64_t> m_stallCount { 0 };
    std::atomic<Nanos> m_totalStallNs { 0 };
    std::atomic<Nanos> m_lastLagNs { 0 };
    std::atomic<std::uint64_t> m_heartbeats { 0 };
};

} // namespace loopscope::trace
