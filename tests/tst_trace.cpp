// Tracing library: rings, labels, hub, subscriptions, watchdog and exporters.
// The hub and the rings are process-wide, so every test filters the events it
// looks at by the spans it created itself.

#include "chrometrace.h"
#include "eventdecoder.h"
#include "loopwatchdog.h"
#include "realtimeclock.h"
#include "ringregistry.h"
#include "sessionclock.h"
#include "spanindex.h"
#include "trace.h"
#include "tracehub.h"

#include "support/hangguard.h"
#include "support/processstatus.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtCore/QScopeGuard>
#include <QtCore/QSet>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtTest/QTest>

#include <algorithm>
#include <future>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <time.h>

using loopscope::testing::hangGuardMs;
using namespace loopscope::trace;
using loopscope::testing::rssKb;
using namespace std::chrono_literals;

namespace {

std::vector<Event> drainSpans(Subscription &subscription, const std::set<std::uint64_t> &spans)
{
    TraceHub::instance().flush();
    std::vector<Event> batch;
    subscription.drain(batch);
    std::erase_if(batch, [&](const Event &e) { return !spans.contains(e.span); });
    return batch;
}

QString hexId(std::uint64_t span)
{
    return QStringLiteral("0x") + QString::number(span, 16);
}

// Prometheus text exposition checker: every sample line is `name{labels} value`
// and belongs to a family declared with HELP and TYPE before it.
QString prometheusProblem(const QByteArray &text)
{
    static const QRegularExpression sample(QStringLiteral(
        "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:\\\\.|[^\"\\\\])*\""
        "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:\\\\.|[^\"\\\\])*\")*\\})? (\\S+)$"));
    static const QRegularExpression help(QStringLiteral("^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$"));
    static const QRegularExpression type(QStringLiteral(
        "^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$"));
    QSet<QString> helped;
    QMap<QString, QString> typed;
    if (!text.endsWith('\n'))
        return QStringLiteral("no final newline");
    const QString all = QString::fromUtf8(text);
    const QStringList lines = all.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        if (const auto m = help.match(line); m.hasMatch()) {
            helped.insert(m.captured(1));
            continue;
        }
        if (const auto m = type.match(line); m.hasMatch()) {
            typed.insert(m.captured(1), m.captured(2));
            continue;
        }
        if (line.startsWith(QLatin1Char('#')))
            return QStringLiteral("bad comment: ") + line;
        const auto m = sample.match(line);
        if (!m.hasMatch())
            return QStringLiteral("bad sample: ") + line;
        bool ok = false;
        const QString value = m.captured(3);
        value.toDouble(&ok);
        if (!ok && value != QLatin1StringView("+Inf") && value != QLatin1StringView("-Inf")
            && value != QLatin1StringView("NaN"))
            return QStringLiteral("bad value: ") + line;
        QString family = m.captured(1);
        for (const auto suffix : { QLatin1StringView("_bucket"), QLatin1StringView("_sum"),
                 QLatin1StringView("_count") }) {
            const QString base = family.chopped(std::min<qsizetype>(family.size(), suffix.size()));
            if (family.endsWith(suffix) && typed.value(base) == QLatin1StringView("histogram"))
                family = base;
        }
        if (!helped.contains(family) || !typed.contains(family))
            return QStringLiteral("no HELP/TYPE before: ") + line;
    }
    return {};
}

double sampleValue(const QByteArray &text, const QByteArray &series)
{
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(QByteArray(series + ' ')))
            return line.mid(series.size() + 1).toDouble();
    }
    return -1;
}

// The thread sanitizer cannot see inside Qt's event queue (Qt is not
// instrumented), so everything handed to the loop thread here is ordered with
// atomics of our own: the thread's start, and each posted event.
void startLoop(QThread &thread)
{
    std::atomic<bool> started { false };
    const auto connection = QObject::connect(
        &thread, &QThread::started, &thread,
        [&] { started.store(true, std::memory_order_release); }, Qt::DirectConnection);
    thread.start();
    QTRY_VERIFY(started.load(std::memory_order_acquire));
    QObject::disconnect(connection);
}

const QEvent::Type kSleepEvent = static_cast<QEvent::Type>(QEvent::registerEventType());

// The object the watchdog watches; a posted sleep event blocks its loop the way
// a `time.sleep` in an `async def` blocks the server loop.
class LoopObject : public QObject
{
public:
    void postSleep(std::chrono::milliseconds duration)
    {
        m_duration = duration;
        auto *event = new QEvent(kSleepEvent);
        m_posted.store(true, std::memory_order_release);
        QCoreApplication::postEvent(this, event);
    }
    bool event(QEvent *event) override
    {
        (void)m_posted.load(std::memory_order_acquire); // before touching the event
        if (event->type() != kSleepEvent)
            return QObject::event(event);
        sleepStart.store(nowNs());
        std::this_thread::sleep_for(m_duration); // the deliberate mistake under test
        sleepEnd.store(nowNs());
        return true;
    }

    std::atomic<Nanos> sleepStart { 0 };
    std::atomic<Nanos> sleepEnd { 0 };

private:
    std::chrono::milliseconds m_duration { 0 };
    std::atomic<bool> m_posted { false };
};

} // namespace

class TraceTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void spanIdsUniqueAndNonZero();
    void eventsArriveInOrderPerThread_data();
    void eventsArriveInOrderPerThread();
    void fullRingDropsAndNeverBlocks();
    void exitedThreadRingIsFreed();
    void ringIsResidentFromItsFirstEvent();
    void preparedRingIsMadeBeforeAnyEvent();
    void ringsShareOneBudget();
    void labelsStableAcrossThreads();
    void requestIdTruncated();
    void nothingIsRecordedWhileRecordingIsOff();
    void threadNames();
    void subscriptionDropsWhenFull();
    void retentionTrimsWindow();
    void decodeNamesEachKind_data();
    void decodeNamesEachKind();
    void decodeReadsTheVariantCode();
    void spanIndexGroupsRequest();
    void chromeJsonForSyntheticRequest();
    void chromeJsonShowsTheWaitInTheSocket_data();
    void chromeJsonShowsTheWaitInTheSocket();
    void realtimeMapsOntoTheTraceClock();
    void prometheusTextParses();
    void watchdogDetectsBlockingSleep();
    void watchdogQuietOnIdleLoop();
    void watchdogHeartbeatsOnlyWhileWorking();
    void watchdogLagIsNeverStale();

private:
    struct Synthetic
    {
        std::uint64_t request = 0;
        std::uint64_t job = 0;
        std::uint64_t task = 0;
        std::uint32_t workerThread = 0;
    };
    Synthetic recordSyntheticRequest(std::string_view route, int status);
};

void TraceTest::initTestCase()
{
    setThreadName(QStringLiteral("test main"));
    TraceHub::instance().setCollectInterval(2ms);
    TraceHub::instance().start();
    QVERIFY(TraceHub::instance().isRunning());
}

void TraceTest::cleanupTestCase()
{
    TraceHub::instance().stop();
}

void TraceTest::spanIdsUniqueAndNonZero()
{
    std::set<std::uint64_t> seen;
    std::vector<std::thread> threads;
    std::vector<std::vector<std::uint64_t>> ids(4);
    for (auto &out : ids)
        threads.emplace_back([&out] {
            for (int i = 0; i < 1000; ++i)
                out.push_back(newSpanId());
        });
    for (auto &t : threads)
        t.join();
    for (const auto &out : ids)
        for (const auto id : out) {
            QVERIFY(id != 0);
            QVERIFY(seen.insert(id).second);
        }
}

