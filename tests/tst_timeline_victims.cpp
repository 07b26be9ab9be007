// The timeline's picture of a stall's victims: requests that waited unread in their socket
// while the loop was blocked get lanes from the moment their client sent them, a segment of
// their own for the wait, and their share of each stall; where no send time is known, it says
// so. Fed with synthetic events, as the trace hub would deliver them.

#include "laneallocator.h"
#include "requestinspector.h"
#include "sessionclock.h"
#include "support/timelineevents.h"
#include "timelinelegend.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "trace.h"

#include <QtGui/QImage>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWidgets/QVBoxLayout>

#include <random>
#include <set>

using namespace loopscope;
using namespace loopscope::viz;
using loopscope::testsupport::appendTimelineRequest;
using loopscope::testsupport::timelineEvent;
using loopscope::testsupport::TimelineRequestShape;
using trace::Kind;

namespace {
constexpr Nanos us = 1'000;
constexpr Nanos ms = 1'000'000;
constexpr Nanos s = 1'000'000'000;
constexpr Nanos T0 = 5'000 * s;
constexpr int kClients = 10;
constexpr Nanos kCall = 500 * ms;

// The view, without labels, showing T0 - 100 ms .. T0 + 900 ms on 1000 px: what it paints.
QImage renderFirstSecond(TimelineView &view)
{
    view.setLabelsVisible(false);
    view.resize(1000, 300);
    view.show();
    view.zoom()->setRange(T0 - 100 * ms, T0 + 900 * ms);
    return view.grab().toImage();
}

void sortByTime(std::vector<trace::Event> &events)
{
    std::stable_sort(events.begin(), events.end(),
        [](const trace::Event &a, const trace::Event &b) { return a.time < b.time; });
}

// A blocking call stalls the loop 0–300 ms, then the loop is stuck 500–600 ms with no call to
// blame.
std::vector<trace::Event> blamedThenBusyStall()
{
    std::vector<trace::Event> events;
    TimelineRequestShape culprit; // blocks the loop 0–300 ms
    culprit.span = 1;
    culprit.accepted = culprit.started = culprit.blockBegin = T0;
    culprit.blockEnd = culprit.closed = T0 + 300 * ms;
    culprit.blockLabel = trace::label("sleep 0.3s");
    appendTimelineRequest(events, culprit);
    events.push_back(timelineEvent(Kind::LoopStallBegin, T0 + 5 * ms, 7, 0, 0, T0));
    events.push_back(timelineEvent(Kind::LoopStallEnd, T0 + 301 * ms, 7, 0, 0, 300 * ms));
    // 500–600 ms: the watchdog saw the loop stuck with no blocking call in it.
    events.push_back(timelineEvent(Kind::LoopStallBegin, T0 + 505 * ms, 8, 0, 0, T0 + 500 * ms));
    events.push_back(timelineEvent(Kind::LoopStallEnd, T0 + 601 * ms, 8, 0, 0, 100 * ms));
    sortByTime(events);
    return events;
}

// Ten clients send at once (10 µs apart) to a route whose blocking variant sleeps 0.5 s on the
// loop. The server reads them one at a time, 1 ms after the first was sent and then each as
// the previous call returns, so request j waits j × 0.5 s unread in its socket. The watchdog
// sees one stall from the first call to the last.
struct TenBehindBlockingCalls
{
    std::vector<trace::Event> events;

    static std::uint64_t span(int client) { return std::uint64_t(client + 1); }
    static Nanos sent(int client) { return T0 + client * 10 * us; }
    static Nanos accepted(int client) { return T0 + 1 * ms + client * kCall; }
    static Nanos closed(int client) { return accepted(client) + kCall; }

