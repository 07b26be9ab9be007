// Replay: at any play-head time the timeline holds what the trace held then, and the state read
// at the play head (in flight, who has the loop, who awaits, is queued or unread) is what the
// trace says; playing, stepping and seeking back get there the same way.

#include "replay.h"
#include "replaycontrols.h"
#include "support/timelineevents.h"
#include "timelinemodel.h"
#include "timelineview.h"

#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QToolButton>

#include <algorithm>

using namespace loopscope;
using namespace loopscope::viz;
using namespace loopscope::testsupport;

namespace {

constexpr trace::Nanos kMs = 1'000'000;
constexpr trace::Nanos kStart = 50'000 * kMs; // well after the session origin

// A awaits a sleep while B holds the loop in a blocking call; C is sent during it and waits
// unread in its socket until the loop is free again.
std::vector<trace::Event> lesson()
{
    const std::uint32_t route = trace::label("GET /async");
    const std::uint32_t sleep = trace::label("sleep 0.01s");
    const std::uint32_t block = trace::label("time.sleep 0.004s");
    std::vector<trace::Event> events;
    TimelineRequestShape a;
    a.span = 101;
    a.requestId = "A";
    a.accepted = kStart + 1 * kMs;
    a.started = a.accepted + kMs / 10;
    a.awaitBegin = kStart + 2 * kMs;
    a.awaitEnd = kStart + 10 * kMs;
    a.closed = kStart + 11 * kMs;
    a.route = route;
    a.awaitLabel = sleep;
    appendTimelineRequest(events, a);
    TimelineRequestShape b;
    b.span = 102;
    b.requestId = "B";
    b.arrived = kStart + 3 * kMs;
    b.accepted = kStart + 5 * kMs;
    b.started = b.accepted + kMs / 10;
    b.blockBegin = kStart + 5 * kMs + kMs / 5;
    b.blockEnd = kStart + 9 * kMs;
    b.closed = kStart + 9 * kMs + kMs / 2;
    b.route = route;
    b.blockLabel = block;
    b.variant = 2;
    appendTimelineRequest(events, b);
    TimelineRequestShape c;
    c.span = 103;
    c.requestId = "C";
    c.arrived = kStart + 6 * kMs;
    c.accepted = kStart + 9 * kMs + kMs * 6 / 10;
    c.started = c.accepted + kMs / 10;
    c.closed = kStart + 9 * kMs + kMs * 9 / 10;
    c.route = route;
    appendTimelineRequest(events, c);
    std::stable_sort(events.begin(), events.end(),
        [](const trace::Event &x, const trace::Event &y) { return x.time < y.time; });
    return events;
}

// The lesson as a recording holds it: C's events recorded on a second thread, and the two
// threads handed on a thread at a time every 4 ms, as the trace hub does, so the events are
// not in time order across threads.
std::vector<trace::Event> lessonAsRecorded()
{
    std::vector<trace::Event> events = lesson();
    for (trace::Event &e : events)
        e.thread = e.span == 103 ? 2 : 1;
    std::stable_sort(
        events.begin(), events.end(), [](const trace::Event &x, const trace::Event &y) {
            return std::pair(x.time / (4 * kMs), x.thread)
                < std::pair(y.time / (4 * kMs), y.thread);
        });
    return events;
}

std::vector<std::uint64_t> sorted(std::vector<std::uint64_t> ids)
{
    std::sort(ids.begin(), ids.end());
    return ids;
}

QString threadName(std::uint32_t thread)
{
    return QStringLiteral("thread %1").arg(thread);
}

} // namespace

class TestReplay : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void stateAtThePlayHead_data();
    void stateAtThePlayHead();
    void modelHoldsWhatTheTraceHeldThen();
    void playingStepsAndSeeksReachTheSameState();
    void aRecordingOpensAsLiveAndReplaysInTimeOrder();
    void controlsShowTheState();
};

