// A scenario's claims checked on its runs: a figure inside its range passes, outside it fails
// and fails `--check`'s exit status; ratios divide two steps; failed requests fail the claim;
// every scenario's claims name its own steps.
#include "loadcontroller.h"
#include "scenarioclaims.h"
#include "scenarios.h"
#include "support/routetable.h"

#include <QTest>

using namespace loopscope;
using namespace loopscope::testing;

namespace {

// A run whose requests took `latenciesSeconds`, at `requestsPerSecond`.
RunSummary run(
    std::initializer_list<double> latenciesSeconds, double requestsPerSecond, qint64 failures = 0)
{
    RunSummary summary;
    for (const double seconds : latenciesSeconds)
        summary.result.latency.record(qRound64(seconds * 1e9));
    summary.completed = qint64(latenciesSeconds.size());
    summary.failures = failures;
    summary.requestsPerSecond = requestsPerSecond;
    return summary;
}

ScenarioClaim lastUserWaits(double low, double high)
{
    ScenarioClaim claim;
    claim.text = QStringLiteral("the last of 10 users waits 20 seconds");
    claim.figure = { ClaimMeasure::MaxLatency, 0 };
    claim.expected = 20;
    claim.low = low;
    claim.high = high;
    return claim;
}

} // namespace

class TestScenarioClaims : public QObject
{
    Q_OBJECT
private slots:
    void aFigureInsideItsRangePasses();
    void aFigureOutsideItsRangeFailsTheExitStatus();
    void aRatioDividesTwoSteps();
    void failedRequestsFailTheClaim();
    void aShareOfFailuresIsMeasuredNotHeldAgainst();
    void theTallyTimesJobsWorkingTogether();
    void theShareOfWorkDoneTogetherIsJudgedWithTheRatioShown();
    void aStepThatDidNotRunIsNoMeasurement();
    void theShareOfLostTasksCountsTheStepsOwnTasks();
    void theReportIsOneLinePerClaimThenTheCounts();
    void everyScenarioClaimsSomethingOfItsOwnSteps();
    void everyScenarioSetsVariantsTheServerOffers();
};

void TestScenarioClaims::aFigureInsideItsRangePasses()
{
    const QList<RunSummary> runs { run({ 2.0, 4.0, 20.02 }, 0.5) };
    const ClaimResult result = checkClaim(lastUserWaits(19.5, 26), runs);
    QVERIFY(result.passed);
    QCOMPARE(result.measured, QStringLiteral("20 s"));
    QCOMPARE(result.expected, QStringLiteral("about 20 s (19.5 s to 26 s)"));
    QCOMPARE(checkExitCode({ result }), 0);
}

void TestScenarioClaims::aFigureOutsideItsRangeFailsTheExitStatus()
{
    // The def route's pool: the last of 10 users waits 2 s, and the course's 20 s fails.
    const QList<RunSummary> runs { run({ 2.0, 2.01 }, 5) };
    const ClaimResult failed = checkClaim(lastUserWaits(19.5, 26), runs);
    QVERIFY(!failed.passed);
    QCOMPARE(failed.measured, QStringLiteral("2.01 s"));
    const ClaimResult passed = checkClaim(lastUserWaits(1.9, 4), runs);
    QVERIFY(passed.passed);
    QCOMPARE(checkExitCode({ passed, failed }), 1);
    QCOMPARE(checkExitCode({ passed }), 0);
}

void TestScenarioClaims::aRatioDividesTwoSteps()
{
    ScenarioClaim claim;
    claim.text = QStringLiteral("gather cuts the wait about 5 times");
    claim.figure = { ClaimMeasure::MedianLatency, 0 };
    claim.over = ClaimFigure { ClaimMeasure::MedianLatency, 1 };
    claim.expected = 5;
    claim.low = 2.5;
    claim.high = 5.5;
    const QList<RunSummary> runs { run({ 0.5, 0.5, 0.5 }, 4), run({ 0.1, 0.1, 0.1 }, 20) };
    const ClaimResult result = checkClaim(claim, runs);
    QVERIFY2(result.passed, qPrintable(result.measured));
    QVERIFY2(result.measured.endsWith(u'x'), qPrintable(result.measured));
    QVERIFY(result.measured.startsWith(u'5') || result.measured.startsWith(u'4'));
    // Reversed, the ratio is a fifth: out of range.
    std::swap(claim.figure, *claim.over);
    QVERIFY(!checkClaim(claim, runs).passed);
}