void TraceTest::eventsArriveInOrderPerThread_data()
{
    QTest::addColumn<int>("threadCount");
    QTest::addColumn<int>("eventsPerThread");
    QTest::newRow("one thread") << 1 << 5000;
    QTest::newRow("four threads") << 4 << 3000;
    QTest::newRow("eight threads") << 8 << 1000;
}

void TraceTest::eventsArriveInOrderPerThread()
{
    QFETCH(int, threadCount);
    QFETCH(int, eventsPerThread);
    const auto subscription = TraceHub::instance().subscribe(1'000'000);
    const std::uint32_t lbl = label("ordered");

    std::vector<std::uint64_t> spans(threadCount);
    std::vector<std::uint32_t> threadIndex(threadCount);
    std::vector<std::thread> producers;
    for (int t = 0; t < threadCount; ++t) {
        spans[t] = newSpanId();
        producers.emplace_back([&, t] {
            threadIndex[t] = currentThreadIndex();
            for (int i = 0; i < eventsPerThread; ++i)
                record(Kind::AwaitSuspend, spans[t], lbl, spans[t] + 1, i);
        });
    }
    for (auto &p : producers)
        p.join();

    const std::vector<Event> events = drainSpans(*subscription, { spans.begin(), spans.end() });
    QCOMPARE(events.size(), std::size_t(threadCount) * eventsPerThread);
    std::map<std::uint64_t, std::int64_t> next;
    std::set<std::uint32_t> lanes;
    for (const Event &e : events) {
        const auto t = std::size_t(std::find(spans.begin(), spans.end(), e.span) - spans.begin());
        QCOMPARE(e.kind, Kind::AwaitSuspend);
        QCOMPARE(e.label, lbl);
        QCOMPARE(e.link, e.span + 1);
        QCOMPARE(e.thread, threadIndex[t]);
        QCOMPARE(e.value, next[e.span]++); // per-thread order survives the merge
        QVERIFY(e.time > 0);
        lanes.insert(e.thread);
    }
    QCOMPARE(lanes.size(), std::size_t(threadCount));
    // Each thread's timestamps are monotonic (order across batches is only per thread).
    std::map<std::uint64_t, Nanos> lastTime;
    for (const Event &e : events) {
        QVERIFY(e.time >= lastTime[e.span]);
        lastTime[e.span] = e.time;
    }
}

void TraceTest::fullRingDropsAndNeverBlocks()
{
    // Nobody drains while the producer runs, so the ring must fill up and drop.
    TraceHub &hub = TraceHub::instance();
    hub.stop();
    hub.flush();
    const auto subscription = hub.subscribe(100'000);
    const std::uint64_t droppedBefore = hub.droppedEvents();
    const std::uint64_t span = newSpanId();
    constexpr int kCapacity = 1024;
    constexpr int kRecorded = 200'000;
    qint64 elapsedNs = 0;
    std::thread producer([&] {
        QVERIFY(setRingCapacity(kCapacity));
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < kRecorded; ++i)
            record(Kind::HandlerStarted, span, 0, 0, i);
        elapsedNs = timer.nsecsElapsed();
        QVERIFY(!setRingCapacity(kCapacity)); // too late once the ring exists
    });
    producer.join();
    // The proof that the producer never waited: with the collector stopped, a waiting producer
    // would never have returned, and one that waited for room would have dropped nothing.
    QCOMPARE(hub.droppedEvents() - droppedBefore, std::uint64_t(kRecorded - kCapacity));
    qInfo("%d events recorded into a full ring in %.2f ms", kRecorded, elapsedNs / 1e6);

    hub.start();
    const std::vector<Event> events = drainSpans(*subscription, { span });
    QCOMPARE(events.size(), std::size_t(kCapacity));
    QCOMPARE(events.front().value, 0); // the oldest events are kept, the newest dropped
    QCOMPARE(events.back().value, kCapacity - 1);
    QVERIFY(hub.prometheusText().contains("loopscope_trace_events_dropped_total "));
}

void TraceTest::exitedThreadRingIsFreed()
{
    TraceHub::instance().flush();
    const std::size_t before = RingRegistry::instance().ringCount();
    const auto subscription = TraceHub::instance().subscribe(1000);
    const std::uint64_t span = newSpanId();
    std::thread([span] { record(Kind::TaskFinished, span); }).join();
    // The ring outlives its thread until the collector has taken its events.
    const std::vector<Event> events = drainSpans(*subscription, { span });
    QCOMPARE(events.size(), std::size_t(1));
    QTRY_COMPARE(RingRegistry::instance().ringCount(), before);
}

void TraceTest::ringIsResidentFromItsFirstEvent()
{
    // A 16 MiB ring: far above what the rest of the process does meanwhile.
    constexpr std::size_t kCapacity = 1 << 18;
    constexpr qint64 kRingKiB = kCapacity * sizeof(Event) / 1024;
    const std::size_t heldBefore = RingRegistry::instance().bytesHeld();
    qint64 rssBeforeKiB = 0;
    qint64 rssAfterKiB = 0;
    std::size_t heldAfter = 0;
    std::thread([&] {
        QVERIFY(setRingCapacity(kCapacity));
        rssBeforeKiB = rssKb(QCoreApplication::applicationPid());
        record(Kind::TaskFinished, newSpanId());
        rssAfterKiB = rssKb(QCoreApplication::applicationPid());
        heldAfter = RingRegistry::instance().bytesHeld();
    }).join();
    QCOMPARE(heldAfter - heldBefore, kCapacity * sizeof(Event));
    // Resident at once, not page by page as the ring first wraps.
    QVERIFY2(rssAfterKiB - rssBeforeKiB >= kRingKiB * 9 / 10,
        qPrintable(QStringLiteral("RSS %1 -> %2 KiB").arg(rssBeforeKiB).arg(rssAfterKiB)));
    QTRY_COMPARE(RingRegistry::instance().bytesHeld(), heldBefore); // freed with its thread
}

void TraceTest::preparedRingIsMadeBeforeAnyEvent()
{
    constexpr std::size_t kCapacity = 1 << 12;
    const std::size_t heldBefore = RingRegistry::instance().bytesHeld();
    std::size_t heldPrepared = 0;
    std::size_t heldAfterEvent = 0;
    bool capacityStillOpen = true;
    std::thread([&] {
        QVERIFY(setRingCapacity(kCapacity));
        QVERIFY(prepareRing());
        heldPrepared = RingRegistry::instance().bytesHeld();
        capacityStillOpen = setRingCapacity(kCapacity * 2); // too late: the ring exists
        record(Kind::TaskFinished, newSpanId());
        heldAfterEvent = RingRegistry::instance().bytesHeld();
    }).join();
    // The ring, at its capacity, exists before the first event; the event makes no other.
    QCOMPARE(heldPrepared - heldBefore, kCapacity * sizeof(Event));
    QCOMPARE(heldAfterEvent, heldPrepared);
    QVERIFY(!capacityStillOpen);
    QTRY_COMPARE(RingRegistry::instance().bytesHeld(), heldBefore);
}