    explicit TenBehindBlockingCalls(bool sendTimes = true)
    {
        for (int c = 0; c < kClients; ++c) {
            TimelineRequestShape r;
            r.span = span(c);
            r.sent = sendTimes ? sent(c) : 0;
            r.arrived = sendTimes ? sent(c) + 20 * us : 0;
            r.accepted = r.started = r.blockBegin = accepted(c);
            r.blockEnd = r.closed = closed(c);
            r.blockLabel = trace::label("sleep 0.5s");
            r.route = trace::label("GET /async");
            r.variant = 2;
            r.requestId = "c" + QByteArray::number(c);
            appendTimelineRequest(events, r);
        }
        const Nanos stallEnd = closed(kClients - 1);
        events.push_back(
            timelineEvent(Kind::LoopStallBegin, accepted(0) + 6 * ms, 90, 0, 0, accepted(0)));
        events.push_back(
            timelineEvent(Kind::LoopStallEnd, stallEnd + 1 * ms, 90, 0, 0, stallEnd - accepted(0)));
        sortByTime(events);
    }
};

QStringList column(const RequestInspector &inspector, int column)
{
    QStringList texts;
    for (int i = 0; i < inspector.topLevelItemCount(); ++i)
        texts << inspector.topLevelItem(i)->text(column);
    return texts;
}

// Spans in a lane follow one another: each begins once the one before has ended.
bool lanesDoNotOverlap(const TimelineModel &model, QString *why)
{
    for (int lane = 0; lane < model.laneCount(LaneGroup::Loop); ++lane) {
        const TimelineLane &l = model.lane(LaneGroup::Loop, lane);
        for (std::size_t i = 1; i < l.size(); ++i) {
            const TimelineSpan &before = model.span(l[i - 1].slot);
            const TimelineSpan &after = model.span(l[i].slot);
            if (l[i - 1].end == 0 || l[i - 1].end > l[i].begin || l[i].begin != after.begin) {
                *why = QStringLiteral("lane %1: span %2 [%3, %4] then span %5 from %6")
                           .arg(lane)
                           .arg(before.id)
                           .arg(before.begin - T0)
                           .arg(before.end - T0)
                           .arg(after.id)
                           .arg(after.begin - T0);
                return false;
            }
        }
    }
    return true;
}
} // namespace

class TimelineVictimsTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void tenLanesWithUnreadSegments();
    void oneCulpritPerBlockingCall();
    void issuedTime_data();
    void issuedTime();
    void laneAllocator();
    void lanePackingWhenBeginMovesEarlier_data();
    void lanePackingWhenBeginMovesEarlier();
    void lanesNeverOverlap();
    void laterBatchMovesBeginAndRepaints();
    void lateVictimCutsTheStallAgain();
    void inspectorPlacesTheWaitAndItsCulprits();
    void inspectorCollateralLeadsToItsCulprit();
    void inspectorSaysUnknown();
    void renderUnreadAndUnknownStart();
    void busyLoopStallIsNotRed();
    void stallsKeepOffTheStripTitle();
    void everyVictimOnScreen();
    void legend();
};

void TimelineVictimsTest::tenLanesWithUnreadSegments()
{
    TimelineModel model;
    model.ingest(TenBehindBlockingCalls().events);
    QCOMPARE(model.laneCount(LaneGroup::Loop), kClients);
    std::set<int> lanes;
    for (int c = 0; c < kClients; ++c) {
        const TimelineSpan *span = model.find(TenBehindBlockingCalls::span(c));
        QVERIFY(span);
        lanes.insert(span->lane);
        QCOMPARE(model.lane(LaneGroup::Loop, span->lane).size(), std::size_t(1));
        QCOMPARE(span->issuedBy, IssuedBy::Client);
        QCOMPARE(span->begin, TenBehindBlockingCalls::sent(c));
        QCOMPARE(span->accepted, TenBehindBlockingCalls::accepted(c));
        QVERIFY(!span->segments.empty());
        const Segment &unread = span->segments.front();
        QCOMPARE(unread.kind, SegmentKind::Unread);
        QCOMPARE(unread.begin, TenBehindBlockingCalls::sent(c));
        QCOMPARE(unread.end, TenBehindBlockingCalls::accepted(c));
        QVERIFY(span->hasBlocking());
    }
    QCOMPARE(int(lanes.size()), kClients);
}

