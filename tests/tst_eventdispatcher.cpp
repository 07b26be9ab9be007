// The server thread's event dispatcher (core/epolldispatcher.h). This suite's own main thread
// runs on it, so every QSignalSpy::wait and QTRY_ here is a nested loop on it as well; the
// cases drive passes one by one (processEvents without waiting) where the order within a pass
// is what they check.
#include "core/crossthread.h"
#include "core/epolldispatcher.h"
#include "support/hangguard.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace loopscope;
using loopscope::testing::hangGuardMs;

namespace {

// Records the timer events it receives, in order; may act on each.
class TimerLog : public QObject
{
public:
    std::vector<int> fired;
    std::function<void(int)> onFire;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        fired.push_back(event->timerId());
        if (onFire)
            onFire(event->timerId());
    }
};

EpollEventDispatcher &dispatcher()
{
    return *static_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

// One pass of the loop that does not wait.
void onePass()
{
    dispatcher().processEvents(QEventLoop::AllEvents);
}

// Waits (without running the loop) until every timer is due: the pass after it sees them all.
bool awaitDue(const std::vector<int> &ids)
{
    QElapsedTimer waited;
    waited.start();
    for (int id : ids) {
        while (dispatcher().remainingTime(id) > 0) {
            if (waited.elapsed() > hangGuardMs(10'000))
                return false;
            QThread::yieldCurrentThread();
        }
    }
    return true;
}

struct SocketPair
{
    int fds[2] = { -1, -1 };
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        for (int fd : fds)
            if (fd >= 0)
                ::close(fd);
    }
    void closeFirst()
    {
        ::close(fds[0]);
        fds[0] = -1;
    }
    bool send() { return ::write(fds[1], "x", 1) == 1; }
};

// Starts `worker` on a dispatcher of its own; returns an object of that thread to post to,
// deleted as the thread ends.
QObject *startOnItsOwnDispatcher(QThread &worker)
{
    worker.setEventDispatcher(new EpollEventDispatcher);
    auto *target = new QObject;
    target->moveToThread(&worker);
    QObject::connect(&worker, &QThread::finished, target, &QObject::deleteLater);
    worker.start();
    return target;
}

} // namespace

class TestEventDispatcher : public QObject
{
    Q_OBJECT
private slots:
    void timersFireInTheOrderTheyAreDue();
    void aTimerStoppedByAnEarlierOneInThePassDoesNotFire();
    void aZeroTimerFiresOncePerPass();
    void aRepeatingTimerKeepsFiringUntilKilled();
    void aTimerRestartedManyTimesStillFiresOnce();
    void timersAreListedAndForgottenWithTheirObject();
    void aReadableSocketActivatesItsReaderOnly();
    void aDisabledNotifierIsNotActivated();
    void twoReadersOfOneSocketAreEachActivated();
    void aNotifierDeletedByAnotherInThePassIsNotActivated();
    void aReusedDescriptorNumberStartsClean();
    void everyEventPostedFromAnotherThreadIsDelivered();
    void quitEndsAThreadThatHasNothingToWaitFor();
    void theLoopSaysWhenItIsAboutToBlock();
};

void TestEventDispatcher::timersFireInTheOrderTheyAreDue()
{
    QVERIFY(qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()));
    TimerLog log;
    const int late = log.startTimer(30, Qt::PreciseTimer);
    const int early = log.startTimer(10, Qt::PreciseTimer);
    const int middle = log.startTimer(20, Qt::PreciseTimer);
    // Due in the order of their intervals, unless the thread was held up between the starts
    // (a loaded machine once held it 10 ms, and `middle` fell due after `late`): what the
    // order must follow is each timer's due time, read for all three at one instant.
    QHash<int, int> remaining;
    for (const int id : { late, early, middle })
        remaining[id] = dispatcher().remainingTime(id);
    QVERIFY(awaitDue({ late, early, middle }));
    onePass();
    QCOMPARE(log.fired.size(), std::size_t(3));
    for (std::size_t i = 1; i < log.fired.size(); ++i)
        QVERIFY2(remaining[log.fired[i - 1]] <= remaining[log.fired[i]],
            qPrintable(
                QStringLiteral("timer %1 (due in %2 ms) fired before timer %3 (due in %4 ms)")
                    .arg(log.fired[i - 1])
                    .arg(remaining[log.fired[i - 1]])
                    .arg(log.fired[i])
                    .arg(remaining[log.fired[i]])));
    // Each at most once a pass, however late the pass.
    onePass();
    QCOMPARE(log.fired.size(), std::size_t(3));
}

void TestEventDispatcher::aTimerStoppedByAnEarlierOneInThePassDoesNotFire()
{
    TimerLog log;
    const int first = log.startTimer(5, Qt::PreciseTimer);
    const int second = log.startTimer(6, Qt::PreciseTimer);
    log.onFire = [&](int id) {
        if (id == first)
            log.killTimer(second);
    };
    QVERIFY(awaitDue({ first, second }));
    onePass();
    QCOMPARE(log.fired, std::vector<int> { first });
    QCOMPARE(dispatcher().remainingTime(second), -1);
    log.killTimer(first);
}

