#include "requestinspector.h"
#include "requestlistmodel.h"
#include "support/timelineevents.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "timemapping.h"
#include "trace.h"
#include "zoomstate.h"

#include <QtGui/QImage>
#include <QtGui/QWheelEvent>
#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWidgets/QApplication>

using namespace loopscope;
using namespace loopscope::viz;
using loopscope::testsupport::appendTimelineRequest;
using loopscope::testsupport::timelineEvent;
using loopscope::testsupport::TimelineRequestShape;
using trace::Kind;

namespace {
constexpr Nanos ms = 1'000'000;
constexpr Nanos s = 1'000'000'000;
// Timestamps far from zero, like the steady clock's, to catch precision slips.
constexpr Nanos T0 = 5'000 * s;

std::vector<trace::Event> oneRequest(std::uint64_t span, Nanos accepted, Nanos closed)
{
    std::vector<trace::Event> out;
    TimelineRequestShape r;
    r.span = span;
    r.accepted = accepted;
    r.started = accepted;
    r.closed = closed;
    r.route = trace::label("GET /async");
    appendTimelineRequest(out, r);
    return out;
}

bool isRed(QRgb c)
{
    return qRed(c) > 180 && qGreen(c) < 90 && qBlue(c) < 90;
}
} // namespace

class TimelineTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void mapping_data();
    void mapping();
    void zoomAround_data();
    void zoomAround();
    void panAndClamp();
    void tickStep_data();
    void tickStep();
    void formatDuration_data();
    void formatDuration();
    void formatTick_data();
    void formatTick();

    void lanePacking();
    void segments();
    void groups();
    void nestedAwaitsAndLateSpans();
    void retention();
    void collateralBlocking();
    void collateralLoopBusy();
    void consecutiveCallsConsecutiveCulprits();
    void listModelTester();

    void renderSegments();
    void renderRestartMarks();
    void groupTitlesOverTheMarks();
    void renderFoldsNarrowSpans();
    void wheelZoomsAroundCursor();
    void dragPans();
    void boxZoom();
    void keyboard();
    void clickSelects();
    void repaintsOnlyWhenChanged();
};

void TimelineTest::mapping_data()
{
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("end");
    QTest::addColumn<double>("left");
    QTest::addColumn<double>("width");
    QTest::addColumn<qint64>("time");
    QTest::addColumn<double>("x");
    QTest::newRow("origin") << qint64(0) << qint64(1000) << 0.0 << 100.0 << qint64(0) << 0.0;
    QTest::newRow("end") << qint64(0) << qint64(1000) << 0.0 << 100.0 << qint64(1000) << 100.0;
    QTest::newRow("middle") << qint64(0) << qint64(1000) << 0.0 << 100.0 << qint64(500) << 50.0;
    QTest::newRow("left offset") << qint64(0) << qint64(1000) << 20.0 << 100.0 << qint64(500)
                                 << 70.0;
    QTest::newRow("before start") << qint64(1000) << qint64(2000) << 0.0 << 100.0 << qint64(0)
                                  << -100.0;
    QTest::newRow("large absolute")
        << qint64(T0) << qint64(T0 + s) << 0.0 << 1920.0 << qint64(T0 + s / 4) << 480.0;
    QTest::newRow("nanosecond zoom")
        << qint64(T0) << qint64(T0 + 1000) << 0.0 << 1000.0 << qint64(T0 + 1) << 1.0;
}

void TimelineTest::mapping()
{
    QFETCH(qint64, start);
    QFETCH(qint64, end);
    QFETCH(double, left);
    QFETCH(double, width);
    QFETCH(qint64, time);
    QFETCH(double, x);
    const TimeMapping m(start, end, left, width);
    QCOMPARE(m.toX(time), x);
    QCOMPARE(m.toTime(x), time);
}

void TimelineTest::zoomAround_data()
{
    QTest::addColumn<double>("x");
    QTest::addColumn<double>("factor");
    QTest::addColumn<qint64>("expectedDuration");
    QTest::newRow("in at centre") << 500.0 << 2.0 << qint64(500 * ms);
    QTest::newRow("in at left edge") << 0.0 << 4.0 << qint64(250 * ms);
    QTest::newRow("out at right") << 1000.0 << 0.5 << qint64(2 * s);
    QTest::newRow("clamped to min") << 300.0 << 1e12 << qint64(1000);
    QTest::newRow("clamped to max") << 300.0 << 1e-6 << qint64(60 * s);
}

void TimelineTest::zoomAround()
{
    QFETCH(double, x);
    QFETCH(double, factor);
    QFETCH(qint64, expectedDuration);
    const TimeMapping m(T0, T0 + s, 0, 1000);
    const TimeMapping z = m.zoomedAround(x, factor, 1000, 60 * s);
    QCOMPARE(z.duration(), expectedDuration);
    // The time under the cursor stays under the cursor.
    QVERIFY(std::abs(z.toTime(x) - m.toTime(x)) <= std::max<Nanos>(1, z.duration() / 1000));
}