void TimelineVictimsTest::oneCulpritPerBlockingCall()
{
    TimelineModel model;
    model.ingest(TenBehindBlockingCalls().events);
    QCOMPARE(model.stalls().size(), std::size_t(kClients));
    Nanos waitedInStalls = 0;
    for (int c = 0; c < kClients; ++c) {
        const LoopStall &stall = model.stalls()[std::size_t(c)];
        QVERIFY(stall.blamesCall());
        QCOMPARE(stall.culprit, TenBehindBlockingCalls::span(c));
        QCOMPARE(stall.begin, TenBehindBlockingCalls::accepted(c));
        QCOMPARE(stall.end, TenBehindBlockingCalls::closed(c));
        // Everyone not read yet waited in the socket through the whole call.
        QCOMPARE(stall.victims, kClients - 1 - c);
        QCOMPARE(stall.collateralTotal, (kClients - 1 - c) * kCall);
        QCOMPARE(stall.socketTotal, stall.collateralTotal);
        for (const trace::StallVictim &v : stall.charges)
            QCOMPARE(v.where, trace::WaitPlace::Socket);
        waitedInStalls += stall.collateralTotal;
    }
    QCOMPARE(model.stallVictimsText(model.stalls().front()),
        QStringLiteral("9 others waited 4.5 s (4.5 s of it unread in socket)"));

    // What the clients measured beyond their own call adds up to what the stalls charged.
    Nanos waitedByClients = 0;
    for (int c = 0; c < kClients; ++c) {
        const TimelineSpan *span = model.find(TenBehindBlockingCalls::span(c));
        waitedByClients += (span->end - span->begin) - kCall;
        QCOMPARE(span->collateral.delay, c * kCall);
        QCOMPARE(span->collateral.stalls, c);
    }
    QVERIFY2(std::abs(waitedByClients - waitedInStalls) <= waitedByClients / 10,
        qPrintable(QStringLiteral("clients %1 ns, stalls %2 ns")
                       .arg(waitedByClients)
                       .arg(waitedInStalls)));
}

void TimelineVictimsTest::issuedTime_data()
{
    const Nanos accepted = T0 + 10 * ms;
    QTest::addColumn<qint64>("sent");
    QTest::addColumn<qint64>("arrived");
    QTest::addColumn<qint64>("begin");
    QTest::addColumn<IssuedBy>("issuedBy");
    QTest::newRow("client and kernel: the client's word")
        << qint64(T0) << qint64(T0 + 200 * us) << qint64(T0) << IssuedBy::Client;
    QTest::newRow("client only") << qint64(T0) << qint64(0) << qint64(T0) << IssuedBy::Client;
    QTest::newRow("kernel only") << qint64(0) << qint64(T0 + 200 * us) << qint64(T0 + 200 * us)
                                 << IssuedBy::Kernel;
    QTest::newRow("neither") << qint64(0) << qint64(0) << qint64(accepted) << IssuedBy::Unknown;
    QTest::newRow("sent after the read: clocks a hair apart")
        << qint64(accepted + 3 * us) << qint64(0) << qint64(accepted) << IssuedBy::Client;
    QTest::newRow("older than the timeline keeps")
        << qint64(accepted - 1000 * s) << qint64(0) << qint64(accepted) << IssuedBy::Unknown;
}

void TimelineVictimsTest::issuedTime()
{
    QFETCH(qint64, sent);
    QFETCH(qint64, arrived);
    QFETCH(qint64, begin);
    QFETCH(IssuedBy, issuedBy);
    TimelineModel model;
    std::vector<trace::Event> events;
    TimelineRequestShape r;
    r.span = 7;
    r.sent = sent;
    r.arrived = arrived;
    r.accepted = T0 + 10 * ms;
    r.started = r.accepted + 1 * ms;
    r.closed = r.accepted + 5 * ms;
    appendTimelineRequest(events, r);
    model.ingest(events);
    const TimelineSpan *span = model.find(7);
    QVERIFY(span);
    QCOMPARE(span->begin, begin);
    QCOMPARE(span->issuedBy, issuedBy);
    QCOMPARE(span->accepted, r.accepted);
    const bool unread = span->segments.front().kind == SegmentKind::Unread;
    QCOMPARE(unread, begin < r.accepted);
    if (unread)
        QCOMPARE(span->segments.front().end, r.accepted);
    QCOMPARE(model.lane(LaneGroup::Loop, span->lane)[0].begin, begin);
}