void TestScenarioClaims::failedRequestsFailTheClaim()
{
    const QList<RunSummary> runs { run({ 20.0 }, 0.05, 3) };
    const ClaimResult result = checkClaim(lastUserWaits(19.5, 26), runs);
    QVERIFY(!result.passed);
    QVERIFY2(
        result.measured.contains(QStringLiteral("3 requests failed")), qPrintable(result.measured));
}

void TestScenarioClaims::aShareOfFailuresIsMeasuredNotHeldAgainst()
{
    ScenarioClaim everyOneFails;
    everyOneFails.text = QStringLiteral("every request fails");
    everyOneFails.figure = { ClaimMeasure::FailedShare, 0 };
    everyOneFails.expected = everyOneFails.low = everyOneFails.high = 1;
    const ClaimResult all = checkClaim(everyOneFails, { run({ 0.01, 0.01, 0.01, 0.01 }, 100, 4) });
    QVERIFY2(all.passed, qPrintable(all.measured));
    QCOMPARE(all.measured, QStringLiteral("100% failed"));
    QCOMPARE(all.expected, QStringLiteral("100% failed"));
    const ClaimResult some = checkClaim(everyOneFails, { run({ 0.01, 0.01, 0.01, 0.01 }, 100, 3) });
    QVERIFY(!some.passed);
    QCOMPARE(some.measured, QStringLiteral("75% failed"));
}

void TestScenarioClaims::theShareOfLostTasksCountsTheStepsOwnTasks()
{
    ScenarioClaim allLost;
    allLost.text = QStringLiteral("if the server restarts, they are lost");
    allLost.figure = { ClaimMeasure::LostTaskShare, 1 };
    allLost.expected = allLost.low = allLost.high = 1;
    RunSummary before = run({ 0.002 }, 500);
    before.traced.tasksStarted = 10; // another step's: not this claim's
    RunSummary restarted = run({ 0.002, 0.003 }, 500);
    restarted.traced.tasksStarted = 10;
    restarted.traced.tasksCancelled = 10;
    const ClaimResult lost = checkClaim(allLost, { before, restarted });
    QVERIFY2(lost.passed, qPrintable(lost.measured));
    QCOMPARE(lost.measured, QStringLiteral("100% of its tasks lost"));
    restarted.traced.tasksCancelled = 7;
    const ClaimResult some = checkClaim(allLost, { before, restarted });
    QVERIFY(!some.passed);
    QCOMPARE(some.measured, QStringLiteral("70% of its tasks lost"));
    // A step whose requests started no task measures nothing, and says why.
    restarted.traced.tasksStarted = restarted.traced.tasksCancelled = 0;
    const ClaimResult none = checkClaim(allLost, { before, restarted });
    QVERIFY(!none.passed);
    QCOMPARE(none.measured, QStringLiteral("no background task started"));
}

namespace {

trace::Event eventAt(trace::Kind kind, std::uint64_t span, trace::Nanos time)
{
    trace::Event e {};
    e.kind = kind;
    e.span = span;
    e.time = time;
    return e;
}

} // namespace

// Two jobs' working time, from events that arrive out of time order (the hub orders them across
// threads only within a batch): job 1 works 0-100, job 2 works 40-100 but waits for the GIL
// 60-80; a request's await is no job's. Working: 0-100; two at once: 40-60 and 80-100.
void TestScenarioClaims::theTallyTimesJobsWorkingTogether()
{
    using K = trace::Kind;
    TracedFiguresTally tally;
    for (const trace::Event &e : { eventAt(K::JobStarted, 2, 40), eventAt(K::AwaitSuspend, 2, 60),
             eventAt(K::AwaitSuspend, 7, 5), eventAt(K::JobStarted, 1, 0),
             eventAt(K::AwaitResume, 2, 80), eventAt(K::JobFinished, 1, 100),
             eventAt(K::JobFinished, 2, 100), eventAt(K::AwaitResume, 7, 90),
             eventAt(K::TaskSpawned, 9, 10) })
        tally.add(e);
    const TracedFigures figures = tally.take();
    QCOMPARE(figures.jobsWorking, trace::Nanos(100));
    QCOMPARE(figures.jobsWorkingTogether, trace::Nanos(40));
    QCOMPARE(figures.tasksStarted, qint64(1));
    // A job still working when a step ends carries on into the next step's figures.
    tally.add(eventAt(K::JobStarted, 3, 200));
    QCOMPARE(tally.take().jobsWorking, trace::Nanos(0));
    tally.add(eventAt(K::JobFinished, 3, 230));
    QCOMPARE(tally.take().jobsWorking, trace::Nanos(30));
}

