// The runs table records what really ran: a route's variant flipped while the load ran (from the
// routes panel, PUT /_scope/modes or a scenario), on the session clock; the plan; a run ended by
// Stop.
#include "support/httptestclient.h"
#include "support/serverfixture.h"

#include "chartcursorview.h"
#include "livecharts.h"
#include "loadcontroller.h"
#include "mainwindow.h"
#include "runstable.h"
#include "scenarios.h"
#include "serverhost.h"

#include "trace/sessionclock.h"
#include "trace/subscription.h"
#include "trace/tracehub.h"

#include <QLineSeries>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTest>

using namespace loopscope;
using namespace loopscope::testing;

class TestRuns : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void modeTableKeepsEachFlipWithItsTime();
    void aFlipDuringARunIsRecorded_data();
    void aFlipDuringARunIsRecorded();
    void aStoppedRunSaysSo();
    void theFlipScenarioSwitchesWhileItsLoadRuns();
    void theNewestRunIsOnTopInView();

private:
    RunSummary finishedRun();
    bool startRun(qint64 requests, int concurrency);

    std::unique_ptr<ServerHost> m_host;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QSignalSpy> m_finished;
};

void TestRuns::init()
{
    m_host = startServer();
    m_window = std::make_unique<MainWindow>(*m_host);
    m_window->show();
    m_finished
        = std::make_unique<QSignalSpy>(&m_window->loadController(), &LoadController::runFinished);
}

void TestRuns::cleanup()
{
    m_finished.reset();
    m_window.reset();
    m_host.reset();
}

bool TestRuns::startRun(qint64 requests, int concurrency)
{
    load::LoadPlan plan;
    load::RequestTemplate request;
    request.target = "/async?delay=0.05";
    plan.requests = { request };
    plan.totalRequests = requests;
    plan.concurrency = concurrency;
    const Result started = m_window->loadController().start(
        QStringLiteral("flip"), QStringLiteral("GET /async"), plan);
    if (!started)
        qWarning("run not started: %s", qPrintable(started.message()));
    return bool(started);
}

RunSummary TestRuns::finishedRun()
{
    if (m_finished->isEmpty() && !m_finished->wait(60000))
        return {};
    return m_window->loadController().runs().constLast();
}

void TestRuns::modeTableKeepsEachFlipWithItsTime()
{
    ModeTable &modes = m_host->modes();
    const int route = modes.indexOf(QStringLiteral("GET /async"));
    QVERIFY(route >= 0);
    const trace::Nanos before = trace::nowNs();
    QCOMPARE(modes.set(QStringLiteral("GET /async"), QStringLiteral("blocking")),
        ModeTable::SetResult::Ok);
    QCOMPARE(modes.set(QStringLiteral("GET /async"), QStringLiteral("blocking")),
        ModeTable::SetResult::Ok); // no change, no flip
    QVERIFY(modes.applyAssignment(QStringLiteral("/async=async")));
    const trace::Nanos after = trace::nowNs();

    const auto flips = modes.changesBetween(route, before, after);
    QCOMPARE(flips.size(), std::size_t(2));
    QCOMPARE(flips[0].from, HandlerVariant::Async);
    QCOMPARE(flips[0].to, HandlerVariant::Blocking);
    QCOMPARE(flips[1].from, HandlerVariant::Blocking);
    QCOMPARE(flips[1].to, HandlerVariant::Async);
    QVERIFY(before <= flips[0].at && flips[0].at <= flips[1].at && flips[1].at <= after);
    // Only that route's flips, only in the window asked for.
    QVERIFY(
        modes.changesBetween(modes.indexOf(QStringLiteral("GET /sync")), before, after).empty());
    QVERIFY(modes.changesBetween(route, after + 1, trace::nowNs()).empty());
}

void TestRuns::aFlipDuringARunIsRecorded_data()
{
    QTest::addColumn<bool>("fromThePanel");
    QTest::newRow("routes panel") << true;
    QTest::newRow("PUT /_scope/modes") << false;
}

