// Sleeps on the loop (PreciseSleep on the thread's SleepQueue): sleepers wake in the order they
// fall due and none before it; one destroyed or cancelled while it sleeps is never woken and
// leaves nothing queued; a sleep of zero yields to the loop rather than running on.

#include "core/precisesleep.h"
#include "core/sleepqueue.h"

#include <QtCore/QElapsedTimer>
#include <QtTest/QTest>

#include <algorithm>
#include <coroutine>
#include <exception>
#include <utility>
#include <vector>

using namespace loopscope;
using namespace std::chrono_literals;

namespace {

// A coroutine the test owns: it runs at once up to its first wait, and the test may destroy it
// there, as the server destroys a request's coroutines.
struct Owned
{
    struct promise_type
    {
        Owned get_return_object()
        {
            return Owned { std::coroutine_handle<promise_type>::from_promise(*this) };
        }
        std::suspend_never initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() { }
        void unhandled_exception() { std::terminate(); }
    };

    explicit Owned(std::coroutine_handle<promise_type> h)
        : handle(h)
    { }
    Owned(Owned &&other) noexcept
        : handle(std::exchange(other.handle, {}))
    { }
    Owned &operator=(Owned &&) = delete;
    ~Owned() { destroy(); }
    void destroy()
    {
        if (handle)
            std::exchange(handle, {}).destroy();
    }
    bool done() const { return handle && handle.done(); }

    std::coroutine_handle<promise_type> handle;
};

struct Woken
{
    int name;
    qint64 dueNs; // when it was due: its start, on the test's clock, plus its duration
    qint64 afterNs; // when it woke, on the test's clock
};

Owned sleepThenNote(std::chrono::milliseconds duration, const QElapsedTimer &clock,
    std::vector<Woken> &woken, int name, CancelToken *token = nullptr, bool *cancelled = nullptr)
{
    try {
        const qint64 due = clock.nsecsElapsed() + std::chrono::nanoseconds(duration).count();
        co_await PreciseSleep(duration, token);
        woken.push_back({ name, due, clock.nsecsElapsed() });
    } catch (const TaskCancelled &) {
        *cancelled = true;
    }
}

std::vector<int> namesOf(const std::vector<Woken> &woken)
{
    std::vector<int> names;
    for (const Woken &w : woken)
        names.push_back(w.name);
    return names;
}

} // namespace

class TestSleepQueue : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sleepersWakeInTheOrderTheyFallDue();
    void aDestroyedSleeperNeverWakes();
    void cancellingWakesAtOnceAndWithdraws();
    void aZeroSleepYieldsToTheLoop();
};

void TestSleepQueue::sleepersWakeInTheOrderTheyFallDue()
{
    QElapsedTimer clock;
    clock.start();
    std::vector<Woken> woken;
    std::vector<Owned> sleepers;
    for (const int ms : { 60, 20, 40, 1 })
        sleepers.push_back(sleepThenNote(std::chrono::milliseconds(ms), clock, woken, ms));
    QCOMPARE(SleepQueue::forThisThread().size(), 4u);
    QVERIFY(woken.empty()); // each waits for the loop
    QTRY_COMPARE(woken.size(), 4u);
    // In the order of their durations, unless the thread was held up between the starts (a
    // loaded machine): the order must follow when each was due.
    for (std::size_t i = 1; i < woken.size(); ++i)
        QVERIFY2(woken[i - 1].dueNs <= woken[i].dueNs,
            qPrintable(QStringLiteral("the %1 ms sleep woke before the %2 ms one, due earlier")
                           .arg(woken[i - 1].name)
                           .arg(woken[i].name)));
    std::vector<int> names = namesOf(woken);
    std::sort(names.begin(), names.end());
    QCOMPARE(names, std::vector<int>({ 1, 20, 40, 60 }));
    for (const Woken &w : woken)
        QVERIFY2(w.afterNs >= w.dueNs,
            qPrintable(QStringLiteral("the %1 ms sleep woke early").arg(w.name)));
    QCOMPARE(SleepQueue::forThisThread().size(), 0u);
    for (const Owned &s : sleepers)
        QVERIFY(s.done());
}

void TestSleepQueue::aDestroyedSleeperNeverWakes()
{
    QElapsedTimer clock;
    clock.start();
    std::vector<Woken> woken;
    Owned first = sleepThenNote(10ms, clock, woken, 1);
    Owned second = sleepThenNote(30ms, clock, woken, 2);
    QCOMPARE(SleepQueue::forThisThread().size(), 2u);
    first.destroy(); // the one due first: the queue's timer must move on to the next
    QCOMPARE(SleepQueue::forThisThread().size(), 1u);
    QTRY_COMPARE(woken.size(), 1u);
    QCOMPARE(woken.front().name, 2);
    QVERIFY(second.done());
    QCOMPARE(SleepQueue::forThisThread().size(), 0u);
}

void TestSleepQueue::cancellingWakesAtOnceAndWithdraws()
{
    QElapsedTimer clock;
    clock.start();
    std::vector<Woken> woken;
    CancelToken token;
    bool cancelled = false;
    Owned sleeper = sleepThenNote(1h, clock, woken, 1, &token, &cancelled);
    QCOMPARE(SleepQueue::forThisThread().size(), 1u);
    token.cancel(); // resumes it within the call
    QVERIFY(cancelled);
    QVERIFY(sleeper.done());
    QVERIFY(woken.empty());
    QCOMPARE(SleepQueue::forThisThread().size(), 0u);
    // A token cancelled before the sleep: it never waits.
    bool cancelledBefore = false;
    Owned late = sleepThenNote(1h, clock, woken, 2, &token, &cancelledBefore);
    QVERIFY(cancelledBefore);
    QCOMPARE(SleepQueue::forThisThread().size(), 0u);
}

void TestSleepQueue::aZeroSleepYieldsToTheLoop()
{
    QElapsedTimer clock;
    clock.start();
    std::vector<Woken> woken;
    Owned sleeper = sleepThenNote(0ms, clock, woken, 0);
    QVERIFY(woken.empty()); // it did not run on past its wait
    QCOMPARE(SleepQueue::forThisThread().size(), 1u);
    QTRY_COMPARE(woken.size(), 1u); // the loop's next turn woke it
    QVERIFY(sleeper.done());
}

QTEST_GUILESS_MAIN(TestSleepQueue)
#include "tst_sleepqueue.moc"
