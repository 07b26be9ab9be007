#pragma once

#include "subscription.h"
#include "trace.h"
#include "tracemetrics.h"

#include <QtCore/QByteArray>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace loopscope::trace {

// Process-wide consumer of all producer rings. One collector thread drains every
// ring every few milliseconds and feeds, in time order per batch: the retained
// window (what exporters see), the metrics, and the live subscriptions.
// Ordering guarantee: one thread's events always arrive in recording order; across
// threads only within a batch (a ring drained late can deliver an event slightly
// older than the previous batch's newest).
class TraceHub
{
public:
    static constexpr std::size_t kDefaultRetainedEvents = 2'000'000;
    static constexpr std::chrono::seconds kDefaultRetention { 300 };
    static constexpr std::chrono::milliseconds kDefaultCollectInterval { 4 };

    static TraceHub &instance();

    void start();
    void stop();
    bool isRunning() const;

    void setRetention(std::chrono::seconds window);
    void setRetainedCapacity(std::size_t events);
    void setCollectInterval(std::chrono::milliseconds interval);

    std::shared_ptr<Subscription> subscribe(std::size_t capacity);

    // Drains all rings now on the calling thread (also works when not started):
    // everything recorded before the call has reached window, metrics and
    // subscriptions when it returns.
    void flush();

    std::vector<Event> retained() const; // copy of the window, time-ordered per batch
    // The window page by page, for an export that must not copy it whole: each call fills
    // `page` with up to `pageEvents` events with since <= time <= until, in window order, and
    // returns false once the window as it was at the first call is read. Events the window
    // trims meanwhile are skipped, never repeated.
    std::function<bool(std::vector<Event> &page)> retainedPages(
        Nanos since, Nanos until, std::size_t pageEvents) const;
    void clearRetained();

    std::uint64_t droppedEvents() const; // lost in full producer rings
    std::uint64_t subscriberDroppedEvents() const; // lost by live subscriptions, summed
    std::uint64_t collectedEvents() const;

    QByteArray prometheusText() const;
    QByteArray chromeTraceJson() const;

    ~TraceHub();

private:
    TraceHub() = default;
    void run();
    std::size_t collectOnce(); // returns the number of events collected
    void mergeRuns();
    void trimWindow();

    mutable std::mutex m_collectMutex; // one consumer of the rings at a time
    std::vector<Event> m_batch; // reused between collections
    std::vector<std::size_t> m_runEnds;

    mutable std::mutex m_windowMutex;
    std::deque<Event> m_window;
    std::uint64_t m_trimmedEvents = 0; // ever removed from the window's front: a page position
    std::size_t m_retainedCapacity = kDefaultRetainedEvents;
    Nanos m_retentionNs = std::chrono::nanoseconds(kDefaultRetention).count();

    mutable std::mutex m_metricsMutex;
    TraceMetrics m_metrics;

    mutable std::mutex m_subscribersMutex;
    std::vector<std::weak_ptr<Subscription>> m_subscribers;

    std::mutex m_runMutex; // guards the collector thread's lifecycle and sleep
    std::condition_variable m_wake;
    std::thread m_collector;
    bool m_stopping = false;
    std::atomic<bool> m_running { false };
    std::chrono::milliseconds m_interval = kDefaultCollectInterval;
    std::atomic<std::uint64_t> m_collected { 0 };
};

} // namespace loopscope::trace
