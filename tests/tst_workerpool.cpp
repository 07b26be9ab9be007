// WorkerPool's hand-off (core/poolhandoff.h): what a job captured reaches it whole, its result or
// its exception reaches the awaiting coroutine on that coroutine's thread, and jobs really run
// on the pool. The thread sanitizer preset runs this suite without a suppression for the pool.
#include "core/workerpool.h"

#include <QCoro/QCoroTask>
#include <QTest>
#include <QThread>

#include <memory>
#include <stdexcept>
#include <vector>

using namespace loopscope;

class TestWorkerPool : public QObject
{
    Q_OBJECT
private slots:
    void aJobSeesWhatItCapturedAndReturnsItsResult();
    void aMoveOnlyResultArrives();
    void aVoidJobRunsBeforeTheAwaitEnds();
    void aJobsExceptionReachesTheAwaiter();
    void jobsRunOnThePoolAndResumeOnTheAwaitersThread();
};

void TestWorkerPool::aJobSeesWhatItCapturedAndReturnsItsResult()
{
    WorkerPool pool(2);
    // Made here, read and written there: the hand-off orders both ways.
    auto numbers = std::make_shared<std::vector<int>>(std::vector<int> { 1, 2, 3, 4 });
    auto sum = [numbers] {
        int total = 0;
        for (int &n : *numbers) {
            total += n;
            n = -n;
        }
        return total;
    };
    QCOMPARE(QCoro::waitFor(pool.run(std::move(sum))), 10);
    QCOMPARE(*numbers, std::vector<int>({ -1, -2, -3, -4 }));
}

void TestWorkerPool::aMoveOnlyResultArrives()
{
    WorkerPool pool(1);
    auto make = [] { return std::make_unique<QString>(QStringLiteral("made on the pool")); };
    const std::unique_ptr<QString> made = QCoro::waitFor(pool.run(std::move(make)));
    QVERIFY(made);
    QCOMPARE(*made, QStringLiteral("made on the pool"));
}

void TestWorkerPool::aVoidJobRunsBeforeTheAwaitEnds()
{
    WorkerPool pool(1);
    auto ran = std::make_shared<int>(0);
    QCoro::waitFor(pool.run([ran] { *ran = 42; }));
    QCOMPARE(*ran, 42);
}

void TestWorkerPool::aJobsExceptionReachesTheAwaiter()
{
    WorkerPool pool(1);
    // Caught inside a coroutine: QCoro 0.8's waitFor never returns from a task that threw.
    auto awaitFailing = [&pool]() -> QCoro::Task<QString> {
        try {
            co_await pool.run([]() -> int { throw std::runtime_error("the job failed"); });
        } catch (const std::runtime_error &error) {
            co_return QString::fromUtf8(error.what());
        }
        co_return QString();
    };
    QCOMPARE(QCoro::waitFor(awaitFailing()), QStringLiteral("the job failed"));
    // The pool survives it.
    QCOMPARE(QCoro::waitFor(pool.run([] { return 7; })), 7);
}

void TestWorkerPool::jobsRunOnThePoolAndResumeOnTheAwaitersThread()
{
    WorkerPool pool(4);
    QThread *const awaiter = QThread::currentThread();
    auto check = [&pool, awaiter]() -> QCoro::Task<int> {
        int offThread = 0;
        for (int i = 0; i < 20; ++i) {
            QThread *const ran = co_await pool.run([] { return QThread::currentThread(); });
            offThread += ran != awaiter && WorkerPool::onWorkerThread() == false;
            if (QThread::currentThread() != awaiter)
                co_return -1;
        }
        co_return offThread;
    };
    QCOMPARE(QCoro::waitFor(check()), 20);
}

QTEST_GUILESS_MAIN(TestWorkerPool)
#include "tst_workerpool.moc"