void TestEventDispatcher::aZeroTimerFiresOncePerPass()
{
    TimerLog log;
    const int id = log.startTimer(0);
    for (int pass = 0; pass < 5; ++pass)
        onePass();
    QCOMPARE(log.fired.size(), std::size_t(5));
    log.killTimer(id);
    onePass();
    QCOMPARE(log.fired.size(), std::size_t(5));
}

void TestEventDispatcher::aRepeatingTimerKeepsFiringUntilKilled()
{
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    int ticks = 0;
    connect(&timer, &QTimer::timeout, this, [&] {
        if (++ticks == 5)
            timer.stop(); // from its own handler
    });
    timer.start(2);
    QTRY_COMPARE_WITH_TIMEOUT(ticks, 5, hangGuardMs(10'000));
    QVERIFY(!timer.isActive());
    // One more timer, started after: the stopped one does not come back.
    QTimer later;
    later.setSingleShot(true);
    QSignalSpy laterFired(&later, &QTimer::timeout);
    later.start(10);
    QVERIFY(laterFired.wait(hangGuardMs(10'000)));
    QCOMPARE(ticks, 5);
}

void TestEventDispatcher::aTimerRestartedManyTimesStillFiresOnce()
{
    // A read timeout restarted on every read: the heap keeps the stale entries of earlier starts
    // until it compacts, and none of them fires.
    QTimer timer;
    timer.setSingleShot(true);
    QSignalSpy fired(&timer, &QTimer::timeout);
    for (int restart = 0; restart < 10'000; ++restart)
        timer.start(20);
    QVERIFY(fired.wait(hangGuardMs(10'000)));
    QTimer after;
    after.setSingleShot(true);
    QSignalSpy afterFired(&after, &QTimer::timeout);
    after.start(40);
    QVERIFY(afterFired.wait(hangGuardMs(10'000)));
    QCOMPARE(fired.size(), 1);
}

void TestEventDispatcher::timersAreListedAndForgottenWithTheirObject()
{
    auto log = std::make_unique<TimerLog>();
    const int slow = log->startTimer(60'000);
    const int fast = log->startTimer(50'000, Qt::PreciseTimer);
    const int remaining = dispatcher().remainingTime(slow);
    QVERIFY2(remaining > 50'000 && remaining <= 60'000, qPrintable(QString::number(remaining)));
    const auto listed = dispatcher().registeredTimers(log.get());
    QCOMPARE(listed.size(), 2);
    for (const auto &timer : listed) {
        QVERIFY(timer.timerId == slow || timer.timerId == fast);
        QCOMPARE(timer.interval, timer.timerId == slow ? 60'000 : 50'000);
    }
    // Destroyed with its timers running: Qt asks the dispatcher to forget them all.
    log.reset();
    QCOMPARE(dispatcher().remainingTime(slow), -1);
    QCOMPARE(dispatcher().remainingTime(fast), -1);
}

void TestEventDispatcher::aReadableSocketActivatesItsReaderOnly()
{
    SocketPair pair;
    QSocketNotifier reader(pair.fds[0], QSocketNotifier::Read);
    QSocketNotifier exception(pair.fds[0], QSocketNotifier::Exception);
    QSignalSpy read(&reader, &QSocketNotifier::activated);
    QSignalSpy exceptional(&exception, &QSocketNotifier::activated);
    onePass();
    QCOMPARE(read.size(), 0); // nothing to read yet
    QVERIFY(pair.send());
    QVERIFY(read.wait(hangGuardMs(10'000)));
    QCOMPARE(exceptional.size(), 0);
    // A writer on the same descriptor: writable at once, the reader still reads.
    QSocketNotifier writer(pair.fds[0], QSocketNotifier::Write);
    QSignalSpy written(&writer, &QSocketNotifier::activated);
    QVERIFY(written.wait(hangGuardMs(10'000)));
    writer.setEnabled(false);
    const qsizetype readsBefore = read.size();
    onePass();
    QCOMPARE(read.size(), readsBefore + 1); // level-triggered: the byte is still there
}

void TestEventDispatcher::aDisabledNotifierIsNotActivated()
{
    SocketPair pair;
    QSocketNotifier reader(pair.fds[0], QSocketNotifier::Read);
    QSignalSpy read(&reader, &QSocketNotifier::activated);
    reader.setEnabled(false);
    QVERIFY(pair.send());
    for (int pass = 0; pass < 3; ++pass)
        onePass();
    QCOMPARE(read.size(), 0);
    reader.setEnabled(true);
    QVERIFY(read.wait(hangGuardMs(10'000)));
}

void TestEventDispatcher::twoReadersOfOneSocketAreEachActivated()
{
    // As a connection's own reader and its QTcpSocket's, until the connection turns Qt's off.
    SocketPair pair;
    QSocketNotifier ours(pair.fds[0], QSocketNotifier::Read);
    auto qts = std::make_unique<QSocketNotifier>(pair.fds[0], QSocketNotifier::Read);
    QSignalSpy oursRead(&ours, &QSocketNotifier::activated);
    QSignalSpy qtsRead(qts.get(), &QSocketNotifier::activated);
    QVERIFY(pair.send());
    onePass();
    QCOMPARE(oursRead.size(), 1);
    QCOMPARE(qtsRead.size(), 1);
    qts->setEnabled(false);
    onePass();
    QCOMPARE(oursRead.size(), 2);
    QCOMPARE(qtsRead.size(), 1);
    qts.reset();
    onePass();
    QCOMPARE(oursRead.size(), 3);
}

void TestEventDispatcher::aNotifierDeletedByAnotherInThePassIsNotActivated()
{
    SocketPair first;
    SocketPair second;
    auto a = std::make_unique<QSocketNotifier>(first.fds[0], QSocketNotifier::Read);
    auto b = std::make_unique<QSocketNotifier>(second.fds[0], QSocketNotifier::Read);
    int activations = 0;
    // Whichever comes first closes the other's socket, as a handler ending a connection does.
    connect(a.get(), &QSocketNotifier::activated, this, [&] {
        ++activations;
        b.reset();
        second.closeFirst();
    });
    connect(b.get(), &QSocketNotifier::activated, this, [&] {
        ++activations;
        a.reset();
        first.closeFirst();
    });
    QVERIFY(first.send());
    QVERIFY(second.send());
    onePass(); // both are readable before it: one wait reports both
    QCOMPARE(activations, 1);
}

void TestEventDispatcher::aReusedDescriptorNumberStartsClean()
{
    auto old = std::make_unique<SocketPair>();
    const int number = old->fds[0];
    {
        QSocketNotifier reader(number, QSocketNotifier::Read);
        QVERIFY(old->send());
    }
    old.reset();
    SocketPair fresh; // the lowest free numbers: the old ones
    QCOMPARE(fresh.fds[0], number);
    QSocketNotifier reader(fresh.fds[0], QSocketNotifier::Read);
    QSignalSpy read(&reader, &QSocketNotifier::activated);
    onePass();
    QCOMPARE(read.size(), 0); // the old socket's byte is not news to the new one
    QVERIFY(fresh.send());
    QVERIFY(read.wait(hangGuardMs(10'000)));
}

void TestEventDispatcher::everyEventPostedFromAnotherThreadIsDelivered()
{
    QThread worker;
    QObject *target = startOnItsOwnDispatcher(worker);
    constexpr int kPosts = 20'000;
    std::atomic<int> delivered { 0 };
    // Posted while the worker sleeps, wakes and sends: a post slipping between its wake-up and
    // its sending would wait for the next post, and the last one forever. (postTo: a post the
    // thread sanitizer sees, as Qt's queue lock is invisible to it.)
    for (int post = 0; post < kPosts; ++post)
        postTo(target, [&delivered] { delivered.fetch_add(1); });
    QTRY_COMPARE_WITH_TIMEOUT(delivered.load(), kPosts, hangGuardMs(30'000));
    worker.quit();
    QVERIFY(worker.wait(QDeadlineTimer(hangGuardMs(30'000))));
}

void TestEventDispatcher::quitEndsAThreadThatHasNothingToWaitFor()
{
    QThread worker;
    QObject *target = startOnItsOwnDispatcher(worker);
    std::atomic<bool> looping { false };
    postTo(target, [&looping] { looping.store(true); });
    QTRY_VERIFY_WITH_TIMEOUT(looping.load(), hangGuardMs(10'000));
    // Its loop runs, with no timer and no socket: its wait has no limit, and only interrupt()
    // ends it.
    worker.quit();
    QVERIFY(worker.wait(QDeadlineTimer(hangGuardMs(30'000))));
}

void TestEventDispatcher::theLoopSaysWhenItIsAboutToBlock()
{
    // The server lets go of the GIL there, as an idle asyncio loop does in its poll.
    QSignalSpy blocking(&dispatcher(), &QAbstractEventDispatcher::aboutToBlock);
    QSignalSpy awake(&dispatcher(), &QAbstractEventDispatcher::awake);
    QTimer timer;
    timer.setSingleShot(true);
    QSignalSpy fired(&timer, &QTimer::timeout);
    timer.start(20);
    QVERIFY(fired.wait(hangGuardMs(10'000)));
    QVERIFY(blocking.size() >= 1);
    QVERIFY(awake.size() >= blocking.size());
    const qsizetype before = blocking.size();
    onePass(); // a pass that may not wait does not say it blocks
    QCOMPARE(blocking.size(), before);
}

int main(int argc, char **argv)
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEventDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_eventdispatcher.moc"