void TestReplay::stateAtThePlayHead_data()
{
    using Ids = std::vector<std::uint64_t>;
    QTest::addColumn<trace::Nanos>("at");
    QTest::addColumn<std::uint64_t>("onLoop");
    QTest::addColumn<bool>("blocked");
    QTest::addColumn<Ids>("awaiting");
    QTest::addColumn<Ids>("unread");
    QTest::addColumn<Ids>("queued");
    QTest::newRow("A runs") << kStart + kMs * 3 / 2 << std::uint64_t(101) << false << Ids {}
                            << Ids {} << Ids {};
    QTest::newRow("A awaits, B sent")
        << kStart + 4 * kMs << std::uint64_t(0) << false << Ids { 101 } << Ids { 102 } << Ids {};
    QTest::newRow("B blocks, C unread")
        << kStart + 7 * kMs << std::uint64_t(102) << true << Ids { 101 } << Ids { 103 } << Ids {};
    QTest::newRow("C read, waits for the loop")
        << kStart + 9 * kMs + kMs * 65 / 100 << std::uint64_t(0) << false << Ids { 101 } << Ids {}
        << Ids { 103 };
    QTest::newRow("A resumed") << kStart + 10 * kMs + kMs / 2 << std::uint64_t(101) << false
                               << Ids {} << Ids {} << Ids {};
    QTest::newRow("all done") << kStart + 20 * kMs << std::uint64_t(0) << false << Ids {} << Ids {}
                              << Ids {};
}

void TestReplay::stateAtThePlayHead()
{
    QFETCH(trace::Nanos, at);
    QFETCH(std::uint64_t, onLoop);
    QFETCH(bool, blocked);
    QFETCH(std::vector<std::uint64_t>, awaiting);
    QFETCH(std::vector<std::uint64_t>, unread);
    QFETCH(std::vector<std::uint64_t>, queued);
    TimelineModel model;
    Replay replay(model, lesson(), threadName);
    replay.seek(at);
    QCOMPARE(replay.position(), std::min(at, replay.end()));
    const ReplayState state = replay.state();
    QCOMPARE(state.onLoop, onLoop);
    QCOMPARE(state.loopBlocked, blocked);
    QCOMPARE(sorted(state.awaiting), awaiting);
    QCOMPARE(sorted(state.unread), unread);
    QCOMPARE(sorted(state.queued), queued);
    QCOMPARE(
        state.inFlight(), int(awaiting.size() + unread.size() + queued.size()) + (onLoop ? 1 : 0));
}

void TestReplay::modelHoldsWhatTheTraceHeldThen()
{
    const std::vector<trace::Event> events = lesson();
    TimelineModel model;
    Replay replay(model, events, threadName);
    QCOMPARE(model.requestOrder().size(), std::size_t(3)); // opened at the end: all of it
    for (const trace::Nanos at :
        { kStart + 2 * kMs, kStart + 6 * kMs, kStart + 9 * kMs + kMs * 7 / 10 }) {
        replay.seek(at);
        const auto accepted
            = std::count_if(events.begin(), events.end(), [&](const trace::Event &e) {
                  return e.kind == trace::Kind::RequestAccepted && e.time <= at;
              });
        QCOMPARE(qsizetype(model.requestOrder().size()), qsizetype(accepted));
        QCOMPARE(model.now(), at);
        // Open spans end at the play head, as a live one ends at "now".
        for (const auto id : model.requestOrder()) {
            const TimelineSpan *s = model.find(id);
            QVERIFY(s);
            const auto closed
                = std::find_if(events.begin(), events.end(), [&](const trace::Event &e) {
                      return e.kind == trace::Kind::RequestClosed && e.span == id;
                  });
            QCOMPARE(s->isOpen(), closed->time > at);
        }
    }
    // The stall B caused is in the model only once the watchdog-free trace shows its call.
    replay.seek(kStart + 5 * kMs);
    const TimelineSpan *b = nullptr;
    for (const auto id : model.requestOrder())
        b = model.find(id)->requestId == "B" ? model.find(id) : b;
    QVERIFY(b);
    QVERIFY(std::none_of(b->segments.begin(), b->segments.end(),
        [](const Segment &s) { return s.kind == SegmentKind::Blocking; }));
    replay.seek(kStart + 8 * kMs);
    QVERIFY(std::any_of(b->segments.begin(), b->segments.end(),
        [](const Segment &s) { return s.kind == SegmentKind::Blocking && s.end == 0; }));
}