// The GIL lesson's claims are judged on the trace (the clients' requests/s shown beside), so a
// machine busy with other work cannot fail them.
void TestScenarioClaims::theShareOfWorkDoneTogetherIsJudgedWithTheRatioShown()
{
    ScenarioClaim together;
    together.text = QStringLiteral("without the GIL two threads count at once");
    together.figure = { ClaimMeasure::TogetherShare, 1 };
    together.expected = 1;
    together.low = 0.6;
    together.shown = ScenarioClaim::ShownRatio { QStringLiteral("requests/s"),
        { ClaimMeasure::RequestsPerSecond, 1 }, { ClaimMeasure::RequestsPerSecond, 0 } };
    const RunSummary oneThread = run({ 0.05 }, 20);
    RunSummary twoThreads = run({ 0.05, 0.05 }, 23);
    twoThreads.traced.jobsWorking = 1000;
    twoThreads.traced.jobsWorkingTogether = 900;
    const ClaimResult result = checkClaim(together, { oneThread, twoThreads });
    QVERIFY2(result.passed, qPrintable(result.measured));
    QCOMPARE(result.measured, QStringLiteral("90% of the work two at once; requests/s 1.15x"));
    QCOMPARE(result.expected, QStringLiteral("about 100% (at least 60%) of the work two at once"));
    twoThreads.traced.jobsWorkingTogether = 10;
    QVERIFY(!checkClaim(together, { oneThread, twoThreads }).passed);
    twoThreads.traced = {};
    QCOMPARE(checkClaim(together, { oneThread, twoThreads }).measured,
        QStringLiteral("no pool job ran"));
}

void TestScenarioClaims::aStepThatDidNotRunIsNoMeasurement()
{
    const ClaimResult result = checkClaim(lastUserWaits(19.5, 26), {});
    QVERIFY(!result.passed);
    QCOMPARE(result.measured, QStringLiteral("no run"));
}

void TestScenarioClaims::theReportIsOneLinePerClaimThenTheCounts()
{
    const QList<RunSummary> runs { run({ 20.0 }, 0.05) };
    const QList<ClaimResult> results
        = checkClaims({ lastUserWaits(19.5, 26), lastUserWaits(1.9, 4) }, runs);
    const QStringList lines = checkReport(results).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines.at(0),
        QStringLiteral("the last of 10 users waits 20 seconds | expected about 20 s (19.5 s to "
                       "26 s) | measured 20 s | PASS"));
    QVERIFY(lines.at(1).endsWith(QStringLiteral("| measured 20 s | FAIL")));
    QCOMPARE(lines.at(2), QStringLiteral("1 passed, 1 failed"));
}

void TestScenarioClaims::everyScenarioClaimsSomethingOfItsOwnSteps()
{
    for (const Scenario &scenario : scenarios()) {
        QVERIFY2(!scenario.claims.isEmpty(), qPrintable(scenario.name));
        for (const ScenarioClaim &claim : scenario.claims) {
            const QString where = scenario.name + u": " + claim.text;
            auto isOwnStep = [&scenario](const ClaimFigure &figure) {
                return figure.step >= 0 && figure.step < scenario.steps.size();
            };
            QVERIFY2(isOwnStep(claim.figure), qPrintable(where));
            if (claim.over)
                QVERIFY2(isOwnStep(*claim.over), qPrintable(where));
            if (claim.shown)
                QVERIFY2(isOwnStep(claim.shown->figure) && isOwnStep(claim.shown->over),
                    qPrintable(where));
            QVERIFY2(claim.low <= claim.high, qPrintable(where));
            if (claim.expected > 0)
                QVERIFY2(
                    claim.expected >= claim.low && claim.expected <= claim.high, qPrintable(where));
        }
    }
}

// A scenario's variant assignments are applied as it plays, with nobody to read an error: each
// must be one the server's routes accept.
void TestScenarioClaims::everyScenarioSetsVariantsTheServerOffers()
{
    RouteTable table;
    ModeTable modes;
    for (const Route &route : table.router.routes()) {
        if (!route.internal)
            modes.add(route.key(), route.variants, route.defaultVariant);
    }
    for (const Scenario &scenario : scenarios()) {
        for (const ScenarioStep &step : scenario.steps) {
            QVERIFY2(modes.indexOf(step.route) >= 0, qPrintable(scenario.name + u' ' + step.route));
            for (const QString &assignment : step.modes + step.modesDuringRun) {
                const Result applied = modes.applyAssignment(assignment);
                QVERIFY2(applied, qPrintable(scenario.name + u": " + applied.message()));
            }
        }
    }
}

QTEST_GUILESS_MAIN(TestScenarioClaims)
#include "tst_scenarioclaims.moc"