void TimelineVictimsTest::laneAllocator()
{
    // Twenty lanes (past the first growth): even lane i free since i × 10, odd lanes busy.
    LaneAllocator lanes;
    for (int i = 0; i < 20; ++i)
        QCOMPARE(lanes.add(i % 2 ? LaneAllocator::kBusy : i * 10), i);
    QCOMPARE(lanes.size(), 20);
    QCOMPARE(lanes.lowestFreeAt(-1), -1);
    QCOMPARE(lanes.lowestFreeAt(0), 0);
    QCOMPARE(lanes.lowestFreeAt(1000), 0);
    // Lane 0 taken: the next free one is the lowest that was free by then.
    lanes.setFreeSince(0, LaneAllocator::kBusy);
    QCOMPARE(lanes.lowestFreeAt(15), -1);
    QCOMPARE(lanes.lowestFreeAt(20), 2);
    lanes.setFreeSince(2, 500); // its last span now ends later than 185
    QCOMPARE(lanes.lowestFreeAt(185), 4);
    QCOMPARE(lanes.lowestFreeAt(500), 2);
    lanes.setFreeSince(13, LaneAllocator::kEmpty);
    QCOMPARE(lanes.lowestFreeAt(15), 13);
    // Dropped lanes are never offered.
    lanes.truncate(3);
    QCOMPARE(lanes.lowestFreeAt(15), -1);
    QCOMPARE(lanes.lowestFreeAt(499), -1);
    QCOMPARE(lanes.lowestFreeAt(1000), 2);
}

void TimelineVictimsTest::lanePackingWhenBeginMovesEarlier_data()
{
    QTest::addColumn<bool>("eventByEvent");
    QTest::newRow("one batch") << false;
    // The send time then comes in the batch after the accept, the lane already chosen.
    QTest::newRow("a batch per event") << true;
}

void TimelineVictimsTest::lanePackingWhenBeginMovesEarlier()
{
    QFETCH(bool, eventByEvent);
    std::vector<trace::Event> events;
    const auto add = [&](std::uint64_t span, Nanos sent, Nanos accepted, Nanos closed) {
        TimelineRequestShape r;
        r.span = span;
        r.sent = sent ? T0 + sent : 0;
        r.accepted = r.started = T0 + accepted;
        r.closed = T0 + closed;
        appendTimelineRequest(events, r);
    };
    add(1, 0, 0, 10 * ms); // lane 0
    // Read after 1 ended, but sent while it ran: not in lane 0, though free at the read.
    add(2, 5 * ms, 20 * ms, 40 * ms);
    // Sent after 1 ended, while 2 still runs: lane 0.
    add(3, 15 * ms, 30 * ms, 50 * ms);
    // Sent while 2 and 3 run: a third lane.
    add(4, 35 * ms, 45 * ms, 60 * ms);
    // Sent when 2 had ended: the lowest lane free since then is 1, although lane 0 is free
    // at its read too.
    add(5, 41 * ms, 70 * ms, 80 * ms);
    sortByTime(events);
    TimelineModel model;
    if (eventByEvent) {
        for (const trace::Event &e : events)
            model.ingest(std::span(&e, 1));
    } else {
        model.ingest(events);
    }
    QCOMPARE(model.laneCount(LaneGroup::Loop), 3);
    QCOMPARE(model.find(1)->lane, 0);
    QCOMPARE(model.find(2)->lane, 1);
    QCOMPARE(model.find(3)->lane, 0);
    QCOMPARE(model.find(4)->lane, 2);
    QCOMPARE(model.find(5)->lane, 1);
    QString why;
    QVERIFY2(lanesDoNotOverlap(model, &why), qPrintable(why));
    // The visible slice of lane 1 starts at 2's send time, not at its read.
    const TimelineLane &lane1 = model.lane(LaneGroup::Loop, 1);
    const auto [first, last] = lane1.visible(T0 + 6 * ms, T0 + 7 * ms, model.now());
    QCOMPARE(last - first, std::size_t(1));
    QCOMPARE(model.span(lane1[first].slot).id, quint64(2));
}

void TimelineVictimsTest::lanesNeverOverlap()
{
    // Requests sent at random, waiting in their sockets for random times: however far back a
    // begin moves after the lane was chosen, no lane holds two spans at once.
    std::mt19937_64 rng(16);
    std::uniform_int_distribution<Nanos> gap(0, 3 * ms);
    std::uniform_int_distribution<Nanos> wait(0, 40 * ms);
    std::uniform_int_distribution<Nanos> service(100 * us, 20 * ms);
    std::vector<trace::Event> events;
    Nanos read = T0 + 50 * ms;
    for (std::uint64_t i = 1; i <= 400; ++i) {
        read += gap(rng);
        TimelineRequestShape r;
        r.span = i;
        if (i % 7 != 0) // some without a send time
            r.sent = read - wait(rng);
        r.accepted = r.started = read;
        r.closed = read + service(rng);
        appendTimelineRequest(events, r);
    }
    sortByTime(events);
    TimelineModel model;
    for (std::size_t from = 0; from < events.size(); from += 37)
        model.ingest(
            std::span(events).subspan(from, std::min<std::size_t>(37, events.size() - from)));
    QCOMPARE(model.spanCount(), std::size_t(400));
    QString why;
    QVERIFY2(lanesDoNotOverlap(model, &why), qPrintable(why));
}

