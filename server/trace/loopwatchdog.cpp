#include "loopwatchdog.h"

#include "tracelogging.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QEvent>
#include <QtCore/QThread>
#include <atomic>

namespace loopscope::trace {

struct LoopWatchdog::Heartbeat
{
    std::atomic<std::uint64_t> postedSeq { 0 };
    std::atomic<std::uint64_t> answeredSeq { 0 };
    std::atomic<Nanos> answeredAt { 0 };
};

namespace {

const QEvent::Type kHeartbeatEvent = static_cast<QEvent::Type>(QEvent::registerEventType());

class HeartbeatEvent : public QEvent
{
public:
    explicit HeartbeatEvent(std::uint64_t seq)
        : QEvent(kHeartbeatEvent)
        , m_seq(seq)
    { }
    std::uint64_t seq() const { return m_seq; }

private:
    std::uint64_t m_seq;
};

} // namespace

// Lives on the watched loop's thread and stamps heartbeats as the loop gets to
// them. A posted event rather than invokeMethod(functor): the functor's slot
// object is freed by whichever thread drops the last reference, inside Qt code
// the thread sanitizer cannot see, so it reports a race we cannot annotate; an
// event we allocate ourselves can be ordered with an atomic we own.
class LoopWatchdog::Receiver : public QObject
{
public:
    explicit Receiver(std::shared_ptr<Heartbeat> heartbeat)
        : m_heartbeat(std::move(heartbeat))
    {
        // Made on the watchdog's owner's thread, used on the loop's: its first event there may
        // come before any heartbeat (the move to that thread's own), so it is published here.
        m_published.store(m_heartbeat.get(), std::memory_order_release);
    }

    bool event(QEvent *event) override
    {
        // Pairs with the release above, and the postedSeq load with the release after
        // allocating a heartbeat event: the thread sanitizer cannot see inside Qt's event
        // queue, so the orders it gives are made again with atomics it sees. No member is read
        // before them.
        Heartbeat *heartbeat = m_published.load(std::memory_order_acquire);
        (void)heartbeat->postedSeq.load(std::memory_order_acquire);
        if (event->type() != kHeartbeatEvent)
            return QObject::event(event);
        heartbeat->answeredAt.store(nowNs(), std::memory_order_relaxed);
        heartbeat->answeredSeq.store(
            static_cast<HeartbeatEvent *>(event)->seq(), std::memory_order_release);
        return true;
    }

private:
    const std::shared_ptr<Heartbeat> m_heartbeat; // keeps it alive; read through m_published
    std::atomic<Heartbeat *> m_published { nullptr };
};

LoopWatchdog::LoopWatchdog(QObject *loopObject, WatchdogOptions options, QObject *parent)
    : QObject(parent)
    , m_loopObject(loopObject)
    , m_options(options)
    , m_heartbeat(std::make_shared<Heartbeat>())
{ }

LoopWatchdog::~LoopWatchdog()
{
    stop();
}

void LoopWatchdog::start()
{
    const std::lock_guard lock(m_mutex);
    if (m_thread.joinable())
        return;
    m_stopping = false;
    m_receiver = new Receiver(m_heartbeat);
    m_receiver->moveToThread(m_loopObject->thread());
    m_thread = std::thread([this] { run(); });
}

void LoopWatchdog::stop()
{
    std::thread thread;
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
        thread = std::move(m_thread);
    }
    m_wake.notify_all();
    if (thread.joinable())
        thread.join();
    m_overdueSince.store(0, std::memory_order_relaxed); // nobody waits for that answer any more
    if (m_receiver) {
        // A finished loop would never run a deferred delete; on its own thread
        // (the usual case: the server tears down on its loop) it can go at once.
        QThread *loop = m_receiver->thread();
        if (loop == QThread::currentThread() || loop->isFinished())
            delete m_receiver;
        else
            m_receiver->deleteLater();
        m_receiver = nullptr;
    }
}

Nanos LoopWatchdog::lagNs() const noexcept
{
    const Nanos last = m_lastLagNs.load(std::memory_order_relaxed);
    const Nanos since = m_overdueSince.load(std::memory_order_relaxed);
    return since ? std::max(last, nowNs() - since) : last;
}

Nanos LoopWatchdog::postHeartbeat(std::uint64_t seq)
{
    const Nanos postedAt = nowNs();
    m_overdueSince.store(postedAt, std::memory_order_relaxed);
    m_heartbeats.fetch_add(1, std::memory_order_relaxed);
    auto *event = new HeartbeatEvent(seq);
    m_heartbeat->postedSeq.store(seq, std::memory_order_release);
    QCoreApplication::postEvent(m_receiver, event);
    return postedAt;
}

