// trace::StallAttribution, socket-free: which stalls a window holds, whom each one blames and
// what it cost every other span. The server's /_scope/stalls and the timeline both use it.

#include "stallattribution.h"
#include "trace.h"

#include <QtTest/QTest>

using namespace loopscope::trace;

namespace {

constexpr Nanos ms = 1'000'000;
// Rows give times from here: the trace clock never reads 0, which means "not (yet)" in a
// LoopSpan; a row's 0 for an end or a send time keeps that meaning.
constexpr Nanos base = 10'000 * ms;
Nanos at(Nanos t)
{
    return t ? base + t : 0;
}

// "culprit:begin-end" per stall, or "busy(arrivals):begin-end"; victims as
// "span:where:waited" in ms; compact enough for a table row.
QString describe(const AttributedStall &s)
{
    QString text = s.cause == StallCause::BlockingCall ? QString::number(s.culprit)
                                                       : QStringLiteral("busy(%1)").arg(s.arrivals);
    text += QStringLiteral(":%1-%2").arg((s.begin - base) / ms).arg((s.end - base) / ms);
    if (s.open)
        text += QStringLiteral("+");
    for (const StallVictim &v : s.victims)
        text += QStringLiteral(" %1:%2:%3")
                    .arg(v.span)
                    .arg(waitPlaceName(v.where))
                    .arg(double(v.waited) / ms);
    return text;
}

LoopSpan span(std::uint64_t id, Nanos accepted, Nanos started, Nanos end,
    std::vector<TimeInterval> blocking = {}, Nanos sent = 0)
{
    LoopSpan s;
    s.span = id;
    s.sent = at(sent);
    s.accepted = base + accepted;
    s.started = base + started;
    s.end = at(end);
    for (TimeInterval &call : blocking)
        s.blocking.push_back({ base + call.begin, at(call.end), call.label });
    return s;
}

} // namespace

class StallsTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void attribute_data();
    void attribute();
    void windowTakesEachCallOnce();
    void watchedStallsFromEvents();
};

Q_DECLARE_METATYPE(std::vector<LoopSpan>)
Q_DECLARE_METATYPE(std::vector<WatchedStall>)

void StallsTest::attribute_data()
{
    QTest::addColumn<std::vector<LoopSpan>>("spans");
    QTest::addColumn<std::vector<WatchedStall>>("watched");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("nothing") << std::vector<LoopSpan> {} << std::vector<WatchedStall> {}
                             << QStringList {};
    QTest::newRow("async only: no stall, no victims")
        << std::vector<LoopSpan> { span(1, 0, 0, 500 * ms), span(2, 10 * ms, 10 * ms, 510 * ms) }
        << std::vector<WatchedStall> {} << QStringList {};
    QTest::newRow("one call, one suspended victim")
        << std::vector<LoopSpan> { span(1, 100 * ms, 100 * ms, 700 * ms,
                                       { { 100 * ms, 600 * ms, 0 } }),
               span(2, 50 * ms, 50 * ms, 800 * ms) }
        << std::vector<WatchedStall> { { 101 * ms, 601 * ms } }
        << QStringList { QStringLiteral("1:100-600 2:awaiting:500") };
    // Ten back-to-back calls in ten requests are ten stalls, never one merged stall with one
    // culprit; the watchdog's one long stall around them leaves no "busy" sliver (under 5 ms).
    {
        std::vector<LoopSpan> spans;
        QStringList expected;
        for (int i = 0; i < 3; ++i) {
            const Nanos b = i * 500 * ms + i * ms; // 1 ms of the loop's own work between calls
            spans.push_back(span(
                std::uint64_t(i + 1), b, b, b + 500 * ms, { { b, b + 500 * ms, 0 } }, /*sent*/ 0));
        }
        expected << QStringLiteral("1:0-500") << QStringLiteral("2:501-1001")
                 << QStringLiteral("3:1002-1502");
        QTest::newRow("consecutive calls: consecutive culprits")
            << spans << std::vector<WatchedStall> { { 1 * ms, 1503 * ms } } << expected;
    }
    // A victim in the socket all along (its client's send time known) is charged by every call
    // it waited behind, in its place.
    QTest::newRow("socket victim of two calls")
        << std::vector<LoopSpan> { span(1, 0, 0, 500 * ms, { { 0, 500 * ms, 0 } }),
               span(2, 500 * ms, 500 * ms, 1000 * ms, { { 500 * ms, 1000 * ms, 0 } }, 1 * ms),
               span(3, 1000 * ms, 1000 * ms, 1500 * ms, { { 1000 * ms, 1500 * ms, 0 } }, 2 * ms) }
        << std::vector<WatchedStall> {}
        << QStringList { QStringLiteral("1:0-500 2:socket:499 3:socket:498"),
               QStringLiteral("2:500-1000 3:socket:500"), QStringLiteral("3:1000-1500") };
    QTest::newRow("queued, then awaiting, the culprit itself never")
        << std::vector<LoopSpan> { span(1, 0, 0, 0, { { 100 * ms, 300 * ms, 0 } }),
               span(2, 150 * ms, 250 * ms, 400 * ms) }
        << std::vector<WatchedStall> {}
        << QStringList { QStringLiteral("1:100-300 2:queued:100 2:awaiting:50") };
    QTest::newRow("open call: grows to now")
        << std::vector<LoopSpan> { span(1, 0, 0, 0, { { 100 * ms, 0, 0 } }), span(2, 0, 0, 0) }
        << std::vector<WatchedStall> { { 101 * ms, 0 } }
        << QStringList { QStringLiteral("1:100-1000+ 2:awaiting:900") };
    // No call inside: the loop's own work, blamed on no one; arrivals it was reading counted.
    QTest::newRow("loop busy: no culprit, arrivals counted")
        << std::vector<LoopSpan> { span(1, 0, 0, 400 * ms), span(2, 120 * ms, 130 * ms, 400 * ms),
               span(3, 150 * ms, 160 * ms, 400 * ms) }
        << std::vector<WatchedStall> { { 100 * ms, 200 * ms } }
        << QStringList { QStringLiteral(
               "busy(2):100-200 1:awaiting:100 2:queued:10 2:awaiting:70 3:queued:10 "
               "3:awaiting:40") };
    QTest::newRow("busy before a call, call, busy after")
        << std::vector<LoopSpan> { span(1, 0, 0, 500 * ms, { { 200 * ms, 300 * ms, 0 } }) }
        << std::vector<WatchedStall> { { 100 * ms, 400 * ms } }
        << QStringList { QStringLiteral("busy(0):100-200 1:awaiting:100"),
               QStringLiteral("1:200-300"), QStringLiteral("busy(0):300-400 1:awaiting:100") };
    QTest::newRow("short call: a stall only where the watchdog saw one")
        << std::vector<LoopSpan> { span(
               1, 0, 0, 500 * ms, { { 10 * ms, 12 * ms, 0 }, { 100 * ms, 102 * ms, 0 } }) }
        << std::vector<WatchedStall> { { 99 * ms, 106 * ms } }
        << QStringList { QStringLiteral("1:100-102") };
    QTest::newRow("busy sliver under the watchdog threshold: dropped")
        << std::vector<LoopSpan> { span(1, 0, 0, 500 * ms, { { 102 * ms, 300 * ms, 0 } }) }
        << std::vector<WatchedStall> { { 100 * ms, 301 * ms } }
        << QStringList { QStringLiteral("1:102-300") };
}