void TimelineVictimsTest::laterBatchMovesBeginAndRepaints()
{
    TimelineModel model;
    TimelineView view(&model);
    view.resize(800, 240);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const Nanos accepted = T0 + 20 * ms;
    const Nanos sent = T0 + 2 * ms;
    model.ingest(std::vector<trace::Event> {
        timelineEvent(Kind::LoopLag, T0, 0, 0, 0, 100 * us),
        timelineEvent(Kind::RequestAccepted, accepted, 1, 0, 0, 1),
    });
    // Paused on what happened before the read: nothing there yet.
    view.zoom()->setRange(T0, T0 + 10 * ms);
    QTRY_VERIFY(!view.isRepaintPending());
    QCoreApplication::processEvents();
    const std::uint64_t painted = view.paintCount();
    QSignalSpy updated(&model, &TimelineModel::requestsUpdated);
    model.ingest(std::vector<trace::Event> {
        timelineEvent(Kind::RequestArrived, accepted, 1, 0, std::uint64_t(sent), 0),
    });
    QCOMPARE(model.find(1)->begin, sent);
    // The change reaches back to the send time, so the paused view sees it and list rows update.
    QVERIFY(model.lastChange().first <= sent);
    QCOMPARE(updated.count(), 1);
    QCOMPARE(updated.front().front().toInt(), 0);
    QTRY_VERIFY(view.paintCount() > painted);
}

void TimelineVictimsTest::lateVictimCutsTheStallAgain()
{
    // The culprit blocks 0–500 ms; the stall is cut as it ends. Only then does the server read
    // the requests that waited in their sockets meanwhile: the stall gains them as victims.
    TimelineModel model;
    std::vector<trace::Event> first;
    TimelineRequestShape culprit;
    culprit.span = 1;
    culprit.sent = T0 - 1 * ms;
    culprit.accepted = culprit.started = culprit.blockBegin = T0;
    culprit.blockEnd = culprit.closed = T0 + 500 * ms;
    culprit.blockLabel = trace::label("sleep 0.5s");
    culprit.route = trace::label("GET /async");
    appendTimelineRequest(first, culprit);
    first.push_back(timelineEvent(Kind::LoopStallBegin, T0 + 5 * ms, 3, 0, 0, T0));
    first.push_back(timelineEvent(Kind::LoopStallEnd, T0 + 501 * ms, 3, 0, 0, 500 * ms));
    sortByTime(first);
    model.ingest(first);
    QCOMPARE(model.stalls().size(), std::size_t(1));
    QCOMPARE(model.stalls().front().victims, 0);

    const auto lateVictim = [&](std::uint64_t span, Nanos sent) {
        std::vector<trace::Event> events;
        TimelineRequestShape r;
        r.span = span;
        r.sent = sent;
        r.accepted = r.started = T0 + 501 * ms;
        r.closed = T0 + 510 * ms;
        r.route = trace::label("GET /async");
        appendTimelineRequest(events, r);
        model.ingest(events);
    };
    lateVictim(2, T0 + 100 * ms);
    QCOMPARE(model.stalls().size(), std::size_t(1));
    const LoopStall &stall = model.stalls().front();
    QCOMPARE(stall.id, quint64(3)); // still the watchdog's stall, so references hold
    QCOMPARE(stall.culprit, quint64(1));
    QCOMPARE(stall.victims, 1);
    QCOMPARE(stall.socketTotal, 400 * ms);
    QCOMPARE(model.find(2)->collateral.delay, 400 * ms);
    QCOMPARE(model.find(2)->collateral.culprit, quint64(1));

    // A second one: the first victim's wait is not counted twice.
    lateVictim(4, T0 + 300 * ms);
    QCOMPARE(model.stalls().size(), std::size_t(1));
    QCOMPARE(model.stalls().front().victims, 2);
    QCOMPARE(model.stalls().front().collateralTotal, 400 * ms + 200 * ms);
    QCOMPARE(model.find(2)->collateral.delay, 400 * ms);
    QCOMPARE(model.find(2)->collateral.stalls, 1);
    QCOMPARE(model.find(4)->collateral.delay, 200 * ms);
}