void TimelineTest::panAndClamp()
{
    const TimeMapping m(T0, T0 + s, 0, 1000);
    QCOMPARE(m.pannedBy(100).start(), T0 - 100 * ms);
    QCOMPARE(m.pannedBy(-250).end(), T0 + s + 250 * ms);
    QCOMPARE(m.pannedBy(500).clampedTo(T0, T0 + 10 * s).start(), T0);
    QCOMPARE(m.pannedBy(-20'000).clampedTo(T0, T0 + 10 * s).end(), T0 + 10 * s);
    QCOMPARE(m.clampedTo(T0 + 100 * ms, T0 + 600 * ms).duration(), 500 * ms);
}

void TimelineTest::tickStep_data()
{
    QTest::addColumn<qint64>("min");
    QTest::addColumn<qint64>("step");
    QTest::newRow("1") << qint64(1) << qint64(1);
    QTest::newRow("3") << qint64(3) << qint64(5);
    QTest::newRow("7") << qint64(7) << qint64(10);
    QTest::newRow("12") << qint64(12) << qint64(20);
    QTest::newRow("150 ns") << qint64(150) << qint64(200);
    QTest::newRow("just under 1 ms") << qint64(999'999) << qint64(1'000'000);
    QTest::newRow("2.5 ms") << qint64(2'500'000) << qint64(5'000'000);
    QTest::newRow("exact 2 s") << qint64(2 * s) << qint64(2 * s);
    QTest::newRow("11 s") << qint64(11 * s) << qint64(20 * s);
}

void TimelineTest::tickStep()
{
    QFETCH(qint64, min);
    QFETCH(qint64, step);
    QCOMPARE(TimeMapping::niceTickStep(min), step);
}

void TimelineTest::formatDuration_data()
{
    QTest::addColumn<qint64>("ns");
    QTest::addColumn<QString>("text");
    QTest::newRow("ns") << qint64(250) << QStringLiteral("250 ns");
    QTest::newRow("µs") << qint64(40'000) << QStringLiteral("40 µs");
    QTest::newRow("µs fraction") << qint64(1'500) << QStringLiteral("1.5 µs");
    QTest::newRow("ms") << qint64(1'250'000) << QStringLiteral("1.25 ms");
    QTest::newRow("s") << qint64(1'800'000'000) << QStringLiteral("1.8 s");
    QTest::newRow("tens of s") << qint64(25 * s) << QStringLiteral("25 s");
    QTest::newRow("minutes") << qint64(125 * s) << QStringLiteral("2 min 5 s");
    QTest::newRow("negative") << qint64(-3 * ms) << QStringLiteral("-3 ms");
}

void TimelineTest::formatDuration()
{
    QFETCH(qint64, ns);
    QFETCH(QString, text);
    QCOMPARE(TimeMapping::formatDuration(ns), text);
}

void TimelineTest::formatTick_data()
{
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<qint64>("step");
    QTest::addColumn<QString>("text");
    QTest::newRow("ms ticks past 2 s")
        << qint64(2'001 * ms) << qint64(ms) << QStringLiteral("2.001 s");
    QTest::newRow("100 ms ticks") << qint64(500 * ms) << qint64(100 * ms)
                                  << QStringLiteral("500 ms");
    QTest::newRow("zero") << qint64(0) << qint64(200 * ms) << QStringLiteral("0 ms");
    QTest::newRow("µs") << qint64(15'000) << qint64(5'000) << QStringLiteral("15 µs");
    QTest::newRow("whole seconds") << qint64(30 * s) << qint64(10 * s) << QStringLiteral("30 s");
    QTest::newRow("zero on a seconds axis")
        << qint64(0) << qint64(500 * ms) << QStringLiteral("0.0 s");
}

void TimelineTest::formatTick()
{
    QFETCH(qint64, offset);
    QFETCH(qint64, step);
    QFETCH(QString, text);
    QCOMPARE(TimeMapping::formatTick(
                 offset, step, QByteArray(QTest::currentDataTag()).contains("axis") ? 3 * s : 0),
        text);
}

void TimelineTest::lanePacking()
{
    TimelineModel model;
    std::vector<trace::Event> events;
    const auto add = [&](std::uint64_t span, Nanos b, Nanos e) {
        const auto r = oneRequest(span, T0 + b, T0 + e);
        events.insert(events.end(), r.begin(), r.end());
    };
    add(1, 0, 10 * ms); // lane 0
    add(2, 5 * ms, 15 * ms); // overlaps 1: lane 1
    add(3, 12 * ms, 20 * ms); // 1 is done: lane 0 again
    add(4, 13 * ms, 14 * ms); // 2 and 3 busy: lane 2
    add(5, 16 * ms, 18 * ms); // 2 done, 4 done: lowest free lane is 1
    std::stable_sort(
        events.begin(), events.end(), [](auto &a, auto &b) { return a.time < b.time; });
    QSignalSpy changed(&model, &TimelineModel::changed);
    model.ingest(events);
    QCOMPARE(changed.count(), 1); // one batch, one notification
    QCOMPARE(model.laneCount(LaneGroup::Loop), 3);
    QCOMPARE(model.find(1)->lane, 0);
    QCOMPARE(model.find(2)->lane, 1);
    QCOMPARE(model.find(3)->lane, 0);
    QCOMPARE(model.find(4)->lane, 2);
    QCOMPARE(model.find(5)->lane, 1);
    // Visible slice by binary search.
    const TimelineLane &lane0 = model.lane(LaneGroup::Loop, 0);
    const auto [first, last] = lane0.visible(T0 + 11 * ms, T0 + 30 * ms, model.now());
    QCOMPARE(last - first, std::size_t(1));
    QCOMPARE(model.span(lane0[first].slot).id, quint64(3));
}

void TimelineTest::segments()
{
    TimelineModel model;
    const std::uint32_t sleep = trace::label("sleep 2s");
    const std::uint32_t block = trace::label("time.sleep");
    std::vector<trace::Event> ev;
    TimelineRequestShape r;
    r.span = 42;
    r.accepted = T0;
    r.started = T0 + 1 * ms;
    r.awaitBegin = T0 + 2 * ms;
    r.awaitEnd = T0 + 5 * ms;
    r.awaitLabel = sleep;
    r.blockBegin = T0 + 6 * ms;
    r.blockEnd = T0 + 8 * ms;
    r.blockLabel = block;
    r.closed = T0 + 10 * ms;
    r.route = trace::label("GET /async");
    appendTimelineRequest(ev, r);
    model.ingest(ev);
    const TimelineSpan *span = model.find(42);
    QVERIFY(span);
    struct Expected
    {
        SegmentKind kind;
        Nanos b, e;
        std::uint32_t label;
    };
    const Expected expected[] = {
        { SegmentKind::Queued, 0, 1 * ms, 0 },
        { SegmentKind::Running, 1 * ms, 2 * ms, 0 },
        { SegmentKind::Awaiting, 2 * ms, 5 * ms, sleep },
        { SegmentKind::Running, 5 * ms, 6 * ms, 0 },
        { SegmentKind::Blocking, 6 * ms, 8 * ms, block },
        { SegmentKind::Running, 8 * ms, 10 * ms, 0 },
    };
    QCOMPARE(span->segments.size(), std::size(expected));
    for (std::size_t i = 0; i < std::size(expected); ++i) {
        QCOMPARE(span->segments[i].kind, expected[i].kind);
        QCOMPARE(span->segments[i].begin, T0 + expected[i].b);
        QCOMPARE(span->segments[i].end, T0 + expected[i].e);
        QCOMPARE(span->segments[i].label, expected[i].label);
    }
    QCOMPARE(span->status, 200);
    QCOMPARE(span->end, T0 + 10 * ms);
    QVERIFY(span->hasBlocking());
    QCOMPARE(model.lane(LaneGroup::Loop, 0).blockingIn(0, 1), 1u);
}

void TimelineTest::groups()
{
    TimelineModel model;
    model.setThreadNameResolver([](std::uint32_t thread) {
        return thread == 7 ? QStringLiteral("database 2") : QStringLiteral("worker %1").arg(thread);
    });
    const std::uint32_t dbLabel = trace::label("db.fetchrow items");
    const std::uint32_t plain = trace::label("compute");
    std::vector<trace::Event> ev {
        timelineEvent(Kind::RequestAccepted, T0, 1),
        timelineEvent(Kind::JobQueued, T0 + 1 * ms, 10, dbLabel, 1),
        timelineEvent(Kind::JobQueued, T0 + 1 * ms, 11, plain, 1),
        timelineEvent(Kind::JobQueued, T0 + 1 * ms, 12, plain, 1),
        timelineEvent(Kind::TaskSpawned, T0 + 1 * ms, 20, trace::label("send email"), 1),
        timelineEvent(Kind::JobStarted, T0 + 2 * ms, 10, dbLabel, 0, 0, 7),
        timelineEvent(Kind::JobStarted, T0 + 2 * ms, 11, plain, 0, 0, 5),
        timelineEvent(
            Kind::JobStarted, T0 + 3 * ms, 12, plain, 0, 0, 7), // database thread, plain label
        timelineEvent(Kind::JobFinished, T0 + 4 * ms, 10, dbLabel, 0, 0, 7),
        timelineEvent(Kind::JobFinished, T0 + 4 * ms, 11, plain, 0, 0, 5),
        timelineEvent(Kind::JobFinished, T0 + 5 * ms, 12, plain, 0, 0, 7),
        timelineEvent(Kind::TaskFailed, T0 + 9 * ms, 20),
    };
    model.ingest(ev);
    QCOMPARE(model.find(1)->group, LaneGroup::Loop);
    QCOMPARE(model.find(10)->group, LaneGroup::Database);
    QCOMPARE(model.find(11)->group, LaneGroup::Pool);
    QCOMPARE(model.find(12)->group, LaneGroup::Database);
    QCOMPARE(model.find(20)->group, LaneGroup::Tasks);
    QCOMPARE(model.find(20)->outcome, SpanOutcome::Failed);
    QCOMPARE(model.laneCount(LaneGroup::Pool), 1);
    QCOMPARE(model.laneCount(LaneGroup::Database), 2);
    const TimelineSpan *job = model.find(12);
    QCOMPARE(job->segments.size(), std::size_t(2));
    QCOMPARE(job->segments[0].kind, SegmentKind::Queued);
    QCOMPARE(job->segments[0].end, T0 + 3 * ms);
    QCOMPARE(job->segments[1].kind, SegmentKind::Running);
    QCOMPARE(job->workerThread, 7u);
    QCOMPARE(job->parent, quint64(1));
    QVERIFY(model.hasOpenWork()); // request 1 never closed
}

void TimelineTest::nestedAwaitsAndLateSpans()
{
    TimelineModel model;
    const std::uint32_t outer = trace::label("gather");
    const std::uint32_t inner = trace::label("GET upstream/users");
    model.ingest(std::vector<trace::Event> {
        // No RequestAccepted: the subscription started mid-request.
        timelineEvent(Kind::HandlerStarted, T0, 3),
        timelineEvent(Kind::AwaitSuspend, T0 + 1 * ms, 3, outer),
        timelineEvent(Kind::AwaitSuspend, T0 + 1 * ms, 3, inner),
        timelineEvent(Kind::AwaitResume, T0 + 4 * ms, 3, inner),
        timelineEvent(Kind::AwaitResume, T0 + 6 * ms, 3, outer),
        timelineEvent(Kind::RequestClosed, T0 + 7 * ms, 3),
    });
    const TimelineSpan *span = model.find(3);
    QVERIFY(span);
    QCOMPARE(span->begin, T0);
    QCOMPARE(span->segments.size(), std::size_t(3));
    QCOMPARE(span->segments[1].kind, SegmentKind::Awaiting);
    QCOMPARE(span->segments[1].label, outer);
    QCOMPARE(span->segments[1].end, T0 + 6 * ms);
    QVERIFY(!model.hasOpenWork());
}

void TimelineTest::retention()
{
    TimelineModel model;
    model.setRetention(std::chrono::seconds(10));
    QSignalSpy dropped(&model, &TimelineModel::requestsDropped);
    for (int i = 0; i < 30; ++i)
        model.ingest(oneRequest(std::uint64_t(100 + i), T0 + i * s, T0 + i * s + 500 * ms));
    model.ingest(
        std::vector<trace::Event> { timelineEvent(Kind::LoopLag, T0 + 30 * s, 0, 0, 0, 100'000) });
    // Everything that ended more than 10 s before the newest event is gone.
    QCOMPARE(model.spanCount(), std::size_t(10));
    QVERIFY(!model.find(100));
    QVERIFY(model.find(129));
    QVERIFY(!dropped.isEmpty());
    QCOMPARE(model.requestOrder().size(), std::size_t(10));
    QCOMPARE(model.requestOrder().front(), quint64(120));
    QVERIFY(model.earliest() >= T0 + 19 * s);
    QCOMPARE(model.laneCount(LaneGroup::Loop), 1);
}

void TimelineTest::collateralBlocking()
{
    TimelineModel model;
    const std::uint32_t route = trace::label("GET /async");
    const std::uint32_t block = trace::label("time.sleep 1.8s");
    std::vector<trace::Event> ev;
    // The culprit blocks the loop from 100 ms to 1.9 s.
    TimelineRequestShape culprit;
    culprit.span = 1;
    culprit.accepted = T0 + 90 * ms;
    culprit.started = T0 + 95 * ms;
    culprit.blockBegin = T0 + 100 * ms;
    culprit.blockEnd = T0 + 1900 * ms;
    culprit.blockLabel = block;
    culprit.closed = T0 + 1910 * ms;
    culprit.route = route;
    culprit.variant = 2;
    appendTimelineRequest(ev, culprit);
    ev.push_back(testsupport::timelineRequestId(T0 + 90 * ms, 1, QByteArrayLiteral("1234")));
    const auto add = [&](std::uint64_t span, Nanos b, Nanos e) {
        const auto r = oneRequest(span, T0 + b, T0 + e);
        ev.insert(ev.end(), r.begin(), r.end());
    };
    add(2, 50 * ms, 2500 * ms); // in flight across the whole stall: 1.8 s
    add(3, 500 * ms, 2000 * ms); // from 0.5 s: 1.4 s
    add(4, 10 * ms, 90 * ms); // done before the stall: untouched
    add(5, 2000 * ms, 2100 * ms); // after it: untouched
    ev.push_back(timelineEvent(Kind::LoopStallBegin, T0 + 105 * ms, 77, 0, 0, T0 + 100 * ms, 9));
    ev.push_back(timelineEvent(Kind::LoopStallEnd, T0 + 1901 * ms, 77, 0, 0, 1800 * ms, 9));
    std::stable_sort(ev.begin(), ev.end(), [](auto &a, auto &b) { return a.time < b.time; });
    model.ingest(ev);

    QCOMPARE(model.stalls().size(), std::size_t(1));
    const LoopStall &stall = model.stalls().front();
    QCOMPARE(stall.begin, T0 + 100 * ms);
    QCOMPARE(stall.end, T0 + 1900 * ms);
    QCOMPARE(stall.culprit, quint64(1));
    QVERIFY(stall.blamesCall());
    QCOMPARE(stall.culpritLabel, block);
    QCOMPARE(stall.victims, 2);
    QCOMPARE(stall.collateralTotal, 1800 * ms + 1400 * ms);

    QCOMPARE(model.find(2)->collateral.delay, 1800 * ms);
    QCOMPARE(model.find(2)->collateral.culprit, quint64(1));
    QCOMPARE(model.find(2)->collateral.stall, quint64(77));
    QCOMPARE(model.find(3)->collateral.delay, 1400 * ms);
    QVERIFY(!model.find(1)->collateral);
    QVERIFY(!model.find(4)->collateral);
    QVERIFY(!model.find(5)->collateral);
    QCOMPARE(model.collateralText(*model.find(2)),
        QStringLiteral("delayed 1.8 s by GET /async #1234, blocking in time.sleep 1.8s"));
}

void TimelineTest::collateralLoopBusy()
{
    // No annotated blocking call: the loop was busy, no request is blamed, all in flight waited.
    TimelineModel model;
    std::vector<trace::Event> ev;
    TimelineRequestShape hog;
    hog.span = 1;
    hog.accepted = T0;
    hog.started = T0;
    hog.closed = T0 + 300 * ms; // runs without awaiting
    hog.route = trace::label("GET /cpu");
    appendTimelineRequest(ev, hog);
    TimelineRequestShape waiter;
    waiter.span = 2;
    waiter.accepted = T0 + 10 * ms;
    waiter.started = T0 + 10 * ms;
    waiter.awaitBegin = T0 + 11 * ms;
    waiter.awaitEnd = T0 + 400 * ms;
    waiter.awaitLabel = trace::label("sleep 0.1s");
    waiter.closed = T0 + 410 * ms;
    waiter.route = trace::label("GET /async");
    appendTimelineRequest(ev, waiter);
    ev.push_back(timelineEvent(Kind::LoopStallBegin, T0 + 60 * ms, 5, 0, 0, T0 + 50 * ms));
    ev.push_back(timelineEvent(Kind::LoopStallEnd, T0 + 301 * ms, 5, 0, 0, 250 * ms));
    std::stable_sort(ev.begin(), ev.end(), [](auto &a, auto &b) { return a.time < b.time; });
    model.ingest(ev);
    QCOMPARE(model.stalls().size(), std::size_t(1));
    const LoopStall &stall = model.stalls().front();
    QCOMPARE(stall.culprit, quint64(0));
    QCOMPARE(stall.cause, trace::StallCause::LoopBusy);
    QVERIFY(!stall.blamesCall());
    QCOMPARE(stall.victims, 2); // the unannotated hog cannot be told from its victims
    QCOMPARE(model.find(2)->collateral.delay, 250 * ms);
    QCOMPARE(model.collateralText(*model.find(2)), QStringLiteral("delayed 250 ms by loop busy"));
}

void TimelineTest::consecutiveCallsConsecutiveCulprits()
{
    // Three requests read one after the other, each blocking 500 ms: the watchdog sees one long
    // stall, the timeline shows three, each blamed on its own call.
    TimelineModel model;
    const std::uint32_t block = trace::label("sleep 0.5s");
    std::vector<trace::Event> ev;
    for (int i = 0; i < 3; ++i) {
        TimelineRequestShape r;
        r.span = std::uint64_t(i + 1);
        r.accepted = T0 + i * 501 * ms;
        r.started = r.accepted;
        r.blockBegin = r.accepted;
        r.blockEnd = r.accepted + 500 * ms;
        r.blockLabel = block;
        r.closed = r.blockEnd;
        r.route = trace::label("GET /async");
        r.variant = 2;
        appendTimelineRequest(ev, r);
    }
    TimelineRequestShape waiter; // an async request suspended across all three
    waiter.span = 9;
    waiter.accepted = waiter.started = T0 - 10 * ms;
    waiter.awaitBegin = T0 - 9 * ms;
    waiter.awaitEnd = T0 + 1510 * ms;
    waiter.awaitLabel = trace::label("sleep 0.1s");
    waiter.closed = T0 + 1511 * ms;
    waiter.route = trace::label("GET /async");
    appendTimelineRequest(ev, waiter);
    ev.push_back(timelineEvent(Kind::LoopStallBegin, T0 + 6 * ms, 40, 0, 0, T0 + 1 * ms));
    ev.push_back(timelineEvent(Kind::LoopStallEnd, T0 + 1503 * ms, 40, 0, 0, 1502 * ms));
    std::stable_sort(ev.begin(), ev.end(), [](auto &a, auto &b) { return a.time < b.time; });
    model.ingest(ev);

    QCOMPARE(model.stalls().size(), std::size_t(3));
    for (int i = 0; i < 3; ++i) {
        const LoopStall &stall = model.stalls()[std::size_t(i)];
        QVERIFY(stall.blamesCall());
        QCOMPARE(stall.culprit, quint64(i + 1));
        QCOMPARE(stall.begin, T0 + i * 501 * ms);
        QCOMPARE(stall.end - stall.begin, 500 * ms);
        // Only the waiter: the next request is not read yet, the last one has left.
        QCOMPARE(stall.victims, 1);
        QCOMPARE(stall.collateralTotal, 500 * ms);
    }
    QCOMPARE(model.find(9)->collateral.delay, 1500 * ms);
}

void TimelineTest::listModelTester()
{
    TimelineModel model;
    model.setRetention(std::chrono::seconds(5));
    RequestListModel list(&model);
    QAbstractItemModelTester tester(&list, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int frame = 0; frame < 20; ++frame) {
        std::vector<trace::Event> batch;
        for (int i = 0; i < 3; ++i) {
            const auto r = oneRequest(std::uint64_t(frame * 10 + i + 1), T0 + frame * s + i * ms,
                T0 + frame * s + i * ms + 200 * ms);
            batch.insert(batch.end(), r.begin(), r.end());
        }
        std::stable_sort(
            batch.begin(), batch.end(), [](auto &a, auto &b) { return a.time < b.time; });
        model.ingest(batch);
    }
    QCOMPARE(list.rowCount(), int(model.requestOrder().size()));
    QVERIFY(list.rowCount() < 60);
    const QModelIndex last = list.index(list.rowCount() - 1);
    QCOMPARE(last.data(RequestListModel::SpanIdRole).toULongLong(), quint64(193));
    QCOMPARE(last.data(RequestListModel::StatusRole).toInt(), 200);
    QCOMPARE(last.data(RequestListModel::DurationRole).toLongLong(), 200 * ms);
    QVERIFY(last.data().toString().startsWith(QStringLiteral("GET /async #193")));
    model.clear();
    QCOMPARE(list.rowCount(), 0);
}

namespace {
// A view showing one request with an await and a blocking call across its width.
struct RenderFixture
{
    TimelineModel model;
    TimelineView view { &model };
    RenderFixture()
    {
        std::vector<trace::Event> ev;
        TimelineRequestShape r;
        r.span = 9;
        r.accepted = T0;
        r.started = T0 + 10 * ms;
        r.awaitBegin = T0 + 100 * ms;
        r.awaitEnd = T0 + 400 * ms;
        r.awaitLabel = trace::label("sleep 0.3s");
        r.blockBegin = T0 + 500 * ms;
        r.blockEnd = T0 + 800 * ms;
        r.blockLabel = trace::label("time.sleep");
        r.closed = T0 + 900 * ms;
        r.route = trace::label("GET /async");
        appendTimelineRequest(ev, r);
        model.ingest(ev);
        view.resize(1000, 300);
        view.setLabelsVisible(false); // exact colours under the sampled pixels
        view.show();
        view.zoom()->setRange(T0, T0 + s);
    }
    int laneMidY() const
    {
        const QRect lane = view.laneRect(LaneGroup::Loop, 0);
        return lane.top() + lane.height() / 3;
    }
};
} // namespace

void TimelineTest::renderSegments()
{
    RenderFixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    QSignalSpy painted(&f.view, &TimelineView::painted);
    const QImage image = f.view.grab().toImage();
    QCOMPARE(painted.count(), 1);
    const TimeMapping &m = f.view.zoom()->mapping();
    QCOMPARE(m.width(), 1000.0);
    const int y = f.laneMidY();
    const TimelinePalette &pal = f.view.timelinePalette();
    // Blocking is red over its whole time range, and only there.
    for (Nanos t = 510 * ms; t < 800 * ms; t += 20 * ms)
        QVERIFY2(isRed(image.pixel(int(m.toX(T0 + t)), y)), qPrintable(QString::number(t / ms)));
    QVERIFY(!isRed(image.pixel(int(m.toX(T0 + 450 * ms)), y)));
    QVERIFY(!isRed(image.pixel(int(m.toX(T0 + 850 * ms)), y)));
    // The await gap is drawn in the awaiting colour, the code around it as running.
    QCOMPARE(QColor(image.pixel(int(m.toX(T0 + 250 * ms)), y)), pal.awaiting);
    QCOMPARE(QColor(image.pixel(int(m.toX(T0 + 50 * ms)), y)), pal.running);
    QCOMPARE(QColor(image.pixel(int(m.toX(T0 + 5 * ms)), y)), pal.queued);
    QCOMPARE(QColor(image.pixel(int(m.toX(T0 + 450 * ms)), y)), pal.running);
    // Nothing after the close: the lane's background, or a grid line crossing it there (the
    // ticks are counted from the session's origin, this process's start, so any column may
    // hold one: CI once sampled the grid's colour here).
    const QColor afterClose(image.pixel(int(m.toX(T0 + 950 * ms)), y));
    QVERIFY2(afterClose == pal.background || afterClose == pal.grid, qPrintable(afterClose.name()));
}

// A restart's stop and start are drawn as lines across the lanes; the session's first start is
// not (the axis' zero says it).
void TimelineTest::renderRestartMarks()
{
    RenderFixture f;
    f.model.ingest(std::vector<trace::Event> {
        timelineEvent(trace::Kind::ServerStarted, T0 + 20 * ms, 0),
        timelineEvent(trace::Kind::ServerStopping, T0 + 300 * ms, 0),
        timelineEvent(trace::Kind::ServerStarted, T0 + 600 * ms, 0),
    });
    QCOMPARE(f.model.serverMarks().size(), std::size_t(3));
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    const QImage image = f.view.grab().toImage();
    const TimeMapping &m = f.view.zoom()->mapping();
    const QColor line = f.view.timelinePalette().text;
    const QRect lanes = f.view.lanesViewport();
    auto linePixels = [&](Nanos t) {
        int count = 0;
        for (int y = lanes.top(); y < lanes.bottom(); ++y)
            count += QColor(image.pixel(int(m.toX(t)), y)) == line ? 1 : 0;
        return count;
    };
    QVERIFY(linePixels(T0 + 300 * ms) >= 3);
    QVERIFY(linePixels(T0 + 600 * ms) >= 3);
    QCOMPARE(linePixels(T0 + 20 * ms), 0);
}

void TimelineTest::groupTitlesOverTheMarks()
{
    // A restart's line runs across every lane but behind the group titles: the words under it
    // read the same as with no restart.
    RenderFixture plain;
    RenderFixture marked;
    marked.model.ingest(
        std::vector<trace::Event> { timelineEvent(trace::Kind::ServerStopping, T0 + 40 * ms, 0) });
    QVERIFY(QTest::qWaitForWindowExposed(&plain.view));
    QVERIFY(QTest::qWaitForWindowExposed(&marked.view));
    const QImage without = plain.view.grab().toImage();
    const QImage with = marked.view.grab().toImage();
    const QRect firstLane = marked.view.laneRect(LaneGroup::Loop, 0);
    const int x = int(marked.view.zoom()->mapping().toX(T0 + 40 * ms));
    const int headerTop = marked.view.lanesViewport().top();
    QVERIFY2(firstLane.top() - headerTop >= 8, "the loop group has a title row");
    // The line is drawn: below the title, in the first lane.
    QVERIFY(with.copy(x - 1, firstLane.top(), 3, firstLane.height())
        != without.copy(x - 1, firstLane.top(), 3, firstLane.height()));
    // The title, from its first words to past the line, is untouched.
    const QRect title(0, headerTop, x + 12, firstLane.top() - headerTop);
    QCOMPARE(with.copy(title), without.copy(title));
}

void TimelineTest::renderFoldsNarrowSpans()
{
    TimelineModel model;
    // 2000 back-to-back 100 µs requests in one lane, one of them blocking.
    std::vector<trace::Event> ev;
    for (int i = 0; i < 2000; ++i) {
        TimelineRequestShape r;
        r.span = std::uint64_t(i + 1);
        r.accepted = T0 + i * 200'000;
        r.started = r.accepted;
        r.closed = r.accepted + 100'000;
        r.route = trace::label("GET /async");
        if (i == 1000) {
            r.blockBegin = r.accepted + 10'000;
            r.blockEnd = r.accepted + 90'000;
        }
        appendTimelineRequest(ev, r);
    }
    model.ingest(ev);
    TimelineView view(&model);
    view.setLabelsVisible(false);
    view.resize(400, 200);
    view.show();
    view.zoom()->setRange(T0, T0 + 400 * ms); // 1 ms per pixel: 5 spans per pixel
    const QImage image = view.grab().toImage();
    const TimeMapping &m = view.zoom()->mapping();
    const int y = view.laneRect(LaneGroup::Loop, 0).center().y();
    const TimelinePalette &pal = view.timelinePalette();
    QCOMPARE(QColor(image.pixel(int(m.toX(T0 + 50 * ms)), y)).rgb(), pal.folded.rgb());
    // The box holding the blocking request says so.
    QVERIFY(isRed(image.pixel(int(m.toX(T0 + 200 * ms)), y)));
}

void TimelineTest::wheelZoomsAroundCursor()
{
    RenderFixture f;
    const TimeMapping before = f.view.zoom()->mapping();
    const QPointF pos(250, f.laneMidY());
    QWheelEvent wheel(pos, f.view.mapToGlobal(pos), QPoint(), QPoint(0, 120), Qt::NoButton,
        Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&f.view, &wheel);
    const TimeMapping after = f.view.zoom()->mapping();
    QVERIFY(after.duration() < before.duration());
    QVERIFY(std::abs(after.duration() - Nanos(double(before.duration()) / 1.25)) <= 1);
    QVERIFY(std::abs(after.toTime(250) - before.toTime(250)) <= after.duration() / 1000);
    // And back out.
    QWheelEvent out(pos, f.view.mapToGlobal(pos), QPoint(), QPoint(0, -120), Qt::NoButton,
        Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&f.view, &out);
    QVERIFY(std::abs(f.view.zoom()->mapping().duration() - before.duration()) <= 2);
}

void TimelineTest::dragPans()
{
    RenderFixture f;
    f.view.zoom()->setRange(T0 + 200 * ms, T0 + 600 * ms);
    const TimeMapping before = f.view.zoom()->mapping();
    const int y = f.laneMidY();
    QTest::mousePress(&f.view, Qt::LeftButton, Qt::NoModifier, QPoint(500, y));
    QTest::mouseMove(&f.view, QPoint(550, y));
    QTest::mouseMove(&f.view, QPoint(600, y));
    QTest::mouseRelease(&f.view, Qt::LeftButton, Qt::NoModifier, QPoint(600, y));
    const TimeMapping after = f.view.zoom()->mapping();
    QCOMPARE(after.duration(), before.duration());
    // Dragged right by 100 px: the content moved right, earlier times show.
    QVERIFY(std::abs((before.start() - after.start()) - Nanos(100 * before.nsPerPixel())) <= 2);
    QVERIFY(!f.view.zoom()->isFollowing());
}

void TimelineTest::boxZoom()
{
    RenderFixture f;
    const TimeMapping before = f.view.zoom()->mapping();
    const int y = f.laneMidY();
    QTest::mousePress(&f.view, Qt::LeftButton, Qt::ShiftModifier, QPoint(100, y));
    QTest::mouseMove(&f.view, QPoint(200, y));
    QTest::mouseMove(&f.view, QPoint(300, y));
    QTest::mouseRelease(&f.view, Qt::LeftButton, Qt::ShiftModifier, QPoint(300, y));
    const TimeMapping after = f.view.zoom()->mapping();
    QCOMPARE(after.start(), before.toTime(100));
    QCOMPARE(after.end(), before.toTime(300));

    // Right-drag does the same without a modifier.
    QTest::mousePress(&f.view, Qt::RightButton, Qt::NoModifier, QPoint(500, y));
    QTest::mouseMove(&f.view, QPoint(700, y));
    QTest::mouseRelease(&f.view, Qt::RightButton, Qt::NoModifier, QPoint(750, y));
    QCOMPARE(f.view.zoom()->mapping().start(), after.toTime(500));
    QCOMPARE(f.view.zoom()->mapping().end(), after.toTime(750));
}

void TimelineTest::keyboard()
{
    RenderFixture f;
    ZoomState *zoom = f.view.zoom();
    const Nanos d = zoom->mapping().duration();
    QTest::keyClick(&f.view, Qt::Key_Plus);
    QVERIFY(std::abs(zoom->mapping().duration() - Nanos(double(d) / 1.5)) <= 1);
    QTest::keyClick(&f.view, Qt::Key_Minus);
    QVERIFY(std::abs(zoom->mapping().duration() - d) <= 2);
    const Nanos start = zoom->mapping().start();
    QTest::keyClick(&f.view, Qt::Key_Right);
    QVERIFY(zoom->mapping().start() > start);
    QTest::keyClick(&f.view, Qt::Key_Left);
    QTest::keyClick(&f.view, Qt::Key_Left);
    QVERIFY(zoom->mapping().start() < start);
    QTest::keyClick(&f.view, Qt::Key_Home);
    QVERIFY(zoom->mapping().start() <= T0);
    QVERIFY(zoom->mapping().end() >= T0 + 900 * ms);
    QVERIFY(!zoom->isFollowing());
    QSignalSpy following(zoom, &ZoomState::followingChanged);
    QTest::keyClick(&f.view, Qt::Key_F);
    QVERIFY(zoom->isFollowing());
    QCOMPARE(following.count(), 1);
    QVERIFY(zoom->mapping().end() >= f.model.now());
    QTest::keyClick(&f.view, Qt::Key_End);
    QVERIFY(!zoom->isFollowing());
    QVERIFY(zoom->mapping().end() >= f.model.now());
}

void TimelineTest::clickSelects()
{
    RenderFixture f;
    QSignalSpy selected(&f.view, &TimelineView::requestSelected);
    const int x = int(f.view.zoom()->mapping().toX(T0 + 250 * ms));
    QTest::mouseClick(&f.view, Qt::LeftButton, Qt::NoModifier, QPoint(x, f.laneMidY()));
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.front().front().toULongLong(), quint64(9));
    QCOMPARE(f.view.selectedSpan(), quint64(9));
    // Empty space selects nothing.
    QTest::mouseClick(&f.view, Qt::LeftButton, Qt::NoModifier, QPoint(980, f.laneMidY()));
    QCOMPARE(selected.count(), 1);

    RequestInspector inspector(&f.model);
    QObject::connect(
        &f.view, &TimelineView::requestSelected, &inspector, &RequestInspector::showSpan);
    inspector.showSpan(9);
    QStringList events;
    for (int i = 0; i < inspector.topLevelItemCount(); ++i)
        events << inspector.topLevelItem(i)->text(RequestInspector::EventColumn);
    // No send time in this trace: said first, and times count from the read.
    QCOMPARE(events,
        QStringList({ QStringLiteral("sent"), QStringLiteral("accepted"), QStringLiteral("parsed"),
            QStringLiteral("handler started"), QStringLiteral("await"), QStringLiteral("resumed"),
            QStringLiteral("blocking call"), QStringLiteral("response written"),
            QStringLiteral("closed") }));
    QCOMPARE(
        inspector.topLevelItem(0)->text(RequestInspector::TimeColumn), QStringLiteral("unknown"));
    QCOMPARE(
        inspector.topLevelItem(4)->text(RequestInspector::TimeColumn), QStringLiteral("+100 ms"));
    QCOMPARE(inspector.topLevelItem(4)->text(RequestInspector::DurationColumn),
        QStringLiteral("300 ms"));
    QCOMPARE(inspector.topLevelItem(4)->text(RequestInspector::DetailColumn),
        QStringLiteral("sleep 0.3s"));
}

void TimelineTest::repaintsOnlyWhenChanged()
{
    RenderFixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.view));
    QTRY_VERIFY(!f.view.isRepaintPending());
    QCoreApplication::processEvents();
    const std::uint64_t painted = f.view.paintCount();
    // Paused and idle: processing events paints nothing and arms no timer.
    for (int i = 0; i < 5; ++i)
        QCoreApplication::processEvents();
    QCOMPARE(f.view.paintCount(), painted);
    QVERIFY(!f.view.isRepaintPending());
    // A change outside the paused view does not repaint either.
    f.model.ingest(oneRequest(500, T0 + 30 * s, T0 + 31 * s));
    QVERIFY(!f.view.isRepaintPending());
    QCoreApplication::processEvents();
    QCOMPARE(f.view.paintCount(), painted);
    // Moving the view does, once per frame however many steps arrive.
    for (int i = 0; i < 10; ++i)
        f.view.zoom()->panBy(5);
    QTRY_VERIFY(f.view.paintCount() > painted);
    QTRY_VERIFY(!f.view.isRepaintPending());
    QVERIFY(f.view.paintCount() <= painted + 2);
}

QTEST_MAIN(TimelineTest)
#include "tst_timeline.moc"
