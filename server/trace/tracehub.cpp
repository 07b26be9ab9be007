#include "tracehub.h"

#include "chrometrace.h"
#include "ringregistry.h"

#include <algorithm>

namespace loopscope::trace {

TraceHub &TraceHub::instance()
{
    static TraceHub hub;
    return hub;
}

TraceHub::~TraceHub()
{
    stop();
}

void TraceHub::start()
{
    const std::lock_guard lock(m_runMutex);
    if (m_collector.joinable())
        return;
    m_stopping = false;
    m_running.store(true);
    m_collector = std::thread([this] { run(); });
}

void TraceHub::stop()
{
    std::thread collector;
    {
        const std::lock_guard lock(m_runMutex);
        m_stopping = true;
        collector = std::move(m_collector);
    }
    m_wake.notify_all();
    if (collector.joinable())
        collector.join();
    m_running.store(false);
}

bool TraceHub::isRunning() const
{
    return m_running.load();
}

void TraceHub::setRetention(std::chrono::seconds window)
{
    {
        const std::lock_guard lock(m_windowMutex);
        m_retentionNs = std::chrono::nanoseconds(window).count();
    }
    trimWindow();
}

void TraceHub::setRetainedCapacity(std::size_t events)
{
    {
        const std::lock_guard lock(m_windowMutex);
        m_retainedCapacity = events;
    }
    trimWindow();
}

void TraceHub::setCollectInterval(std::chrono::milliseconds interval)
{
    const std::lock_guard lock(m_runMutex);
    m_interval = std::max(interval, std::chrono::milliseconds(1));
}

std::shared_ptr<Subscription> TraceHub::subscribe(std::size_t capacity)
{
    auto subscription = std::make_shared<Subscription>(capacity);
    const std::lock_guard lock(m_subscribersMutex);
    m_subscribers.push_back(subscription);
    return subscription;
}

void TraceHub::run()
{
    // An idle server records almost nothing: back off up to 50 ms between empty collections so
    // an idle app costs no CPU, and return to the short interval as soon as events flow.
    constexpr std::chrono::milliseconds longestIdleInterval { 50 };
    std::chrono::milliseconds interval = m_interval;
    std::unique_lock lock(m_runMutex);
    while (!m_stopping) {
        lock.unlock();
        const std::size_t collected = collectOnce();
        lock.lock();
        interval = collected > 0 ? m_interval : std::min(interval * 2, longestIdleInterval);
        m_wake.wait_for(lock, interval, [this] { return m_stopping; });
    }
    lock.unlock();
    (void)collectOnce(); // what was recorded before stop() still counts
}

void TraceHub::flush()
{
    (void)collectOnce();
}

std::size_t TraceHub::collectOnce()
{
    const std::lock_guard collectLock(m_collectMutex);
    m_batch.clear();
    m_runEnds.clear();
    if (RingRegistry::instance().drainAll(m_batch, &m_runEnds) > 0) {
        mergeRuns();
        m_collected.fetch_add(m_batch.size(), std::memory_order_relaxed);

        {
            const std::lock_guard lock(m_windowMutex);
            m_window.insert(m_window.end(), m_batch.begin(), m_batch.end());
        }
        trimWindow();

        const std::lock_guard lock(m_subscribersMutex);
        std::erase_if(m_subscribers, [this](const std::weak_ptr<Subscription> &weak) {
            if (const auto subscription = weak.lock()) {
                subscription->push(m_batch);
                return false;
            }
            return true;
        });
    }
    const std::uint64_t subscriberDropped = subscriberDroppedEvents();
    const std::lock_guard lock(m_metricsMutex);
    m_metrics.add(m_batch);
    m_metrics.setDroppedEvents(RingRegistry::instance().droppedEvents(), subscriberDropped);
    return m_batch.size();
}

void TraceHub::mergeRuns()
{
    // Rings are drained one after the other, so a batch is a concatenation of
    // per-thread runs, each already in time order. Merging neighbours pairwise
    // costs log2(threads) passes instead of a full sort's log2(events), and
    // inplace_merge is stable: equal timestamps keep one thread's order.
    const auto before = [](const Event &a, const Event &b) { return a.time < b.time; };
    while (m_runEnds.size() > 1) {
        std::size_t begin = 0;
        std::size_t kept = 0;
        for (std::size_t i = 0; i < m_runEnds.size(); i += 2) {
            if (i + 1 < m_runEnds.size()) {
                std::inplace_merge(m_batch.begin() + begin, m_batch.begin() + m_runEnds[i],
                    m_batch.begin() + m_runEnds[i + 1], before);
                begin = m_runEnds[i + 1];
            } else {
                begin = m_runEnds[i];
            }
            m_runEnds[kept++] = begin;
        }
        m_runEnds.resize(kept);
    }
}

void TraceHub::trimWindow()
{
    const std::lock_guard lock(m_windowMutex);
    while (m_window.size() > m_retainedCapacity) {
        m_window.pop_front();
        ++m_trimmedEvents;
    }
    if (m_window.empty())
        return;
    const Nanos horizon = m_window.back().time - m_retentionNs;
    while (!m_window.empty() && m_window.front().time < horizon) {
        m_window.pop_front();
        ++m_trimmedEvents;
    }
}

std::vector<Event> TraceHub::retained() const
{
    const std::lock_guard lock(m_windowMutex);
    return { m_window.begin(), m_window.end() };
}

std::function<bool(std::vector<Event> &)> TraceHub::retainedPages(
    Nanos since, Nanos until, std::size_t pageEvents) const
{
    std::uint64_t end = 0;
    {
        const std::lock_guard lock(m_windowMutex);
        end = m_trimmedEvents + m_window.size();
    }
    // Positions count every event the window ever held, so trimming cannot shift a reader.
    return [this, since, until, pageEvents, end, position = std::uint64_t(0)](
               std::vector<Event> &page) mutable {
        if (position >= end)
            return false;
        const std::lock_guard lock(m_windowMutex);
        position = std::max(position, m_trimmedEvents);
        // The window only grows at its back and loses events at its front, so `end` is still in
        // it or trimmed: never past its back.
        const std::uint64_t stop = std::min(end, position + pageEvents);
        for (; position < stop; ++position) {
            const Event &e = m_window[std::size_t(position - m_trimmedEvents)];
            if (e.time >= since && e.time <= until)
                page.push_back(e);
        }
        return true;
    };
}

void TraceHub::clearRetained()
{
    const std::lock_guard lock(m_windowMutex);
    m_trimmedEvents += m_window.size();
    m_window.clear();
}

std::uint64_t TraceHub::droppedEvents() const
{
    return RingRegistry::instance().droppedEvents();
}

std::uint64_t TraceHub::subscriberDroppedEvents() const
{
    const std::lock_guard lock(m_subscribersMutex);
    std::uint64_t total = 0;
    for (const auto &weak : m_subscribers) {
        if (const auto subscription = weak.lock())
            total += subscription->dropped();
    }
    return total;
}

std::uint64_t TraceHub::collectedEvents() const
{
    return m_collected.load(std::memory_order_relaxed);
}

QByteArray TraceHub::prometheusText() const
{
    QByteArray text;
    {
        const std::lock_guard lock(m_metricsMutex);
        text = m_metrics.prometheusText();
    }
    std::size_t windowEvents = 0;
    {
        const std::lock_guard lock(m_windowMutex);
        windowEvents = m_window.size();
    }
    // The window grows by design until it spans its retention, and each recording thread adds
    // its ring: a soak subtracts both to see whether anything else grows.
    text += "# HELP loopscope_trace_memory_bytes Memory the trace holds: the producer ring of "
            "each recording thread, and the retained window.\n"
            "# TYPE loopscope_trace_memory_bytes gauge\n"
            "loopscope_trace_memory_bytes{part=\"rings\"} "
        + QByteArray::number(qulonglong(RingRegistry::instance().bytesHeld()))
        + "\nloopscope_trace_memory_bytes{part=\"window\"} "
        + QByteArray::number(qulonglong(windowEvents) * sizeof(Event))
        + "\n# HELP loopscope_trace_ring_budget_bytes What the rings may hold together "
          "(--trace-ring-budget).\n"
          "# TYPE loopscope_trace_ring_budget_bytes gauge\n"
          "loopscope_trace_ring_budget_bytes "
        + QByteArray::number(qulonglong(RingRegistry::instance().byteBudget())) + '\n';
    return text;
}

QByteArray TraceHub::chromeTraceJson() const
{
    // Copy first so the collector is held up for a memcpy, not for the formatting.
    const std::vector<Event> events = retained();
    return trace::chromeTraceJson(events);
}

} // namespace loopscope::trace