void TimelineVictimsTest::inspectorPlacesTheWaitAndItsCulprits()
{
    TimelineModel model;
    model.ingest(TenBehindBlockingCalls().events);
    RequestInspector inspector(&model);
    const int client = 3; // read after three calls
    inspector.showSpan(TenBehindBlockingCalls::span(client));
    const QStringList events = column(inspector, RequestInspector::EventColumn);
    QCOMPARE(events,
        QStringList({ QStringLiteral("sent"), QStringLiteral("unread in socket"),
            QStringLiteral("collateral"), QStringLiteral("collateral"),
            QStringLiteral("collateral"), QStringLiteral("accepted"), QStringLiteral("parsed"),
            QStringLiteral("handler started"), QStringLiteral("blocking call"),
            QStringLiteral("stalled the loop"), QStringLiteral("response written"),
            QStringLiteral("closed"), QStringLiteral("collateral in all") }));
    const QStringList at = column(inspector, RequestInspector::TimeColumn);
    const QStringList took = column(inspector, RequestInspector::DurationColumn);
    const QStringList detail = column(inspector, RequestInspector::DetailColumn);
    // Placed from the client's send time, the read 1.5 s after it.
    QCOMPARE(at[0], QStringLiteral("+0 ns"));
    QCOMPARE(took[1], QStringLiteral("1.5 s"));
    QCOMPARE(at[5], QStringLiteral("+1.5 s"));
    // Each wait with its time and its culprit, the times as the axis reads them (session time).
    const auto stallTimes = [&model](std::size_t culprit) -> QString {
        const LoopStall &stall = model.stalls().at(culprit);
        return trace::formatSessionTime(stall.begin) + QStringLiteral(" – ")
            + trace::formatSessionTime(stall.end);
    };
    QCOMPARE(at[2], QStringLiteral("+970 µs"));
    QCOMPARE(took[2], QStringLiteral("500 ms"));
    QCOMPARE(detail[2],
        QStringLiteral("unread in socket, stalled by GET /async #c0, blocking in sleep 0.5s (")
            + stallTimes(0) + QStringLiteral(" on the timeline)"));
    QCOMPARE(detail[4],
        QStringLiteral("unread in socket, stalled by GET /async #c2, blocking in sleep 0.5s (")
            + stallTimes(2) + QStringLiteral(" on the timeline)"));
    QCOMPARE(detail[9], QStringLiteral("6 others waited 3 s (3 s of it unread in socket)"));
    QCOMPARE(took[12], QStringLiteral("1.5 s"));
    QCOMPARE(detail[12],
        QStringLiteral("delayed 1.5 s by 3 stalls, the longest by GET /async #c0, blocking in "
                       "sleep 0.5s"));
}

void TimelineVictimsTest::inspectorCollateralLeadsToItsCulprit()
{
    TimelineModel model;
    model.ingest(TenBehindBlockingCalls().events);
    RequestInspector inspector(&model);
    inspector.resize(900, 400);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    inspector.showSpan(TenBehindBlockingCalls::span(3));
    QSignalSpy requested(&inspector, &RequestInspector::spanRequested);
    // Each collateral row asks for the span that stalled the loop then: calls 0, 1 and 2.
    std::vector<quint64> culprits;
    for (int i = 0; i < inspector.topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = inspector.topLevelItem(i);
        const QRect where = inspector.visualItemRect(item);
        QTest::mouseClick(inspector.viewport(), Qt::LeftButton, Qt::NoModifier, where.center());
        const bool collateral = item->text(RequestInspector::EventColumn) == u"collateral";
        QCOMPARE(requested.size(), int(culprits.size()) + (collateral ? 1 : 0));
        if (collateral)
            culprits.push_back(requested.constLast().at(0).toULongLong());
    }
    QCOMPARE(culprits,
        std::vector<quint64>({ TenBehindBlockingCalls::span(0), TenBehindBlockingCalls::span(1),
            TenBehindBlockingCalls::span(2) }));
}