void TestReplay::playingStepsAndSeeksReachTheSameState()
{
    TimelineModel model;
    Replay replay(model, lesson(), threadName);
    // Stepping visits every instant at which something happened, in order.
    replay.seek(replay.begin());
    std::vector<trace::Nanos> visited { replay.position() };
    for (int i = 0; i < 100 && replay.position() < replay.end(); ++i) {
        replay.stepForward();
        QVERIFY(replay.position() > visited.back());
        visited.push_back(replay.position());
    }
    QCOMPARE(replay.position(), replay.end());
    std::vector<trace::Nanos> instants;
    for (const trace::Event &e : lesson()) {
        if (instants.empty() || instants.back() != e.time)
            instants.push_back(e.time);
    }
    QCOMPARE(visited, instants);
    replay.stepBack();
    QCOMPARE(replay.position(), instants[instants.size() - 2]);

    // Played at 4x from the start it reaches the end by itself, the model whole again.
    const std::size_t whole = model.spanCount();
    QSignalSpy playing(&replay, &Replay::playingChanged);
    replay.setSpeed(100); // clamped
    QCOMPARE(replay.speed(), 4.0);
    replay.play(); // at the end: from the start again
    QVERIFY(replay.isPlaying());
    QVERIFY(replay.position() < replay.end());
    QTRY_VERIFY_WITH_TIMEOUT(!replay.isPlaying(), 10000);
    QCOMPARE(replay.position(), replay.end());
    QCOMPARE(playing.count(), 2);
    QCOMPARE(model.spanCount(), whole);
}

void TestReplay::aRecordingOpensAsLiveAndReplaysInTimeOrder()
{
    const std::vector<trace::Event> recorded = lessonAsRecorded();
    QVERIFY(!std::is_sorted(recorded.begin(), recorded.end(),
        [](const trace::Event &x, const trace::Event &y) { return x.time < y.time; }));
    // Opened, the model is the live one: the events taken in the order the trace gave them.
    TimelineModel live;
    live.ingest(recorded);
    TimelineModel opened;
    Replay replay(opened, recorded, threadName);
    QCOMPARE(opened.spanCount(), live.spanCount());
    for (const std::uint64_t id : { 101, 102, 103 }) {
        const TimelineSpan *a = live.find(id);
        const TimelineSpan *b = opened.find(id);
        QVERIFY(a && b);
        QCOMPARE(b->begin, a->begin);
        QCOMPARE(b->end, a->end);
        QCOMPARE(b->segments.size(), a->segments.size());
    }
    // Moved, the play head sees what the trace in time order says at each instant.
    TimelineModel inOrder;
    Replay reference(inOrder, lesson(), threadName);
    QCOMPARE(replay.begin(), reference.begin());
    QCOMPARE(replay.end(), reference.end());
    for (trace::Nanos at = replay.begin(); at <= replay.end(); at += kMs / 4) {
        replay.seek(at);
        reference.seek(at);
        const ReplayState a = reference.state();
        const ReplayState b = replay.state();
        QCOMPARE(b.onLoop, a.onLoop);
        QCOMPARE(b.loopBlocked, a.loopBlocked);
        QCOMPARE(sorted(b.awaiting), sorted(a.awaiting));
        QCOMPARE(sorted(b.unread), sorted(a.unread));
        QCOMPARE(sorted(b.queued), sorted(a.queued));
        // And the model fed up to it holds the same spans in the same states.
        QCOMPARE(opened.requestOrder().size(), inOrder.requestOrder().size());
        for (const std::uint64_t id : { 101, 102, 103 }) {
            const TimelineSpan *x = inOrder.find(id);
            const TimelineSpan *y = opened.find(id);
            QCOMPARE(y != nullptr, x != nullptr);
            if (x) {
                QCOMPARE(y->end, x->end);
                QCOMPARE(y->segments.size(), x->segments.size());
                QCOMPARE(y->segments.back().kind, x->segments.back().kind);
            }
        }
    }
}

void TestReplay::controlsShowTheState()
{
    TimelineModel model;
    Replay replay(model, lesson(), threadName);
    TimelineView view(&model);
    ReplayControls controls(replay, view);
    controls.resize(1200, 40);
    controls.show();
    QVERIFY(QTest::qWaitForWindowExposed(&controls));
    replay.seek(kStart + 7 * kMs);
    QVERIFY2(controls.stateText().contains(u"3 in flight: on the loop GET /async #B, blocking"),
        qPrintable(controls.stateText()));
    QVERIFY(controls.stateText().contains(u"1 awaiting"));
    QVERIFY(controls.stateText().contains(u"1 unread in socket"));
    controls.speedBox()->setCurrentIndex(controls.speedBox()->findData(0.1));
    QCOMPARE(replay.speed(), 0.1);
    controls.playButton()->click();
    QVERIFY(replay.isPlaying());
    QVERIFY(view.zoom()->isFollowing()); // the play head at the right edge
    QVERIFY(controls.playButton()->text().contains(u"Pause"));
    controls.playButton()->click();
    QVERIFY(!replay.isPlaying());
}

QTEST_MAIN(TestReplay)
#include "tst_replay.moc"
