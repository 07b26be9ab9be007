// A restart of the server, as a deploy does it: requests drained, background tasks given their
// grace and then cancelled (the course's "tasks created with asyncio.create_task() are lost if
// the server restarts"), and the same port serving again, while the caller's loop goes on.

#include "support/httptestclient.h"
#include "support/serverfixture.h"

#include "trace/subscription.h"
#include "trace/trace.h"
#include "trace/tracehub.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>

using namespace loopscope;
using namespace loopscope::testing;

namespace {

ServerConfig quickTaskGrace()
{
    ServerConfig config;
    config.taskGrace = std::chrono::milliseconds(200); // /start-task's sleeps 5 s: it is lost
    return config;
}

std::size_t countOf(const std::vector<trace::Event> &events, trace::Kind kind)
{
    return std::size_t(std::count_if(
        events.begin(), events.end(), [kind](const trace::Event &e) { return e.kind == kind; }));
}

} // namespace

class TestRestart : public QObject
{
    Q_OBJECT
private slots:
    void aRestartLosesTheTasksAndServesAgainOnTheSamePort();
    void aRestartWaitsForTheBackgroundTasksOfAResponse();
    void aStopDuringARestartEndsTheServerCleanly();
};

void TestRestart::aRestartLosesTheTasksAndServesAgainOnTheSamePort()
{
    const auto host = startServer(quickTaskGrace());
    const quint16 port = host->port();
    const auto trace = trace::TraceHub::instance().subscribe(1 << 16);
    QStringList log;
    connect(&host->log(), &ServerLog::message, this,
        [&log](const QString &, const QString &line, qint64) { log << line; });
    for (int i = 0; i < 3; ++i)
        QCOMPARE(fetch(port, "GET", "/start-task").status, 200);
    QTRY_COMPARE(host->backgroundTasksRunning(), 3);

    // The caller's loop turns all through the restart: a timer of its own keeps firing.
    int ticks = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, this, [&ticks] { ++ticks; });
    tick.start(5);
    std::optional<Result> restarted;
    int ticksWhenDone = 0;
    host->restart([&](Result result) {
        restarted = std::move(result);
        ticksWhenDone = ticks;
    });
    QVERIFY(host->isRestarting());
    QVERIFY(!host->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(restarted.has_value(), 30000);
    QVERIFY2(*restarted, qPrintable(restarted->message()));
    QVERIFY2(ticksWhenDone >= 2, qPrintable(QString::number(ticksWhenDone)));
    QVERIFY(!host->isRestarting());
    QVERIFY(host->isRunning());
    QCOMPARE(host->port(), port);
    QCOMPARE(host->backgroundTasksRunning(), 0);

    // Serving again, where it was.
    QCOMPARE(fetch(port, "GET", "/async?delay=0").status, 200);
    // The three tasks were cancelled, none completed, and both the trace and the log say so.
    trace::TraceHub::instance().flush();
    std::vector<trace::Event> events;
    trace->drain(events);
    QCOMPARE(countOf(events, trace::Kind::TaskSpawned), std::size_t(3));
    QCOMPARE(countOf(events, trace::Kind::TaskCancelled), std::size_t(3));
    QCOMPARE(countOf(events, trace::Kind::TaskFinished), std::size_t(0));
    // The restart is in the trace too, for the timeline to draw: its stop began before the tasks
    // were cancelled, and the server listened again after.
    // (The first start may be in the subscription too: it was recorded just before it.)
    QCOMPARE(countOf(events, trace::Kind::ServerStopping), std::size_t(1));
    const trace::Nanos stopping = std::find_if(events.begin(), events.end(), [](const auto &e) {
        return e.kind == trace::Kind::ServerStopping;
    })->time;
    std::vector<trace::Nanos> startedAfter;
    for (const trace::Event &e : events) {
        if (e.kind == trace::Kind::ServerStarted && e.time > stopping)
            startedAfter.push_back(e.time);
    }
    QCOMPARE(startedAfter.size(), std::size_t(1));
    for (const trace::Event &e : events) {
        if (e.kind == trace::Kind::TaskCancelled) {
            QVERIFY(e.time > stopping);
            QVERIFY(e.time < startedAfter.front());
        }
    }
    QTRY_COMPARE(log.filter(QStringLiteral("cancelled background task background_work")).size(), 3);
    QVERIFY(log.filter(QStringLiteral("Background task completed")).isEmpty());
}

void TestRestart::aRestartWaitsForTheBackgroundTasksOfAResponse()
{
    // FastAPI's BackgroundTasks (/signup) belong to their response: uvicorn waits for them at
    // shutdown, where it cancels asyncio.create_task()'s. The same task grace as above, which
    // the 3 s email would not survive if it were detached.
    const auto host = startServer(quickTaskGrace());
    const auto trace = trace::TraceHub::instance().subscribe(1 << 16);
    QStringList log;
    connect(&host->log(), &ServerLog::message, this,
        [&log](const QString &, const QString &line, qint64) { log << line; });
    QCOMPARE(fetch(host->port(), "POST", "/signup?username=ada&email=ada@example.com").status, 200);
    std::optional<Result> restarted;
    host->restart([&restarted](Result result) { restarted = std::move(result); });
    QTRY_VERIFY_WITH_TIMEOUT(restarted.has_value(), 30000);
    QVERIFY2(*restarted, qPrintable(restarted->message()));
    // Both ran to their end before the server stopped: the email, then its follow-up.
    QVERIFY2(log.filter(QStringLiteral("Welcome email sent to ada@example.com")).size() == 1,
        qPrintable(log.join(u'\n')));
    QVERIFY2(log.filter(QStringLiteral("Signup logged for ada")).size() == 1,
        qPrintable(log.join(u'\n')));
    QVERIFY(log.filter(QStringLiteral("cancelled background task")).isEmpty());
    trace::TraceHub::instance().flush();
    std::vector<trace::Event> events;
    trace->drain(events);
    QCOMPARE(countOf(events, trace::Kind::TaskSpawned), std::size_t(2));
    QCOMPARE(countOf(events, trace::Kind::TaskFinished), std::size_t(2));
    QCOMPARE(countOf(events, trace::Kind::TaskCancelled), std::size_t(0));
}

void TestRestart::aStopDuringARestartEndsTheServerCleanly()
{
    const auto host = startServer(quickTaskGrace());
    QCOMPARE(fetch(host->port(), "GET", "/start-task").status, 200);
    bool called = false;
    host->restart([&called](Result) { called = true; });
    QVERIFY(host->stop());
    QVERIFY(!host->isRunning());
    QVERIFY(!host->isRestarting());
    QVERIFY(!host->loopThread()->isRunning());
    QCoreApplication::processEvents();
    QVERIFY(!called); // stopped, not restarted
    // A second restart of a stopped server says so at once.
    std::optional<Result> refused;
    host->restart([&refused](Result result) { refused = std::move(result); });
    QVERIFY(refused && !*refused);
}

QTEST_GUILESS_MAIN(TestRestart)
#include "tst_restart.moc"