void TimelineVictimsTest::inspectorSaysUnknown()
{
    TimelineModel model;
    model.ingest(TenBehindBlockingCalls(false).events);
    const TimelineSpan *span = model.find(TenBehindBlockingCalls::span(3));
    QCOMPARE(span->issuedBy, IssuedBy::Unknown);
    QCOMPARE(span->begin, span->accepted);
    for (const Segment &seg : span->segments)
        QVERIFY(seg.kind != SegmentKind::Unread);
    // Unknown: no socket wait is charged, so the later requests are no one's victims.
    QCOMPARE(model.stalls().size(), std::size_t(kClients));
    for (const LoopStall &stall : model.stalls())
        QCOMPARE(stall.socketTotal, Nanos(0));

    RequestInspector inspector(&model);
    inspector.showSpan(span->id);
    QVERIFY(inspector.topLevelItemCount() > 2);
    const QTreeWidgetItem *first = inspector.topLevelItem(0);
    QCOMPARE(first->text(RequestInspector::EventColumn), QStringLiteral("sent"));
    QCOMPARE(first->text(RequestInspector::TimeColumn), QStringLiteral("unknown"));
    QVERIFY2(
        first->text(RequestInspector::DetailColumn)
            .contains(QStringLiteral("how long it waited before the server read it is unknown")),
        qPrintable(first->text(RequestInspector::DetailColumn)));
    QCOMPARE(
        inspector.topLevelItem(1)->text(RequestInspector::EventColumn), QStringLiteral("accepted"));
    QCOMPARE(
        inspector.topLevelItem(1)->text(RequestInspector::TimeColumn), QStringLiteral("+0 ns"));
    QVERIFY(!column(inspector, RequestInspector::EventColumn)
                 .contains(QStringLiteral("unread in socket")));
}

void TimelineVictimsTest::renderUnreadAndUnknownStart()
{
    TimelineModel model;
    std::vector<trace::Event> events;
    TimelineRequestShape known; // 0–400 ms unread, then runs until 900 ms
    known.span = 1;
    known.sent = T0;
    known.accepted = known.started = T0 + 400 * ms;
    known.closed = T0 + 900 * ms;
    appendTimelineRequest(events, known);
    TimelineRequestShape unknown; // read at 300 ms, its send time not known
    unknown.span = 2;
    unknown.accepted = unknown.started = T0 + 300 * ms;
    unknown.closed = T0 + 800 * ms;
    appendTimelineRequest(events, unknown);
    sortByTime(events);
    model.ingest(events);
    TimelineView view(&model);
    const QImage image = renderFirstSecond(view);
    const TimeMapping &m = view.zoom()->mapping();
    const TimelinePalette &palette = view.timelinePalette();
    const QRect knownLane = view.laneRect(LaneGroup::Loop, model.find(1)->lane);
    const int y = knownLane.top() + knownLane.height() / 3;
    for (Nanos t = 20 * ms; t < 400 * ms; t += 40 * ms)
        QCOMPARE(QColor(image.pixel(int(m.toX(T0 + t)), y)), palette.unread);
    QCOMPARE(QColor(image.pixel(int(m.toX(T0 + 600 * ms)), y)), palette.running);
    // The bar whose send time is unknown starts with a dotted edge, not a plain one.
    const QRect unknownLane = view.laneRect(LaneGroup::Loop, model.find(2)->lane);
    const int x0 = int(std::floor(m.toX(T0 + 300 * ms)));
    int dotted = 0;
    for (int yy = unknownLane.top() + 2; yy < unknownLane.bottom() - 2; ++yy)
        dotted += image.pixel(x0, yy) == palette.unknownStartPen.color().rgb() ? 1 : 0;
    QVERIFY2(dotted > 0, "no pixel of the dotted start in its first column");
    QCOMPARE(QColor(image.pixel(x0 + 20, unknownLane.top() + unknownLane.height() / 3)),
        palette.running);
}

void TimelineVictimsTest::busyLoopStallIsNotRed()
{
    // Red in the loop-health strip means a blocking call is to blame; a stall of the loop's own
    // work blames no one and has its own colour.
    TimelineModel model;
    model.ingest(blamedThenBusyStall());
    QCOMPARE(model.stalls().size(), std::size_t(2));
    QVERIFY(model.stalls()[0].blamesCall());
    QVERIFY(model.stalls()[1].attributed && !model.stalls()[1].blamesCall());

    TimelineView view(&model);
    const QImage image = renderFirstSecond(view);
    const TimeMapping &m = view.zoom()->mapping();
    const TimelinePalette &palette = view.timelinePalette();
    const int y = view.healthRect().bottom() - 4; // below the strip's title
    // The blamed stall's red is translucent over the strip: red, whatever it blends with.
    const QColor blamed(image.pixel(int(m.toX(T0 + 150 * ms)), y));
    QVERIFY2(blamed.red() > blamed.green() + 80 && blamed.red() > blamed.blue() + 80,
        qPrintable(blamed.name()));
    QCOMPARE(QColor(image.pixel(int(m.toX(T0 + 550 * ms)), y)), palette.busyStall);
}