void TraceTest::ringsShareOneBudget()
{
    // Three threads each ask for a 2 MiB ring with 3 MiB of the budget left: the first gets
    // its 2, the second the 1 MiB left, the third the smallest ring. Once they are gone the
    // budget is whole again.
    RingRegistry &registry = RingRegistry::instance();
    TraceHub::instance().flush();
    const std::size_t budgetBefore = ringBudget();
    const auto restore = qScopeGuard([budgetBefore] { setRingBudget(budgetBefore); });
    const std::size_t heldBefore = registry.bytesHeld();
    setRingBudget(heldBefore + (3 << 20));
    constexpr std::size_t kWanted = (2 << 20) / sizeof(Event);
    std::latch release(1);
    std::vector<std::thread> threads;
    std::vector<std::size_t> granted;
    auto ringOfANewThread = [&release](std::promise<std::size_t> made) {
        setRingCapacity(kWanted);
        prepareRing();
        made.set_value(ringCapacity());
        release.wait(); // each keeps its ring while the next asks
    };
    for (int i = 0; i < 3; ++i) {
        std::promise<std::size_t> made;
        std::future<std::size_t> capacity = made.get_future();
        threads.emplace_back(ringOfANewThread, std::move(made));
        granted.push_back(capacity.get());
    }
    release.count_down();
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(granted, (std::vector<std::size_t> { kWanted, kWanted / 2, kMinRingCapacity }));
    QTRY_COMPARE_WITH_TIMEOUT(registry.bytesHeld(), heldBefore, hangGuardMs(5000));
    std::size_t again = 0;
    std::thread([&again] {
        setRingCapacity(kWanted);
        prepareRing();
        again = ringCapacity();
    }).join();
    QCOMPARE(again, kWanted);
}

void TraceTest::labelsStableAcrossThreads()
{
    QCOMPARE(label(""), 0u);
    QVERIFY(labelText(0).isEmpty());
    constexpr int kTexts = 200;
    std::vector<std::string> texts;
    for (int i = 0; i < kTexts; ++i)
        texts.push_back("label-stable-" + std::to_string(i) + (i % 2 ? " ünïcode" : ""));

    std::vector<std::vector<std::uint32_t>> ids(6, std::vector<std::uint32_t>(kTexts));
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < ids.size(); ++t)
        threads.emplace_back([&, t] {
            // Different orders so threads race on first sight of the same text.
            for (int k = 0; k < kTexts; ++k) {
                const int i = t % 2 ? kTexts - 1 - k : k;
                ids[t][i] = label(texts[i]);
            }
        });
    for (auto &t : threads)
        t.join();
    std::set<std::uint32_t> distinct;
    for (int i = 0; i < kTexts; ++i) {
        QVERIFY(ids[0][i] != 0);
        for (const auto &perThread : ids)
            QCOMPARE(perThread[i], ids[0][i]);
        QCOMPARE(label(texts[i]), ids[0][i]);
        QCOMPARE(labelText(ids[0][i]), QString::fromStdString(texts[i]));
        QCOMPARE(labelView(ids[0][i]), std::string_view(texts[i]));
        distinct.insert(ids[0][i]);
    }
    QCOMPARE(distinct.size(), std::size_t(kTexts));
}

void TraceTest::requestIdTruncated()
{
    const auto subscription = TraceHub::instance().subscribe(1000);
    const std::uint64_t shortSpan = newSpanId();
    const std::uint64_t longSpan = newSpanId();
    recordRequestId(shortSpan, "abc-123");
    recordRequestId(longSpan, "0123456789abcdef0123456789abcdef-long");
    const std::vector<Event> events = drainSpans(*subscription, { shortSpan, longSpan });
    QCOMPARE(events.size(), std::size_t(2));
    QCOMPARE(events[0].kind, Kind::RequestId);
    QCOMPARE(events[0].requestIdView(), QByteArrayView("abc-123"));
    QCOMPARE(events[1].requestIdView(), QByteArrayView("0123456789abcdef012345"));
}

void TraceTest::nothingIsRecordedWhileRecordingIsOff()
{
    const auto subscription = TraceHub::instance().subscribe(1000);
    const std::uint64_t off = newSpanId();
    const std::uint64_t on = newSpanId();
    setRecording(false);
    record(Kind::RequestAccepted, off);
    recordRequestId(off, "while-off");
    std::thread([off] { record(Kind::JobStarted, off); }).join(); // every thread
    setRecording(true);
    QVERIFY(isRecording());
    record(Kind::RequestAccepted, on);
    const std::vector<Event> events = drainSpans(*subscription, { off, on });
    QCOMPARE(events.size(), std::size_t(1));
    QCOMPARE(events[0].span, on);
}

void TraceTest::threadNames()
{
    std::uint32_t index = 0;
    std::thread([&] {
        setThreadName(QStringLiteral("named worker"));
        index = currentThreadIndex();
    }).join();
    QCOMPARE(threadName(index), QStringLiteral("named worker"));
    QCOMPARE(threadName(currentThreadIndex()), QStringLiteral("test main"));
    const std::vector<ThreadInfo> all = threads();
    QVERIFY(std::any_of(all.begin(), all.end(), [&](const ThreadInfo &t) {
        return t.index == index && t.name == QStringLiteral("named worker");
    }));
}