void StallsTest::attribute()
{
    QFETCH(std::vector<LoopSpan>, spans);
    QFETCH(std::vector<WatchedStall>, watched);
    QFETCH(QStringList, expected);
    for (WatchedStall &w : watched)
        w = { base + w.begin, at(w.end) };
    const auto stalls = StallAttribution().attribute(spans, watched, base + 1000 * ms);
    QStringList got;
    for (const AttributedStall &s : stalls)
        got << describe(s);
    QCOMPARE(got, expected);
}

void StallsTest::windowTakesEachCallOnce()
{
    // The timeline attributes each watchdog stall as it ends: a call belongs to the window its
    // end falls in, so back-to-back windows never count one call twice or miss it.
    const std::vector<LoopSpan> spans { span(1, 0, 0, 300 * ms, { { 0, 100 * ms, 0 } }),
        span(2, 0, 100 * ms, 300 * ms, { { 100 * ms, 200 * ms, 0 } }) };
    const StallAttribution attribution;
    const auto first = attribution.attribute(spans, {}, at(300 * ms), base, at(100 * ms));
    const auto second = attribution.attribute(spans, {}, at(300 * ms), at(100 * ms), at(200 * ms));
    QCOMPARE(first.size(), std::size_t(1));
    QCOMPARE(first[0].culprit, quint64(1));
    QCOMPARE(first[0].waited(), 100 * ms); // span 2 queued behind it
    QCOMPARE(second.size(), std::size_t(1));
    QCOMPARE(second[0].culprit, quint64(2));
}

void StallsTest::watchedStallsFromEvents()
{
    const auto event = [](Kind kind, Nanos time, std::uint64_t id, std::int64_t value) {
        Event e {};
        e.kind = kind;
        e.time = time;
        e.span = id;
        e.value = value;
        return e;
    };
    const std::vector<Event> events { event(Kind::LoopStallBegin, 110, 7, 100),
        event(Kind::LoopStallEnd, 400, 7, 300), event(Kind::LoopStallEnd, 900, 8, 200),
        event(Kind::LoopStallBegin, 1000, 9, 995) };
    const auto watched = watchedStalls(events);
    QCOMPARE(watched.size(), std::size_t(3));
    QCOMPARE(watched[0].begin, Nanos(100));
    QCOMPARE(watched[0].end, Nanos(400));
    QCOMPARE(watched[1].begin, Nanos(700)); // its begin was dropped
    QCOMPARE(watched[1].end, Nanos(900));
    QCOMPARE(watched[2].begin, Nanos(995));
    QCOMPARE(watched[2].end, Nanos(0)); // still open
}

QTEST_GUILESS_MAIN(StallsTest)
#include "tst_stalls.moc"