void TimelineVictimsTest::stallsKeepOffTheStripTitle()
{
    // The strip's title ("loop lag … · stalls") has a row of its own: a stall under it is drawn
    // below it whole, neither hiding the title nor hidden by it.
    TimelineModel model;
    model.ingest(blamedThenBusyStall());
    TimelineView view(&model);
    const QImage image = renderFirstSecond(view);
    const TimeMapping &m = view.zoom()->mapping();
    const QRect bars = view.stallBarsRect();
    // The blamed stall's first column, under the title's words and left of its own text.
    const int x = int(std::floor(m.toX(T0))) + 1;
    QVERIFY(bars.top() > view.healthRect().top());
    auto isRed = [&](int y) {
        const QColor c(image.pixel(x, y));
        return c.red() > c.green() + 80 && c.red() > c.blue() + 80;
    };
    for (int y = view.healthRect().top(); y < bars.top(); ++y)
        QVERIFY2(!isRed(y),
            qPrintable(QStringLiteral("stall colour at y=%1, in the title's row").arg(y)));
    for (int y = bars.top(); y <= bars.bottom(); ++y)
        QVERIFY2(isRed(y),
            qPrintable(QStringLiteral("no stall colour at y=%1, under the title").arg(y)));
}

void TimelineVictimsTest::everyVictimOnScreen()
{
    // What the user sees of the ten: a lane each from its send time, unread until its read.
    // Writes the picture when LOOPSCOPE_VICTIMS_SCREENSHOT names a PNG file.
    TimelineModel model;
    model.ingest(TenBehindBlockingCalls().events);
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *view = new TimelineView(&model);
    auto *inspector = new RequestInspector(&model);
    inspector->setMinimumHeight(300);
    layout->addWidget(view, 1);
    layout->addWidget(inspector);
    window.resize(1500, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    view->zoom()->setRange(T0 - 100 * ms, TenBehindBlockingCalls::closed(kClients - 1) + 100 * ms);
    const std::uint64_t selected = TenBehindBlockingCalls::span(3);
    view->selectSpan(selected);
    inspector->showSpan(selected);
    const QString path = qEnvironmentVariable("LOOPSCOPE_VICTIMS_SCREENSHOT");
    if (!path.isEmpty())
        QVERIFY(window.grab().save(path));

    view->setLabelsVisible(false);
    view->selectSpan(0);
    const QImage image = view->grab().toImage();
    const TimeMapping &m = view->zoom()->mapping();
    for (int c = 1; c < kClients; ++c) {
        const TimelineSpan *span = model.find(TenBehindBlockingCalls::span(c));
        const QRect lane = view->laneRect(LaneGroup::Loop, span->lane);
        QVERIFY(!lane.isEmpty());
        const Nanos middle = (span->begin + span->accepted) / 2;
        QCOMPARE(QColor(image.pixel(int(m.toX(middle)), lane.top() + lane.height() / 3)),
            view->timelinePalette().unread);
    }
}

void TimelineVictimsTest::legend()
{
    const TimelinePalette palette = TimelinePalette::from(QPalette());
    const std::vector<LegendEntry> entries = timelineLegend(palette);
    const auto unread = std::find_if(entries.begin(), entries.end(),
        [](const LegendEntry &e) { return e.text == QStringLiteral("unread in socket"); });
    QVERIFY(unread != entries.end());
    QCOMPARE(unread->color, palette.unread);
    QVERIFY(std::any_of(entries.begin(), entries.end(),
        [](const LegendEntry &e) { return e.swatch == LegendEntry::Swatch::DottedEdge; }));
    // Its own colour: no other entry shares it.
    QCOMPARE(std::count_if(entries.begin(), entries.end(),
                 [&](const LegendEntry &e) { return e.color == palette.unread; }),
        std::ptrdiff_t(1));
}

QTEST_MAIN(TimelineVictimsTest)
#include "tst_timeline_victims.moc"
