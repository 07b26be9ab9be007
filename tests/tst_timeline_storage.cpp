// The timeline's storage for long recordings: the span id index agrees with a standard map
// through any mix of inserts and erases (collisions and wrap-around included), and a recording's
// events come out in time order exactly as a stable sort would put them, whether its threads are
// each in order (merged) or not (sorted).

#include "eventorder.h"
#include "spanslotindex.h"
#include "support/timelineevents.h"

#include <QtTest/QTest>

#include <algorithm>
#include <random>
#include <unordered_map>

using namespace loopscope;
using namespace loopscope::viz;

namespace {

bool sameEvents(const std::vector<trace::Event> &a, const std::vector<trace::Event> &b)
{
    return a.size() == b.size()
        && std::equal(
            a.begin(), a.end(), b.begin(), [](const trace::Event &x, const trace::Event &y) {
                return x.time == y.time && x.span == y.span && x.thread == y.thread
                    && x.kind == y.kind && x.value == y.value;
            });
}

std::vector<trace::Event> stablySorted(std::vector<trace::Event> events)
{
    std::stable_sort(events.begin(), events.end(),
        [](const trace::Event &a, const trace::Event &b) { return a.time < b.time; });
    return events;
}

// Three threads, each in time order with ties among them, handed on a thread at a time every
// `chunk` ns as the trace hub does; `value` numbers the events so ties can be told apart.
std::vector<trace::Event> handedOn(std::mt19937_64 &random, int count, trace::Nanos chunk)
{
    std::vector<trace::Event> events;
    std::array<trace::Nanos, 3> clock { 1000, 1000, 1000 };
    for (int i = 0; i < count; ++i) {
        const auto thread = std::uint32_t(random() % 3);
        clock[thread] += trace::Nanos(random() % 4); // 0: a tie with the thread's previous
        events.push_back(testsupport::timelineEvent(
            trace::Kind::LoopLag, clock[thread], 0, 0, 0, i, thread + 1));
    }
    std::stable_sort(
        events.begin(), events.end(), [&](const trace::Event &a, const trace::Event &b) {
            return std::pair(a.time / chunk, a.thread) < std::pair(b.time / chunk, b.thread);
        });
    return events;
}

} // namespace

class TestTimelineStorage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void indexAgreesWithAMap();
    void indexKeepsEveryIdFindableAfterErasesInAWrappedRun();
    void threadsInOrderMergeAsAStableSort();
    void threadsOutOfOrderAreSorted();
};

void TestTimelineStorage::indexAgreesWithAMap()
{
    std::mt19937_64 random(17);
    SpanSlotIndex index;
    std::unordered_map<std::uint64_t, std::uint32_t> expected;
    for (int step = 0; step < 200'000; ++step) {
        // Ids from a small range, so inserts meet ids already there and erases find them.
        const std::uint64_t id = 1 + random() % 5000;
        if (random() % 3 == 0) {
            index.erase(id);
            expected.erase(id);
        } else {
            const auto slot = std::uint32_t(random());
            QCOMPARE(index.insert(id, slot), expected.emplace(id, slot).second);
        }
        if (step % 997 == 0) {
            QCOMPARE(index.size(), expected.size());
            for (std::uint64_t probe = 0; probe <= 5001; ++probe) {
                const std::uint32_t *slot = index.find(probe);
                const auto it = expected.find(probe);
                QCOMPARE(slot != nullptr, it != expected.end());
                if (slot)
                    QCOMPARE(*slot, it->second);
            }
        }
    }
    index.clear();
    QCOMPARE(index.size(), std::size_t(0));
    QVERIFY(!index.contains(1));
}

void TestTimelineStorage::indexKeepsEveryIdFindableAfterErasesInAWrappedRun()
{
    // Enough ids at one reserve that their probe runs meet and cross the table's end; erasing
    // every other one must shift the rest back into reach.
    SpanSlotIndex index;
    index.reserve(64);
    std::vector<std::uint64_t> ids;
    for (std::uint64_t id = 1; id <= 64; ++id) {
        QVERIFY(index.insert(id * 1024, std::uint32_t(id)));
        ids.push_back(id * 1024);
    }
    for (std::size_t i = 0; i < ids.size(); i += 2)
        index.erase(ids[i]);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::uint32_t *slot = index.find(ids[i]);
        if (i % 2 == 0) {
            QVERIFY(!slot);
        } else {
            QVERIFY(slot);
            QCOMPARE(*slot, std::uint32_t(i + 1));
        }
    }
    QCOMPARE(index.size(), std::size_t(32));
}

void TestTimelineStorage::threadsInOrderMergeAsAStableSort()
{
    std::mt19937_64 random(5);
    for (const trace::Nanos chunk :
        { trace::Nanos(1), trace::Nanos(40), trace::Nanos(1'000'000) }) {
        const std::vector<trace::Event> given = handedOn(random, 20'000, chunk);
        const std::vector<trace::Event> ordered = inTimeOrder(given);
        QVERIFY(sameEvents(ordered, stablySorted(given)));
    }
    QVERIFY(inTimeOrder({}).empty());
}

void TestTimelineStorage::threadsOutOfOrderAreSorted()
{
    std::mt19937_64 random(9);
    std::vector<trace::Event> given = handedOn(random, 5'000, 40);
    std::shuffle(given.begin(), given.end(), random); // no thread in order any more
    QVERIFY(sameEvents(inTimeOrder(given), stablySorted(given)));
}

QTEST_GUILESS_MAIN(TestTimelineStorage)
#include "tst_timeline_storage.moc"