void TestRuns::aFlipDuringARunIsRecorded()
{
    QFETCH(bool, fromThePanel);
    const auto subscription = trace::TraceHub::instance().subscribe(1 << 20);
    QVERIFY(startRun(40, 2));
    // A quarter of the run async, then the flip while it goes on.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->loadController().snapshot().done >= 10, 30000);
    if (fromThePanel) {
        auto *blocking = m_window->findChild<QRadioButton *>(QStringLiteral("GET /async=blocking"));
        QVERIFY(blocking);
        blocking->click();
    } else {
        QCOMPARE(fetch(m_host->port(), "PUT", "/_scope/modes",
                     R"({"route":"GET /async","variant":"blocking"})")
                     .status,
            200);
    }
    const RunSummary run = finishedRun();
    QCOMPARE(run.completed, 40);
    QCOMPARE(run.variant, QStringLiteral("async"));
    QCOMPARE(run.variantChanges.size(), std::size_t(1));
    const ModeTable::VariantChange flip = run.variantChanges.front();
    QCOMPARE(flip.from, HandlerVariant::Async);
    QCOMPARE(flip.to, HandlerVariant::Blocking);
    QVERIFY(run.startedAt < flip.at && flip.at < run.startedAt + run.result.elapsedNs);
    QVERIFY(!run.stopped);

    // The flip's time is the server's: no request ran blocking before it, some ran async before
    // and some blocking after.
    trace::TraceHub::instance().flush();
    std::vector<trace::Event> events;
    subscription->drain(events);
    const std::uint32_t route = trace::label("GET /async");
    int async = 0, blocking = 0;
    for (const trace::Event &e : events) {
        if (e.kind != trace::Kind::RequestParsed || e.label != route || e.time < run.startedAt)
            continue;
        if (e.value == int(HandlerVariant::Blocking)) {
            QVERIFY(e.time >= flip.at);
            ++blocking;
        } else if (e.value == int(HandlerVariant::Async)) {
            ++async;
        }
    }
    QVERIFY2(async >= 10 && blocking >= 1,
        qPrintable(QStringLiteral("%1 async, %2 blocking").arg(async).arg(blocking)));

    // The table says it in words, on the session clock (the timeline's axis).
    const RunsTable &table = m_window->runsTable();
    QCOMPARE(table.rowCount(), 1);
    QCOMPARE(table.item(0, RunsTable::VariantColumn)->text(),
        QStringLiteral("async→blocking at ") + trace::formatSessionTime(flip.at));
    QCOMPARE(table.item(0, RunsTable::PlanColumn)->text(), QStringLiteral("-n 40 -c 2"));
    QCOMPARE(
        table.item(0, RunsTable::StartedColumn)->text(), trace::formatSessionTime(run.startedAt));
    QCOMPARE(table.item(0, RunsTable::EndedColumn)->text(), QStringLiteral("done"));
    QVERIFY(table.toCsv().contains(u"async→blocking at "));
}

void TestRuns::aStoppedRunSaysSo()
{
    QVERIFY(startRun(100'000, 2));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->loadController().snapshot().done >= 4, 30000);
    m_window->loadController().stop();
    const RunSummary run = finishedRun();
    QVERIFY(run.stopped);
    QVERIFY(run.completed < 100'000);
    QVERIFY(run.variantChanges.empty());
    const RunsTable &table = m_window->runsTable();
    QCOMPARE(table.rowCount(), 1);
    QCOMPARE(table.item(0, RunsTable::VariantColumn)->text(), QStringLiteral("async"));
    QCOMPARE(table.item(0, RunsTable::EndedColumn)->text(), QStringLiteral("stopped"));
    QCOMPARE(table.item(0, RunsTable::PlanColumn)->text(), QStringLiteral("-n 100000 -c 2"));
}

void TestRuns::theFlipScenarioSwitchesWhileItsLoadRuns()
{
    const Scenario *scenario = findScenario(QStringLiteral("flip-under-load"));
    QVERIFY(scenario);
    QCOMPARE(scenario->steps.size(), 1);
    QSignalSpy done(m_window.get(), &MainWindow::scenarioFinished);
    QVERIFY(m_window->runScenario(*scenario));
    QVERIFY(done.wait(120000));
    const RunSummary run = m_window->loadController().runs().constLast();
    QCOMPARE(run.completed, scenario->steps.front().requests);
    QCOMPARE(run.variant, QStringLiteral("async"));
    // One switch, inside the run, to the variant the scenario names.
    QCOMPARE(run.variantChanges.size(), std::size_t(1));
    QCOMPARE(run.variantChanges.front().from, HandlerVariant::Async);
    QCOMPARE(run.variantChanges.front().to, HandlerVariant::Blocking);
    QVERIFY(run.startedAt < run.variantChanges.front().at);
    QVERIFY(run.variantChanges.front().at < run.startedAt + run.result.elapsedNs);
    QVERIFY(m_window->runsTable()
                .item(0, RunsTable::VariantColumn)
                ->text()
                .startsWith(u"async→blocking at "));
}

void TestRuns::theNewestRunIsOnTopInView()
{
    RunsTable &table = m_window->runsTable();
    table.resize(600, 120); // a few rows' room: older runs scroll away, not the newest
    for (int i = 1; i <= 12; ++i) {
        RunSummary run;
        run.label = QStringLiteral("run %1").arg(i);
        run.route = QStringLiteral("GET /async");
        run.result.plan.totalRequests = 10 * i;
        run.result.plan.concurrency = i;
        run.maxMs = 100.0 * i;
        run.stopped = i == 12;
        table.addRun(run);
    }
    QCOMPARE(table.rowCount(), 12);
    QCOMPARE(table.item(0, RunsTable::RunColumn)->text(), QStringLiteral("run 12"));
    QCOMPARE(table.item(0, RunsTable::MaxColumn)->text(), QStringLiteral("1200.0"));
    QCOMPARE(table.item(0, RunsTable::PlanColumn)->text(), QStringLiteral("-n 120 -c 12"));
    QCOMPARE(table.item(0, RunsTable::EndedColumn)->text(), QStringLiteral("stopped"));
    QCOMPARE(table.item(11, RunsTable::RunColumn)->text(), QStringLiteral("run 1"));
    const QRect newest = table.visualItemRect(table.item(0, RunsTable::RunColumn));
    QVERIFY(table.viewport()->rect().contains(newest));
}

QTEST_MAIN(TestRuns)
#include "tst_runs.moc"