void LoopWatchdog::workStarted() noexcept
{
    if (!m_options.onlyWhileWorking || m_work.fetch_add(1, std::memory_order_acq_rel) > 0)
        return;
    {
        // A resting watchdog would post its first heartbeat only once the scheduler runs it,
        // maybe after the work has already blocked the loop: posted here, now, it dates the
        // stall from the moment the work began. Under the lock, so the watchdog either sees
        // the work before resting or is resting already.
        const std::lock_guard lock(m_mutex);
        if (!m_resting)
            return;
        m_resting = false;
        m_wokenSeq = m_heartbeat->postedSeq.load(std::memory_order_relaxed) + 1;
        m_wokenPostedAt = postHeartbeat(m_wokenSeq);
    }
    m_wake.notify_all();
}

void LoopWatchdog::workFinished() noexcept
{
    if (m_options.onlyWhileWorking)
        m_work.fetch_sub(1, std::memory_order_acq_rel);
}

void LoopWatchdog::run()
{
    setThreadName(QStringLiteral("loop watchdog"));
    prepareRing(); // a stall's first record must not wait for it
    using namespace std::chrono;
    const Nanos interval = nanoseconds(m_options.heartbeatInterval).count();
    const Nanos threshold = nanoseconds(m_options.stallThreshold).count();
    const Nanos sampleInterval = nanoseconds(m_options.lagSampleInterval).count();
    const Nanos reportLag = nanoseconds(m_options.lagReportThreshold).count();

    std::uint64_t seq = m_heartbeat->answeredSeq.load();
    Nanos postedAt = 0;
    bool outstanding = false;
    std::uint64_t stallId = 0;
    Nanos stallStart = 0;
    Nanos lastSample = 0;
    Nanos lastRecordedLag = 0;
    // After a late answer: keep sampling, work or not, until the lag is back down (or this
    // time passes), so the last figure is never a stall's.
    Nanos settleUntil = 0;
    constexpr Nanos kSettleFor = 1'000'000'000;

    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        lock.unlock();
        const Nanos now = nowNs();
        Nanos wakeAt = now + interval;

        if (outstanding && m_heartbeat->answeredSeq.load(std::memory_order_acquire) == seq) {
            outstanding = false;
            const Nanos answeredAt = m_heartbeat->answeredAt.load(std::memory_order_relaxed);
            const Nanos lag = answeredAt - postedAt;
            m_lastLagNs.store(lag, std::memory_order_relaxed);
            m_overdueSince.store(0, std::memory_order_relaxed);
            settleUntil = lag > reportLag ? answeredAt + kSettleFor : 0;
            if (stallId) {
                const Nanos duration = answeredAt - stallStart;
                record(Kind::LoopStallEnd, stallId, 0, 0, duration);
                m_totalStallNs.fetch_add(duration, std::memory_order_relaxed);
                m_stallCount.fetch_add(1, std::memory_order_relaxed);
                m_stalled.store(false, std::memory_order_release);
                stallId = 0;
                Q_EMIT stallEnded(duration);
            }
            // Subsampled: a sample per heartbeat would flood the trace for nothing. The first
            // quiet sample after a late one is always kept: it shows the loop recovered.
            if (lag > reportLag || lastRecordedLag > reportLag
                || answeredAt - lastSample >= sampleInterval) {
                record(Kind::LoopLag, 0, 0, 0, lag);
                lastSample = answeredAt;
                lastRecordedLag = lag;
            }
        }

        if (outstanding) {
            if (!stallId && now - postedAt > threshold
                && m_heartbeat->answeredSeq.load(std::memory_order_acquire) != seq) {
                // The loop has not run the heartbeat since postedAt: it has been
                // stuck (in one call or a chain of them) since about then.
                stallId = newSpanId();
                stallStart = postedAt;
                record(Kind::LoopStallBegin, stallId, 0, 0, stallStart);
                m_stalled.store(true, std::memory_order_release);
                qCDebug(lcTrace) << "loop stalled since" << stallStart << "ns";
                Q_EMIT stallStarted(stallStart);
            }
            // Poll for the answer; before the threshold, wake right at it.
            wakeAt = stallId ? now + interval : std::min(now + interval, postedAt + threshold + 1);
        } else if (m_options.onlyWhileWorking && m_work.load(std::memory_order_acquire) == 0
            && now >= settleUntil) {
            // Nothing runs that could block the loop: rest until something does (or stop).
            lock.lock();
            if (m_work.load(std::memory_order_acquire) == 0) {
                m_resting = true;
                m_wake.wait(lock, [this] { return m_stopping || !m_resting; });
                if (!m_resting && m_wokenSeq != seq) { // woken with a heartbeat under way
                    seq = m_wokenSeq;
                    postedAt = m_wokenPostedAt;
                    outstanding = true;
                }
                m_resting = false;
            }
            continue;
        } else if (now - postedAt >= interval) {
            postedAt = postHeartbeat(++seq);
            outstanding = true;
            wakeAt = postedAt + interval;
        } else {
            wakeAt = postedAt + interval;
        }

        lock.lock();
        m_wake.wait_for(lock, nanoseconds(std::max<Nanos>(wakeAt - nowNs(), 100'000)),
            [this] { return m_stopping; });
    }
}

} // namespace loopscope::trace