void TraceTest::subscriptionDropsWhenFull()
{
    Subscription direct(2);
    Event e {};
    const Event three[] = { e, e, e };
    QCOMPARE(direct.push(three), std::size_t(1));
    QCOMPARE(direct.dropped(), std::uint64_t(1));
    std::vector<Event> out;
    QCOMPARE(direct.drain(out), std::size_t(2));
    QCOMPARE(direct.drain(out), std::size_t(0));

    TraceHub &hub = TraceHub::instance();
    hub.flush();
    const auto small = hub.subscribe(100);
    const auto big = hub.subscribe(100'000);
    const std::uint64_t span = newSpanId();
    for (int i = 0; i < 500; ++i)
        record(Kind::AwaitResume, span, 0, 0, i);
    hub.flush();
    QVERIFY(small->dropped() >= 400);
    QVERIFY(hub.subscriberDroppedEvents() >= 400);
    std::vector<Event> batch;
    QCOMPARE(small->drain(batch), std::size_t(100));
    QCOMPARE(big->drain(batch) >= 500, true); // the big one is unaffected
    std::erase_if(batch, [&](const Event &ev) { return ev.span != span; });
    QCOMPARE(batch.size(), std::size_t(500));
}

void TraceTest::retentionTrimsWindow()
{
    TraceHub &hub = TraceHub::instance();
    hub.flush();
    hub.clearRetained();
    hub.setRetainedCapacity(50);
    const std::uint64_t span = newSpanId();
    for (int i = 0; i < 200; ++i)
        record(Kind::AwaitResume, span, 0, 0, i);
    hub.flush();
    std::vector<Event> window = hub.retained();
    QVERIFY(window.size() <= 50);
    std::erase_if(window, [&](const Event &e) { return e.span != span; });
    QVERIFY(!window.empty());
    QCOMPARE(window.back().value, 199); // the newest are kept
    hub.setRetainedCapacity(TraceHub::kDefaultRetainedEvents);

    record(Kind::AwaitResume, span, 0, 0, 1000);
    hub.flush();
    hub.setRetention(0s); // keeps only events as new as the newest
    window = hub.retained();
    QVERIFY(window.size() <= 2);
    hub.setRetention(TraceHub::kDefaultRetention);
}

TraceTest::Synthetic TraceTest::recordSyntheticRequest(std::string_view route, int status)
{
    Synthetic s;
    s.request = newSpanId();
    s.job = newSpanId();
    s.task = newSpanId();
    const std::uint32_t dbLabel = label("db.fetchrow items");
    record(Kind::RequestAccepted, s.request, 0, 0, 7);
    recordRequestId(s.request, "req-42");
    record(Kind::RequestParsed, s.request, label(route), 0, 1);
    record(Kind::HandlerStarted, s.request);
    record(Kind::JobQueued, s.job, dbLabel, s.request);
    record(Kind::AwaitSuspend, s.request, dbLabel);
    std::thread worker([&] {
        setThreadName(QStringLiteral("db worker 1"));
        s.workerThread = currentThreadIndex();
        record(Kind::JobStarted, s.job);
        record(Kind::JobFinished, s.job);
    });
    worker.join();
    record(Kind::AwaitResume, s.request, dbLabel);
    record(Kind::BlockingBegin, s.request, label("time.sleep 0.001"));
    record(Kind::BlockingEnd, s.request, label("time.sleep 0.001"));
    record(Kind::TaskSpawned, s.task, label("send_email"), s.request);
    record(Kind::ResponseWritten, s.request, 0, 42, status);
    record(Kind::RequestClosed, s.request);
    record(Kind::TaskFinished, s.task);
    return s;
}

void TraceTest::decodeNamesEachKind_data()
{
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<Step>("step");
    QTest::addColumn<SpanKind>("span");
    QTest::addColumn<SpanOutcome>("outcome");
    QTest::addColumn<bool>("loopWide");
    const auto row = [](Kind kind, Step step, SpanKind span, SpanOutcome outcome, bool loopWide) {
        QTest::newRow(kindName(kind).data()) << kind << step << span << outcome << loopWide;
    };
    using O = SpanOutcome;
    using S = SpanKind;
    row(Kind::RequestAccepted, Step::Open, S::Request, O::Open, false);
    row(Kind::RequestParsed, Step::Parse, S::Request, O::Open, false);
    row(Kind::HandlerStarted, Step::StartHandler, S::Request, O::Open, false);
    row(Kind::AwaitSuspend, Step::Suspend, S::Unknown, O::Open, false);
    row(Kind::AwaitResume, Step::Resume, S::Unknown, O::Open, false);
    row(Kind::BlockingBegin, Step::BlockBegin, S::Unknown, O::Open, false);
    row(Kind::BlockingEnd, Step::BlockEnd, S::Unknown, O::Open, false);
    row(Kind::ResponseWritten, Step::Respond, S::Request, O::Open, false);
    row(Kind::RequestClosed, Step::Close, S::Request, O::Done, false);
    row(Kind::TaskSpawned, Step::Open, S::Task, O::Open, false);
    row(Kind::TaskFinished, Step::Close, S::Task, O::Done, false);
    row(Kind::TaskFailed, Step::Close, S::Task, O::Failed, false);
    row(Kind::TaskCancelled, Step::Close, S::Task, O::Cancelled, false);
    row(Kind::JobQueued, Step::Open, S::Job, O::Open, false);
    row(Kind::JobStarted, Step::StartOnWorker, S::Job, O::Open, false);
    row(Kind::JobFinished, Step::Close, S::Job, O::Done, false);
    row(Kind::LoopStallBegin, Step::StallBegin, S::Unknown, O::Open, true);
    row(Kind::LoopStallEnd, Step::StallEnd, S::Unknown, O::Open, true);
    row(Kind::LoopLag, Step::Lag, S::Unknown, O::Open, true);
    row(Kind::RequestId, Step::RequestId, S::Request, O::Open, false);
    row(Kind::RequestArrived, Step::Arrive, S::Request, O::Open, false);
}

void TraceTest::decodeNamesEachKind()
{
    QFETCH(Kind, kind);
    QFETCH(Step, step);
    QFETCH(SpanKind, span);
    QFETCH(SpanOutcome, outcome);
    QFETCH(bool, loopWide);
    const DecodedEvent d = decode(kind);
    QCOMPARE(d.step, step);
    QCOMPARE(d.span, span);
    QCOMPARE(d.outcome, outcome);
    QCOMPARE(isLoopWide(d.step), loopWide);
}

void TraceTest::decodeReadsTheVariantCode()
{
    QCOMPARE(
        decode(Kind::RequestParsed, 0).variant, std::optional(loopscope::HandlerVariant::Async));
    QCOMPARE(
        decode(Kind::RequestParsed, 2).variant, std::optional(loopscope::HandlerVariant::Blocking));
    QCOMPARE(
        decode(Kind::RequestParsed, 3).variant, std::optional(loopscope::HandlerVariant::NoAwait));
    QCOMPARE(decode(Kind::RequestParsed, 4).variant,
        std::optional(loopscope::HandlerVariant::ProcessPool));
    // A code no variant has (a newer recording): no variant rather than a wrong one.
    QVERIFY(!decode(Kind::RequestParsed, 5).variant);
    QVERIFY(!decode(Kind::RequestParsed, -1).variant);
    // Only a route's event carries one.
    QVERIFY(!decode(Kind::ResponseWritten, 2).variant);
}

void TraceTest::spanIndexGroupsRequest()
{
    const auto subscription = TraceHub::instance().subscribe(10'000);
    const Synthetic s = recordSyntheticRequest("GET /index", 200);
    const std::vector<Event> events = drainSpans(*subscription, { s.request, s.job, s.task });
    SpanIndex index;
    index.add(events);
    QCOMPARE(index.size(), std::size_t(3));

    const SpanRecord *r = index.find(s.request);
    QVERIFY(r);
    QCOMPARE(r->kind, SpanKind::Request);
    QCOMPARE(labelText(r->label), QStringLiteral("GET /index"));
    QCOMPARE(r->requestId, QByteArray("req-42"));
    QCOMPARE(r->status, 200);
    QCOMPARE(r->bytes, 42);
    QCOMPARE(r->connection, 7);
    QCOMPARE(r->variant, std::optional(loopscope::HandlerVariant::ThreadPool));
    QVERIFY(r->accepted > 0 && r->accepted <= r->parsed && r->parsed <= r->started);
    QVERIFY(r->started <= r->written && r->written <= r->closed);
    QCOMPARE(r->awaits.size(), std::size_t(1));
    QCOMPARE(labelText(r->awaits[0].label), QStringLiteral("db.fetchrow items"));
    QVERIFY(r->awaits[0].suspend <= r->awaits[0].resume);
    QCOMPARE(r->blocking.size(), std::size_t(1));
    QVERIFY(r->blocking[0].begin <= r->blocking[0].end && r->blocking[0].end > 0);
    QCOMPARE(r->end(), r->closed);

    const SpanRecord *job = index.find(s.job);
    QVERIFY(job);
    QCOMPARE(job->kind, SpanKind::Job);
    QCOMPARE(job->parent, s.request);
    QCOMPARE(job->workerThread, s.workerThread);
    QVERIFY(job->accepted <= job->started && job->started <= job->closed);

    const SpanRecord *task = index.find(s.task);
    QVERIFY(task);
    QCOMPARE(task->kind, SpanKind::Task);
    QCOMPARE(task->parent, s.request);
    QCOMPARE(task->outcome, SpanOutcome::Done);

    // Pruning forgets closed spans and keeps lookups of the others working.
    const Nanos requestClosed = r->closed;
    QCOMPARE(index.pruneClosedBefore(requestClosed), std::size_t(1)); // the job closed earlier
    QVERIFY(!index.find(s.job));
    QVERIFY(index.find(s.request) && index.find(s.request)->span == s.request);
    QCOMPARE(index.pruneClosedBefore(nowNs()), std::size_t(2));
    QCOMPARE(index.size(), std::size_t(0));
}

void TraceTest::chromeJsonForSyntheticRequest()
{
    const auto subscription = TraceHub::instance().subscribe(10'000);
    const Synthetic s = recordSyntheticRequest("GET /chrome", 201);
    std::vector<Event> events = drainSpans(*subscription, { s.request, s.job, s.task });
    // A lag sample and a finished stall so counters and the watchdog lane show up.
    const Nanos t = events.back().time;
    events.push_back({ t + 1000, 0, 0, 2'000'000, 0, 0, Kind::LoopLag, 0, {} });
    events.push_back({ t + 2000, 99, 0, t - 5000, 0, 0, Kind::LoopStallBegin, 0, {} });
    events.push_back({ t + 3000, 99, 0, 8000, 0, 0, Kind::LoopStallEnd, 0, {} });

    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(chromeTraceJson(events), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(
        doc.object().value(QStringLiteral("displayTimeUnit")).toString(), QStringLiteral("ms"));
    const QJsonArray all = doc.object().value(QStringLiteral("traceEvents")).toArray();
    QVERIFY(!all.isEmpty());

    const auto matching = [&](const QString &ph, const QString &name) {
        QList<QJsonObject> found;
        for (const QJsonValue &v : all) {
            const QJsonObject o = v.toObject();
            if (o.value(QStringLiteral("ph")).toString() == ph
                && (name.isEmpty() || o.value(QStringLiteral("name")).toString() == name))
                found.append(o);
        }
        return found;
    };
    for (const QJsonValue &v : all) {
        const QJsonObject o = v.toObject();
        QVERIFY(o.contains(QStringLiteral("ph")) && o.contains(QStringLiteral("pid"))
            && o.contains(QStringLiteral("tid")));
        QVERIFY(o.value(QStringLiteral("ts")).toDouble() >= 0);
    }

    // Lanes are named.
    QSet<QString> laneNames;
    for (const QJsonObject &o : matching(QStringLiteral("M"), QStringLiteral("thread_name")))
        laneNames.insert(
            o.value(QStringLiteral("args")).toObject().value(QStringLiteral("name")).toString());
    QVERIFY(laneNames.contains(QStringLiteral("test main")));
    QVERIFY(laneNames.contains(QStringLiteral("db worker 1")));

    // The request: an async slice with the route as name and the answer in args.
    const QString requestId = hexId(s.request);
    const auto requestBegin = matching(QStringLiteral("b"), QStringLiteral("GET /chrome"));
    QCOMPARE(requestBegin.size(), 1);
    QCOMPARE(requestBegin[0].value(QStringLiteral("id")).toString(), requestId);
    QCOMPARE(requestBegin[0].value(QStringLiteral("cat")).toString(), QStringLiteral("request"));
    const QJsonObject args = requestBegin[0].value(QStringLiteral("args")).toObject();
    QCOMPARE(args.value(QStringLiteral("status")).toInt(), 201);
    QCOMPARE(args.value(QStringLiteral("bytes")).toInt(), 42);
    QCOMPARE(args.value(QStringLiteral("request_id")).toString(), QStringLiteral("req-42"));
    const auto requestEnd = matching(QStringLiteral("e"), QStringLiteral("GET /chrome"));
    QCOMPARE(requestEnd.size(), 1);
    QCOMPARE(requestEnd[0].value(QStringLiteral("id")).toString(), requestId);
    QVERIFY(requestEnd[0].value(QStringLiteral("ts")).toDouble()
        >= requestBegin[0].value(QStringLiteral("ts")).toDouble());

    // The await nests inside it: same id and category.
    const auto awaitBegin = matching(QStringLiteral("b"), QStringLiteral("db.fetchrow items"));
    const auto awaitEnd = matching(QStringLiteral("e"), QStringLiteral("db.fetchrow items"));
    QCOMPARE(awaitBegin.size(), 1);
    QCOMPARE(awaitEnd.size(), 1);
    QCOMPARE(awaitBegin[0].value(QStringLiteral("id")).toString(), requestId);
    QCOMPARE(awaitBegin[0].value(QStringLiteral("cat")).toString(), QStringLiteral("request"));
    QVERIFY(awaitBegin[0].value(QStringLiteral("ts")).toDouble()
        >= requestBegin[0].value(QStringLiteral("ts")).toDouble());
    QVERIFY(awaitEnd[0].value(QStringLiteral("ts")).toDouble()
        <= requestEnd[0].value(QStringLiteral("ts")).toDouble());

    // The job runs on the worker lane, and a flow links the request to it.
    const auto jobSlices = matching(QStringLiteral("X"), QStringLiteral("db.fetchrow items"));
    QCOMPARE(jobSlices.size(), 1);
    QCOMPARE(jobSlices[0].value(QStringLiteral("cat")).toString(), QStringLiteral("job"));
    QCOMPARE(jobSlices[0].value(QStringLiteral("tid")).toInt(), int(s.workerThread));
    const auto flowStart = matching(QStringLiteral("s"), QString());
    const auto flowEnd = matching(QStringLiteral("f"), QString());
    QCOMPARE(flowStart.size(), 1);
    QCOMPARE(flowEnd.size(), 1);
    QCOMPARE(flowStart[0].value(QStringLiteral("id")).toString(), hexId(s.job));
    QCOMPARE(flowEnd[0].value(QStringLiteral("id")).toString(), hexId(s.job));
    QCOMPARE(flowEnd[0].value(QStringLiteral("tid")).toInt(), int(s.workerThread));
    QCOMPARE(flowEnd[0].value(QStringLiteral("bp")).toString(), QStringLiteral("e"));
    // The flow starts inside a run of the request on its own lane.
    const auto runs = matching(QStringLiteral("X"), QStringLiteral("GET /chrome"));
    QCOMPARE(runs.size(), 2); // handler start -> await, resume -> response
    const double flowTs = flowStart[0].value(QStringLiteral("ts")).toDouble();
    QVERIFY(std::any_of(runs.begin(), runs.end(), [&](const QJsonObject &run) {
        const double ts = run.value(QStringLiteral("ts")).toDouble();
        return ts <= flowTs && flowTs <= ts + run.value(QStringLiteral("dur")).toDouble()
            && run.value(QStringLiteral("tid")) == flowStart[0].value(QStringLiteral("tid"));
    }));

    // Blocking call, task with its parent, counters and the stall.
    QCOMPARE(matching(QStringLiteral("X"), QStringLiteral("time.sleep 0.001")).size(), 1);
    const auto task = matching(QStringLiteral("b"), QStringLiteral("send_email"));
    QCOMPARE(task.size(), 1);
    QCOMPARE(task[0].value(QStringLiteral("cat")).toString(), QStringLiteral("task"));
    QCOMPARE(
        task[0].value(QStringLiteral("args")).toObject().value(QStringLiteral("parent")).toString(),
        requestId);
    QCOMPARE(matching(QStringLiteral("e"), QStringLiteral("send_email")).size(), 1);
    QCOMPARE(matching(QStringLiteral("C"), QStringLiteral("in-flight requests")).size(), 2);
    QCOMPARE(matching(QStringLiteral("C"), QStringLiteral("loop lag")).size(), 1);
    const auto stall = matching(QStringLiteral("X"), QStringLiteral("loop stall"));
    QCOMPARE(stall.size(), 1);
    QCOMPARE(stall[0].value(QStringLiteral("dur")).toDouble(), 8.0);

    // Streamed in slices as small as one event each: whole events per slice, the same text.
    ChromeTraceWriter writer(events);
    QByteArray joined;
    int slices = 0;
    while (!writer.atEnd()) {
        const QByteArray slice = writer.next(1);
        QVERIFY(slice.endsWith('}') || slice.endsWith('[') || slice.endsWith("}\n"));
        joined += slice;
        ++slices;
    }
    QCOMPARE(joined, chromeTraceJson(events));
    QVERIFY2(slices > 3, qPrintable(QString::number(slices))); // one span's events per slice

    // The hub's own export of its whole retained window parses too.
    TraceHub::instance().flush();
    QCOMPARE(
        QJsonDocument::fromJson(TraceHub::instance().chromeTraceJson(), &error).isObject(), true);
    QCOMPARE(error.error, QJsonParseError::NoError);
}

void TraceTest::chromeJsonShowsTheWaitInTheSocket_data()
{
    QTest::addColumn<qint64>("sentBefore"); // ns before the server read it; 0 = not known
    QTest::addColumn<qint64>("arrivedBefore");
    QTest::newRow("the client's send time") << qint64(3'000'000) << qint64(2'000'000);
    QTest::newRow("the kernel's arrival only") << qint64(0) << qint64(2'000'000);
    QTest::newRow("neither") << qint64(0) << qint64(0);
}

void TraceTest::chromeJsonShowsTheWaitInTheSocket()
{
    QFETCH(qint64, sentBefore);
    QFETCH(qint64, arrivedBefore);
    const std::uint64_t span = newSpanId();
    const Nanos accepted = nowNs();
    const Nanos sent = sentBefore ? accepted - sentBefore : 0;
    const Nanos arrived = arrivedBefore ? accepted - arrivedBefore : 0;
    std::vector<Event> events;
    const auto add = [&](Nanos time, Kind kind, std::uint64_t link = 0, std::int64_t value = 0,
                         std::uint32_t label = 0) {
        events.push_back({ time, span, link, value, label, 0, kind, 0, {} });
    };
    add(accepted, Kind::RequestAccepted);
    if (sent || arrived)
        add(accepted + 100, Kind::RequestArrived, std::uint64_t(sent), arrived);
    add(accepted + 200, Kind::RequestParsed, 0, 0, label("GET /socket"));
    add(accepted + 300, Kind::HandlerStarted);
    add(accepted + 400, Kind::ResponseWritten, 10, 200);
    add(accepted + 500, Kind::RequestClosed);

    const QJsonArray all = QJsonDocument::fromJson(chromeTraceJson(events))
                               .object()
                               .value(QStringLiteral("traceEvents"))
                               .toArray();
    QJsonObject request;
    QList<QJsonObject> unread;
    for (const QJsonValue &v : all) {
        const QJsonObject o = v.toObject();
        QVERIFY(o.value(QStringLiteral("ts")).toDouble() >= 0); // after the session began
        if (o.value(QStringLiteral("name")).toString() == u"unread in socket")
            unread.append(o);
        else if (o.value(QStringLiteral("name")).toString() == u"GET /socket"
            && o.value(QStringLiteral("ph")).toString() == u"b")
            request = o;
    }
    QVERIFY(!request.isEmpty());
    const QJsonObject args = request.value(QStringLiteral("args")).toObject();
    QCOMPARE(args.value(QStringLiteral("sent_ns")).toInteger(), sent);
    QCOMPARE(args.value(QStringLiteral("arrived_ns")).toInteger(), arrived);
    QCOMPARE(args.contains(QStringLiteral("sent_ns")), sent != 0);
    QCOMPARE(args.contains(QStringLiteral("arrived_ns")), arrived != 0);
    const qint64 waited = sentBefore ? sentBefore : arrivedBefore;
    if (waited == 0) {
        QVERIFY(unread.isEmpty()); // no wait can be told
        return;
    }
    // On the request's own track (its id and category), from the earliest known time to the
    // moment the server read it, where the request's slice begins.
    QCOMPARE(unread.size(), 2);
    QCOMPARE(unread[0].value(QStringLiteral("ph")).toString(), QStringLiteral("b"));
    QCOMPARE(unread[1].value(QStringLiteral("ph")).toString(), QStringLiteral("e"));
    for (const QJsonObject &o : unread) {
        QCOMPARE(o.value(QStringLiteral("id")), request.value(QStringLiteral("id")));
        QCOMPARE(o.value(QStringLiteral("cat")), request.value(QStringLiteral("cat")));
    }
    // ts counts microseconds from the session's origin, like every view of time.
    const auto sessionMicros = [](Nanos time) { return double(time - sessionOrigin()) / 1000; };
    QCOMPARE(unread[0].value(QStringLiteral("ts")).toDouble(), sessionMicros(accepted - waited));
    QCOMPARE(unread[1].value(QStringLiteral("ts")), request.value(QStringLiteral("ts")));
    QCOMPARE(request.value(QStringLiteral("ts")).toDouble(), sessionMicros(accepted));
}

void TraceTest::realtimeMapsOntoTheTraceClock()
{
    // A realtime reading taken between two trace-clock readings maps between them, give or
    // take the error of the offset sampled once (well under the 1 ms the request timing rule
    // allows for it). A preemption between the readings only widens the bracket.
    constexpr Nanos tolerance = 1'000'000;
    for (int i = 0; i < 100; ++i) {
        const Nanos before = nowNs();
        timespec realtime {};
        clock_gettime(CLOCK_REALTIME, &realtime);
        const Nanos after = nowNs();
        const Nanos mapped
            = fromRealtime(Nanos(realtime.tv_sec) * 1'000'000'000 + realtime.tv_nsec);
        QVERIFY2(mapped >= before - tolerance && mapped <= after + tolerance,
            qPrintable(QStringLiteral("%1 not in [%2, %3]").arg(mapped).arg(before).arg(after)));
    }
}

void TraceTest::prometheusTextParses()
{
    TraceHub &hub = TraceHub::instance();
    for (int i = 0; i < 3; ++i)
        recordSyntheticRequest("GET /prom \"quoted\"", 200);
    recordSyntheticRequest("GET /prom \"quoted\"", 404);
    // In flight: accepted, never answered.
    const std::uint64_t open = newSpanId();
    record(Kind::RequestAccepted, open);
    hub.flush();

    const QByteArray text = hub.prometheusText();
    const QString problem = prometheusProblem(text);
    QVERIFY2(problem.isEmpty(), qPrintable(problem + QLatin1Char('\n') + QString::fromUtf8(text)));
    QCOMPARE(sampleValue(text,
                 "loopscope_requests_total{route=\"GET /prom \\\"quoted\\\"\",status=\"200\"}"),
        3.0);
    QCOMPARE(sampleValue(text,
                 "loopscope_requests_total{route=\"GET /prom \\\"quoted\\\"\",status=\"404\"}"),
        1.0);
    QVERIFY(sampleValue(text, "loopscope_in_flight_requests") >= 1);
    for (const char *name : { "loopscope_loop_stalls_total", "loopscope_loop_stall_seconds_total",
             "loopscope_trace_events_dropped_total", "loopscope_request_duration_seconds_sum" })
        QVERIFY2(sampleValue(text, name) >= 0, name);

    // Buckets are cumulative and end at the count.
    double previous = 0;
    for (const double le : TraceMetrics::kBuckets) {
        const double v = sampleValue(text,
            "loopscope_request_duration_seconds_bucket{le=\"" + QByteArray::number(le, 'g', 12)
                + "\"}");
        QVERIFY(v >= previous);
        previous = v;
    }
    const double count = sampleValue(text, "loopscope_request_duration_seconds_count");
    QVERIFY(count >= 4);
    QCOMPARE(sampleValue(text, "loopscope_request_duration_seconds_bucket{le=\"+Inf\"}"), count);
    QVERIFY(previous <= count);
    record(Kind::RequestClosed, open);
}

void TraceTest::watchdogDetectsBlockingSleep()
{
    QThread loopThread;
    loopThread.setObjectName(QStringLiteral("watched loop"));
    auto *target = new LoopObject; // deleted on its own thread when that thread finishes
    target->moveToThread(&loopThread);
    startLoop(loopThread);

    const auto subscription = TraceHub::instance().subscribe(1'000'000);
    LoopWatchdog watchdog(target);
    watchdog.start();
    QTRY_VERIFY(watchdog.heartbeats() > 10); // it is running and the loop answers
    QVERIFY(!watchdog.stalled());
    const std::uint64_t stallsBefore = watchdog.stallCount();

    target->postSleep(200ms);
    const std::atomic<Nanos> &sleepStart = target->sleepStart;
    const std::atomic<Nanos> &sleepEnd = target->sleepEnd;
    QTRY_VERIFY(sleepStart.load() != 0);
    QTRY_VERIFY_WITH_TIMEOUT(watchdog.stalled() || sleepEnd.load() != 0, hangGuardMs(10000));
    QVERIFY2(watchdog.stalled(), "stall not visible while the loop was still blocked");
    QTRY_VERIFY_WITH_TIMEOUT(watchdog.stallCount() > stallsBefore, hangGuardMs(10000));
    QVERIFY(!watchdog.stalled());

    TraceHub::instance().flush();
    std::vector<Event> events;
    subscription->drain(events);
    const auto begin = std::find_if(events.begin(), events.end(), [&](const Event &e) {
        return e.kind == Kind::LoopStallBegin && e.time >= sleepStart.load()
            && e.time <= sleepEnd.load();
    });
    QVERIFY(begin != events.end());
    const auto end = std::find_if(events.begin(), events.end(),
        [&](const Event &e) { return e.kind == Kind::LoopStallEnd && e.span == begin->span; });
    QVERIFY(end != events.end());

    const Nanos detectionDelay = begin->time - sleepStart.load();
    const Nanos startError = begin->value - sleepStart.load();
    const Nanos sleepDuration = sleepEnd.load() - sleepStart.load();
    qInfo("stall detected %.2f ms after the sleep began; estimated start off by %.2f ms; "
          "duration %.2f ms for a %.2f ms sleep",
        detectionDelay / 1e6, startError / 1e6, end->value / 1e6, sleepDuration / 1e6);
    // How close these figures come depends on when the scheduler runs the watchdog thread; what
    // holds on any machine: the stall was reported while the loop slept (the search above), it
    // is dated from a heartbeat left unanswered for the whole threshold before that report (not
    // from the report itself), and it lasted until the loop was back (it cannot have answered
    // during the sleep).
    const Nanos threshold = std::chrono::nanoseconds(WatchdogOptions {}.stallThreshold).count();
    QVERIFY2(begin->value <= begin->time - threshold, "the stall is dated from its report");
    QVERIFY(begin->value < sleepEnd.load());
    QVERIFY2(begin->value + end->value >= sleepEnd.load(), "the stall ended before the sleep did");
    QCOMPARE(threadName(begin->thread), QStringLiteral("loop watchdog"));
    QVERIFY(watchdog.totalStallNs() >= end->value);

    watchdog.stop(); // before the watched object goes away
    target->deleteLater();
    loopThread.quit();
    loopThread.wait();
}

void TraceTest::watchdogQuietOnIdleLoop()
{
    QThread loopThread;
    auto *target = new LoopObject;
    target->moveToThread(&loopThread);
    // The loop's own account of when it ran: a 1 ms tick on its thread. A busy machine may leave
    // the loop's thread unscheduled for longer than the stall threshold, and then the watchdog
    // is right to report a stall; what it must never report is a stall while the loop ran.
    // Written on the loop's thread, read here after it ended: under a mutex of our own, since
    // the order QThread::wait() gives is made inside Qt, which ThreadSanitizer cannot see.
    std::mutex ticksMutex;
    std::vector<Nanos> ticks;
    ticks.reserve(1 << 16);
    auto *ticker = new QTimer;
    ticker->setTimerType(Qt::PreciseTimer);
    ticker->setInterval(1);
    QObject::connect(ticker, &QTimer::timeout, ticker, [&ticks, &ticksMutex] {
        const std::lock_guard lock(ticksMutex);
        if (ticks.size() < ticks.capacity())
            ticks.push_back(nowNs());
    });
    ticker->moveToThread(&loopThread);
    QMetaObject::invokeMethod(ticker, qOverload<>(&QTimer::start), Qt::QueuedConnection);
    std::mutex stallsMutex;
    std::vector<std::pair<Nanos, Nanos>> stalls; // begin, end
    startLoop(loopThread);
    LoopWatchdog watchdog(target);
    QObject::connect(
        &watchdog, &LoopWatchdog::stallStarted, &watchdog,
        [&](qint64 startNs) {
            const std::lock_guard lock(stallsMutex);
            stalls.emplace_back(startNs, 0);
        },
        Qt::DirectConnection);
    QObject::connect(
        &watchdog, &LoopWatchdog::stallEnded, &watchdog,
        [&](qint64 durationNs) {
            const std::lock_guard lock(stallsMutex);
            if (!stalls.empty())
                stalls.back().second = stalls.back().first + durationNs;
        },
        Qt::DirectConnection);
    const auto stopLoop = [&] {
        watchdog.stop(); // before the watched object goes away
        ticker->deleteLater();
        target->deleteLater();
        loopThread.quit();
        loopThread.wait();
    };
    auto stopOnFailure = qScopeGuard(stopLoop); // a failed check returns early
    watchdog.start();
    // ~300 ms of heartbeats on a loop that has nothing else to do.
    QTRY_VERIFY_WITH_TIMEOUT(watchdog.heartbeats() >= 150, hangGuardMs(5000));
    QTRY_VERIFY_WITH_TIMEOUT(!watchdog.stalled(), hangGuardMs(5000));
    qInfo("latest heartbeat lag on an idle loop: %.3f ms", watchdog.lastLagNs() / 1e6);
    stopOnFailure.dismiss();
    stopLoop();
    const std::lock_guard lock(stallsMutex);
    const std::lock_guard ticksLock(ticksMutex);
    QCOMPARE(watchdog.stallCount(), std::uint64_t(stalls.size()));
    QVERIFY(ticks.size() > 100);
    for (const auto &[begin, end] : stalls) {
        // The longest stretch without a tick that overlaps the stall: the loop did not run then.
        Nanos gap = 0;
        for (std::size_t i = 1; i < ticks.size(); ++i) {
            if (ticks[i] > begin && ticks[i - 1] < end)
                gap = std::max(gap, ticks[i] - ticks[i - 1]);
        }
        const Nanos length = end - begin;
        qInfo("a stall of %.2f ms, the loop's own ticks stopped for %.2f ms", length / 1e6,
            gap / 1e6);
        // Within two heartbeats (2 ms each) of what the loop itself saw.
        QVERIFY2(end > begin && gap >= length - 4'000'000,
            qPrintable(QStringLiteral("stall %1 ns, loop silent %2 ns").arg(length).arg(gap)));
    }
}

void TraceTest::watchdogHeartbeatsOnlyWhileWorking()
{
    QThread loopThread;
    auto *target = new LoopObject;
    target->moveToThread(&loopThread);
    startLoop(loopThread);
    WatchdogOptions options;
    options.onlyWhileWorking = true;
    LoopWatchdog watchdog(target, options);
    watchdog.start();
    // No work: not one heartbeat over a span that would hold a hundred (2 ms each). An absence
    // has no signal to wait for, hence the fixed span.
    QTest::qWait(200);
    QCOMPARE(watchdog.heartbeats(), std::uint64_t(0));

    {
        const LoopWork work(&watchdog);
        QTRY_VERIFY(watchdog.heartbeats() >= 10);
        // Blocked while working: caught like any stall.
        target->postSleep(100ms);
        // A busy machine may add a stall of its own (the loop's thread not scheduled): the sleep
        // must be among them, whole.
        QTRY_VERIFY_WITH_TIMEOUT(
            watchdog.stallCount() >= 1 && watchdog.totalStallNs() >= 90'000'000,
            hangGuardMs(10000));
    }
    // Done: the heartbeat pauses again. A late answer (a busy machine's loop is late too) keeps
    // it going until one is quiet, so the claim is that a span of a hundred heartbeats comes
    // with at most the one under way, not that the first span already does.
    const QDeadlineTimer guard(hangGuardMs(10000));
    std::uint64_t heartbeatsAtRest = 0;
    do {
        const std::uint64_t atRest = watchdog.heartbeats();
        QTest::qWait(200);
        heartbeatsAtRest = watchdog.heartbeats() - atRest;
    } while (heartbeatsAtRest > 1 && !guard.hasExpired());
    QVERIFY2(heartbeatsAtRest <= 1, qPrintable(QString::number(heartbeatsAtRest)));

    watchdog.stop(); // before the watched object goes away; also wakes it from its rest
    target->deleteLater();
    loopThread.quit();
    loopThread.wait();
}

void TraceTest::watchdogLagIsNeverStale()
{
    // The work that blocks ends while the loop is still blocked (a request that answered and
    // left): the watchdog used to rest at once, its last figure the stall's lag, for good.
    QThread loopThread;
    auto *target = new LoopObject;
    target->moveToThread(&loopThread);
    startLoop(loopThread);
    const auto subscription = TraceHub::instance().subscribe(1'000'000);
    WatchdogOptions options;
    options.onlyWhileWorking = true;
    LoopWatchdog watchdog(target, options);
    watchdog.start();
    {
        const LoopWork work(&watchdog);
        QTRY_VERIFY(watchdog.heartbeats() >= 5);
        target->postSleep(300ms);
        QTRY_VERIFY_WITH_TIMEOUT(watchdog.stalled(), hangGuardMs(2000));
        // During the stall the figure is the overdue heartbeat's age, never the last quiet one.
        QVERIFY2(watchdog.lagNs() > 5'000'000, qPrintable(QString::number(watchdog.lagNs())));
    }
    QTRY_VERIFY_WITH_TIMEOUT(watchdog.stallCount() >= 1 && !watchdog.stalled(), hangGuardMs(5000));
    // Back under the stall threshold: a loaded machine's idle loop may answer in over 1 ms.
    constexpr Nanos idleLevel = 5'000'000;
    QTRY_VERIFY2_WITH_TIMEOUT(watchdog.lagNs() < idleLevel,
        qPrintable(QString::number(watchdog.lagNs())), hangGuardMs(5000));

    // The trace proves the recovery. After the stall's end comes the sample that measured the
    // stall, then the watchdog's very next heartbeat: after a late answer every sample is
    // recorded until one is quiet, and the work had ended, so only that settling (at most a
    // second, kSettleFor) keeps heartbeats going. That next sample is a fresh measure, below the
    // stall's: the lag shown moves on within one heartbeat of the stall's end, not after a
    // second, a minute or never. (How low it is at once is the machine's: an idle one shows
    // well under a millisecond, a busy one a few.)
    TraceHub::instance().flush();
    std::vector<Event> events;
    subscription->drain(events);
    const auto isLag = [](const Event &e) { return e.kind == Kind::LoopLag; };
    // The sleep's stall is the longest: a busy machine may add short ones of its own around it.
    auto end = events.end();
    for (auto it = events.begin(); it != events.end(); ++it) {
        if (it->kind == Kind::LoopStallEnd && (end == events.end() || it->value > end->value))
            end = it;
    }
    QVERIFY(end != events.end());
    QVERIFY2(end->value >= 250'000'000, qPrintable(QString::number(end->value)));
    const auto stallSample = std::find_if(end, events.end(), isLag);
    QVERIFY(stallSample != events.end());
    QCOMPARE(stallSample->value, end->value); // the stall's own heartbeat, as late as it lasted
    const auto next = std::find_if(stallSample + 1, events.end(), isLag);
    QVERIFY2(next != events.end(), "no lag sample after the stall's");
    QVERIFY2(next->value < stallSample->value,
        qPrintable(
            QStringLiteral("%1 after a stall of %2").arg(next->value).arg(stallSample->value)));
    qInfo("next lag sample %.3f ms, %.1f ms after the stall ended", next->value / 1e6,
        (next->time - end->time) / 1e6);

    watchdog.stop(); // before the watched object goes away
    target->deleteLater();
    loopThread.quit();
    loopThread.wait();
}

// QtTest's own test-function watchdog thread trips the thread sanitizer at exit,
// entirely inside uninstrumented Qt (its QWaitCondition and the watchdog object
// are torn down after the thread's last wait, ordered by Qt's futex-based locks
// the sanitizer cannot see). Nothing of ours uses QWaitCondition, and none of our
// code is called from libQt6Test. Read only by sanitizer builds.
extern "C" const char *__tsan_default_suppressions()
{
    return "race:QWaitCondition::~QWaitCondition\n"
           "called_from_lib:libQt6Test.so.6\n";
}

QTEST_GUILESS_MAIN(TraceTest)
#include "tst_trace.moc"
