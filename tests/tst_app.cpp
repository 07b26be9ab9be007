// The window's panels against a live embedded server (offscreen), and the real app under Xvfb.
#include "support/hangguard.h"
#include "support/httptestclient.h"
#include "support/serverfixture.h"

#include "appsettings.h"
#include "chartcursorview.h"
#include "core/gil.h"
#include "livecharts.h"
#include "loadcontroller.h"
#include "loadpanel.h"
#include "loadsnapshot.h"
#include "logview.h"
#include "mainwindow.h"
#include "routespanel.h"
#include "routing/settingtable.h"
#include "runstable.h"
#include "scenariorunner.h"
#include "scenarios.h"
#include "serverhost.h"
#include "serversampler.h"

#include "timelinecontrols.h"
#include "timelinekeys.h"
#include "timelinekeysdialog.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "trace/sessionclock.h"
#include "trace/spanindex.h"
#include "trace/tracehub.h"

#include <QAction>
#include <QChart>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>

#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QValueAxis>
#include <algorithm>
#include <array>

using namespace loopscope;
using namespace loopscope::testing;

class TestApp : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void flippingAVariantReachesTheServer();
    void startFiresLoadAndTheProgressBarMoves();
    void scenarioSetsItsStateAndFillsTheTable();
    void inspectorShowsTheSelectedRequestAndResponse();
    void timelineControlsOnScreenAtEveryWidth_data();
    void timelineControlsOnScreenAtEveryWidth();
    void startingARunFollowsAgain();
    void startingAScenarioFollowsAgainItsLaterStepsDoNot();
    void scenarioEndsWithItsLastEffectFramedAndChecked();
    void scenarioStepsSetTheGilThenGiveTheUsersSettingBack();
    void badgeCountsRequestsWhilePaused();
    void helpKeysListsEveryKeyTheTimelineAccepts();
    void failedExportShowsThePathAndTheReason_data();
    void failedExportShowsThePathAndTheReason();
    void realAppPlaysAScenarioAndSavesAScreenshot();
    void statusMessagesAreShownBesideTheServerFigures();
    void aTargetThatIsNotAPathIsRefusedVisibly();
    void aDurationRunHasAnEtaWithinItsDurationAndProgresses();
    void aStoppedRunSaysStopped();
    void aRequestCountPastTheMaximumIsCappedVisibly();
    void aScenarioShowsItsPlanInTheLoadPanel();
    void theBannerHintsCloseAndLeavesOnAManualRun();
    void chartTicksAreRoundAndFollowTheData();
    void aRunShorterThanASecondStillReachesTheLatencyChart();
    void aJumpInLatencyNeverLaysOutThousandsOfTicks();
    void theDarkThemeDarkensChartsAndKeepsRadiosVisible();
    void greyedOutVariantsSayWhyTheyAreOff();
    void helpAboutNamesTheVersionLicenceAndReadme();

private:
    QPushButton *loadButton(const QString &text) const;
    void startFromThePanel(const QString &target, int requests, int concurrency, double seconds);
    viz::TimelineControls *timelineControls() const;
    void pauseTimeline();

    std::unique_ptr<ServerHost> m_host;
    std::unique_ptr<MainWindow> m_window;
};

void TestApp::init()
{
    m_host = startServer();
    m_window = std::make_unique<MainWindow>(*m_host);
    m_window->show();
}

void TestApp::cleanup()
{
    m_window.reset();
    m_host.reset();
    applyTheme(QStringLiteral("light")); // a case that went dark leaves the others light
}

QPushButton *TestApp::loadButton(const QString &text) const
{
    for (QPushButton *button : m_window->loadPanel().findChildren<QPushButton *>()) {
        if (button->text() == text)
            return button;
    }
    return nullptr;
}

// Fills the load panel's fields (route GET /async) and clicks Start.
void TestApp::startFromThePanel(
    const QString &target, int requests, int concurrency, double seconds)
{
    LoadPanel &panel = m_window->loadPanel();
    auto *route = panel.findChild<QComboBox *>();
    QVERIFY(route);
    route->setCurrentText(QStringLiteral("GET /async"));
    panel.findChild<QLineEdit *>()->setText(target);
    const auto spins = panel.findChildren<QSpinBox *>();
    QCOMPARE(spins.size(), 2);
    spins.at(0)->setValue(requests);
    spins.at(1)->setValue(concurrency);
    const auto decimals = panel.findChildren<QDoubleSpinBox *>();
    QCOMPARE(decimals.size(), 2); // rate, duration
    decimals.at(1)->setValue(seconds);
    QPushButton *start = loadButton(QStringLiteral("Start"));
    QVERIFY(start);
    start->click();
}

void TestApp::flippingAVariantReachesTheServer()
{
    auto *blocking = m_window->findChild<QRadioButton *>(QStringLiteral("GET /async=blocking"));
    QVERIFY(blocking);
    QVERIFY(!blocking->isChecked());
    blocking->click();
    QVERIFY(blocking->isChecked());
    const QByteArray modes = fetch(m_host->port(), "GET", "/_scope/modes").body;
    QVERIFY2(modes.contains(R"("route":"GET /async","variant":"blocking")"), modes.constData());
    // A variant the route does not offer cannot be chosen.
    auto *notOffered
        = m_window->findChild<QRadioButton *>(QStringLiteral("GET /products/=blocking"));
    QVERIFY(notOffered);
    QVERIFY(!notOffered->isEnabled());
}

void TestApp::startFiresLoadAndTheProgressBarMoves()
{
    LoadPanel &panel = m_window->loadPanel();
    auto *target = panel.findChild<QLineEdit *>();
    QVERIFY(target);
    target->setText(QStringLiteral("/async?delay=0.05"));
    const auto spins = panel.findChildren<QSpinBox *>();
    QCOMPARE(spins.size(), 2);
    spins.at(0)->setValue(200); // -n: 40 rounds of 50 ms, many progress ticks of 100 ms
    spins.at(1)->setValue(5); // -c
    auto *progress = panel.findChild<QProgressBar *>();
    QVERIFY(progress);
    QPushButton *start = nullptr;
    for (QPushButton *button : panel.findChildren<QPushButton *>()) {
        if (button->text() == u"Start")
            start = button;
    }
    QVERIFY(start);
    QSignalSpy finished(&m_window->loadController(), &LoadController::runFinished);
    // Every value the bar takes, so a slow machine that polls late cannot miss the moving part.
    QSignalSpy moved(progress, &QProgressBar::valueChanged);
    start->click();
    QVERIFY(!start->isEnabled());
    QVERIFY(finished.wait(hangGuardMs(20000)));
    const bool movedBetween
        = std::any_of(moved.cbegin(), moved.cend(), [](const QList<QVariant> &v) {
              return v.constFirst().toInt() > 0 && v.constFirst().toInt() < 100;
          });
    QVERIFY2(movedBetween, qPrintable(QString::number(moved.size())));
    QCOMPARE(progress->value(), 100);
    QVERIFY(start->isEnabled());
    QCOMPARE(m_window->runsTable().rowCount(), 1);
    QCOMPARE(m_window->runsTable().item(0, 1)->text(), QStringLiteral("GET /sync")); // first route
    QCOMPARE(m_window->loadController().runs().constFirst().completed, 200);
    QCOMPARE(m_window->loadController().runs().constFirst().failures, 0);
}

void TestApp::scenarioSetsItsStateAndFillsTheTable()
{
    const Scenario *scenario = findScenario(QStringLiteral("cpu-bound"));
    QVERIFY(scenario);
    QSignalSpy done(m_window.get(), &MainWindow::scenarioFinished);
    QVERIFY(m_window->runScenario(*scenario));
    QVERIFY(done.wait(hangGuardMs(60000)));
    // Its last step left the route on the pool, and the routes panel shows it.
    QCOMPARE(m_host->modes().variant(m_host->modes().indexOf(QStringLiteral("GET /cpu"))),
        HandlerVariant::ThreadPool);
    QVERIFY(
        m_window->findChild<QRadioButton *>(QStringLiteral("GET /cpu=threadpool"))->isChecked());
    const RunsTable &runs = m_window->runsTable();
    QCOMPARE(runs.rowCount(), 2);
    // Newest on top.
    QCOMPARE(runs.item(0, RunsTable::VariantColumn)->text(), QStringLiteral("threadpool"));
    QCOMPARE(runs.item(1, RunsTable::VariantColumn)->text(), QStringLiteral("blocking"));
    for (int row = 0; row < 2; ++row) {
        QCOMPARE(runs.item(row, RunsTable::FailuresColumn)->text(), QStringLiteral("0"));
        QVERIFY(runs.item(row, RunsTable::RateColumn)->text().toDouble() > 0);
        // The slowest request is no faster than the 99th percentile.
        QVERIFY(runs.item(row, RunsTable::MaxColumn)->text().toDouble()
            >= runs.item(row, RunsTable::P99Column)->text().toDouble());
        QVERIFY(runs.item(row, RunsTable::MaxColumn)->text().toDouble() > 0);
    }
    QVERIFY(runs.toCsv().startsWith(QStringLiteral("Run,Route,Variant,Requests/s")));
    QVERIFY2(
        m_window->messageText().startsWith(u"Scenario done"), qPrintable(m_window->messageText()));
}

void TestApp::inspectorShowsTheSelectedRequestAndResponse()
{
    const RawExchange answered = exchange(m_host->port(),
        "GET /users/77 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "X-Request-Id: inspect-me\r\n\r\n",
        1);
    QCOMPARE(answered.responses.size(), 1);
    quint64 span = 0;
    QTRY_VERIFY([&] {
        trace::TraceHub::instance().flush();
        trace::SpanIndex index;
        index.add(trace::TraceHub::instance().retained());
        for (const trace::SpanRecord &record : index.records()) {
            if (record.requestId == "inspect-me" && record.closed)
                span = record.span;
        }
        return span != 0;
    }());
    emit m_window->timeline().requestSelected(span);
    QPlainTextEdit *exchangeView = nullptr;
    for (QPlainTextEdit *edit : m_window->findChildren<QPlainTextEdit *>()) {
        if (edit->toPlainText().contains(u"inspect-me"))
            exchangeView = edit;
    }
    QVERIFY(exchangeView);
    const QString shown = exchangeView->toPlainText();
    QVERIFY2(shown.contains(u"GET /users/77 HTTP/1.1"), qPrintable(shown));
    QVERIFY(shown.contains(u"404 Not Found"));
    QVERIFY(shown.contains(u"{\"detail\":\"User not found\"}"));
}

viz::TimelineControls *TestApp::timelineControls() const
{
    return m_window->findChild<viz::TimelineControls *>();
}

// What one drag of the timeline does, once every request made so far is in the timeline, so that
// all that the badge counts afterwards is new.
void TestApp::pauseTimeline()
{
    trace::TraceHub::instance().flush();
    m_window->timeline().model()->poll();
    m_window->timeline().zoom()->panBy(40);
    QVERIFY(!m_window->timeline().zoom()->isFollowing());
    QVERIFY(!timelineControls()->liveButton()->isChecked());
}

void TestApp::timelineControlsOnScreenAtEveryWidth_data()
{
    QTest::addColumn<int>("width");
    for (const int width : { 1024, 1440, 1600, 2560 })
        QTest::addRow("%d px", width) << width;
}

void TestApp::timelineControlsOnScreenAtEveryWidth()
{
    QFETCH(int, width);
    m_window->resize(width, 900);
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_COMPARE(m_window->width(), width);
    viz::TimelineControls *controls = timelineControls();
    QVERIFY(controls);
    const auto checkOnScreen = [&] {
        for (QToolButton *button :
            { controls->liveButton(), controls->jumpButton(), controls->keysButton() }) {
            QVERIFY2(button->isVisible(), qPrintable(button->text()));
            // Whole, not squeezed, and inside the window.
            QVERIFY2(button->width() >= button->sizeHint().width(), qPrintable(button->text()));
            const QRect inWindow(button->mapTo(m_window.get(), QPoint(0, 0)), button->size());
            QVERIFY2(m_window->rect().contains(inWindow), qPrintable(button->text()));
            QCOMPARE(button->visibleRegion().boundingRect(), button->rect());
        }
    };
    checkOnScreen();
    // Paused with requests waiting: the longest text the control shows.
    pauseTimeline();
    fetchConcurrently(m_host->port(), "GET", "/async?delay=0", 12);
    QTRY_COMPARE_WITH_TIMEOUT(controls->waitingRequests(), 12, hangGuardMs(10000));
    QCoreApplication::processEvents(); // the layout takes the wider text
    checkOnScreen();
    if (const QString dir = qEnvironmentVariable("LOOPSCOPE_CONTROLS_SCREENSHOT_DIR");
        !dir.isEmpty())
        m_window->grab().save(QStringLiteral("%1/window-%2.png").arg(dir).arg(width));
}

void TestApp::startingARunFollowsAgain()
{
    pauseTimeline();
    load::LoadPlan plan;
    load::RequestTemplate request;
    request.target = "/async?delay=0";
    plan.requests = { request };
    plan.totalRequests = 5;
    QSignalSpy finished(&m_window->loadController(), &LoadController::runFinished);
    const Result started = m_window->loadController().start(
        QStringLiteral("follow"), QStringLiteral("GET /async"), plan);
    QVERIFY2(started, qPrintable(started.message()));
    QVERIFY(m_window->timeline().zoom()->isFollowing());
    QVERIFY(timelineControls()->liveButton()->isChecked());
    QVERIFY(finished.wait(hangGuardMs(30000)));
}

void TestApp::startingAScenarioFollowsAgainItsLaterStepsDoNot()
{
    const Scenario *scenario = findScenario(QStringLiteral("gather"));
    QVERIFY(scenario);
    QCOMPARE(scenario->steps.size(), 2);
    pauseTimeline();
    QSignalSpy runs(&m_window->loadController(), &LoadController::runStarted);
    QSignalSpy done(m_window.get(), &MainWindow::scenarioFinished);
    QVERIFY(m_window->runScenario(*scenario));
    QVERIFY(m_window->timeline().zoom()->isFollowing());
    // The user looks back during the first step: the second does not pull the view away.
    pauseTimeline();
    QVERIFY(done.wait(hangGuardMs(60000)));
    QCOMPARE(runs.count(), 2);
    QVERIFY(!m_window->timeline().zoom()->isFollowing());
}

// Done means the lesson's last effect happened: the products' 3 s tasks ended and logged, and
// the timeline frames the scenario from its first request to then; the banner lists the claims.
void TestApp::scenarioEndsWithItsLastEffectFramedAndChecked()
{
    const Scenario *scenario = findScenario(QStringLiteral("background-tasks"));
    QVERIFY(scenario);
    QSignalSpy done(m_window.get(), &MainWindow::scenarioFinished);
    QVERIFY(m_window->runScenario(*scenario));
    QVERIFY(done.wait(hangGuardMs(60000)));
    QCOMPARE(m_host->backgroundTasksRunning(), 0);
    const qsizetype created
        = m_window->log().toPlainText().count(QStringLiteral("Product created"));
    QCOMPARE(created, scenario->steps.front().requests);
    const ScenarioOutcome &outcome = m_window->lastScenarioOutcome();
    const RunSummary &run = m_window->loadController().runs().constLast();
    // The tasks log 3 s after their requests: the lesson lasts at least that past the load.
    QVERIFY(outcome.end - (run.startedAt + run.result.elapsedNs) >= 2'900'000'000);
    const viz::TimeMapping &shown = m_window->timeline().zoom()->mapping();
    QVERIFY(shown.start() <= outcome.begin);
    QVERIFY(shown.end() >= outcome.end);
    QVERIFY(shown.duration() < 2 * (outcome.end - outcome.begin));
    QCOMPARE(outcome.claims.size(), scenario->claims.size());
    QVERIFY2(outcome.claims.constFirst().passed, qPrintable(outcome.claims.constFirst().measured));
    const QString banner = m_window->bannerText();
    QVERIFY2(banner.contains(QStringLiteral("&#x2713; ") + scenario->claims.constFirst().text),
        qPrintable(banner));
}

// A step's settings hold for it and the next steps; after the lesson the user's own values are
// back, whichever group they belong to. A setting the server lacks stops the lesson at its start.
void TestApp::scenarioStepsSetTheGilThenGiveTheUsersSettingBack()
{
    auto cpuStep = [](QStringList settings) {
        ScenarioStep step;
        step.label = QStringLiteral("count");
        step.modes = { QStringLiteral("GET /cpu=threadpool") };
        step.route = QStringLiteral("GET /cpu");
        step.target = "/cpu?n=1000";
        step.requests = 2;
        step.concurrency = 2;
        step.settings = std::move(settings);
        return step;
    };
    Scenario scenario;
    scenario.name = QStringLiteral("gil-steps");
    scenario.title = QStringLiteral("GIL steps");
    scenario.steps
        = { cpuStep({ QStringLiteral("gil.enabled=on"), QStringLiteral("upstream.latency_ms=7") }),
              cpuStep({}), cpuStep({ QStringLiteral("gil.enabled=off") }) };
    auto *runner = m_window->findChild<ScenarioRunner *>();
    QVERIFY(runner);
    SettingTable &settings = m_host->settings();
    const QString latency = QStringLiteral("upstream.latency_ms");
    QVERIFY(settings.set(latency, 40));
    for (const bool users : { false, true }) {
        QVERIFY(settings.set(QStringLiteral("gil.enabled"), users));
        QList<bool> gilAtStep;
        QList<double> latencyAtStep;
        const auto seen = connect(runner, &ScenarioRunner::stepStarted, this, [&] {
            gilAtStep << Gil::process().enabled();
            latencyAtStep << settings.value(latency).value_or(-1).toDouble();
        });
        QSignalSpy done(m_window.get(), &MainWindow::scenarioFinished);
        QVERIFY(m_window->runScenario(scenario));
        QVERIFY(done.wait(hangGuardMs(60000)));
        disconnect(seen);
        QCOMPARE(gilAtStep, QList<bool>({ true, true, false }));
        QCOMPARE(latencyAtStep, QList<double>({ 7, 7, 7 }));
        QCOMPARE(Gil::process().enabled(), users);
        QCOMPARE(settings.value(latency).value_or(-1).toDouble(), 40.0);
    }
    QVERIFY(settings.set(latency, 0));
    Scenario unknown = scenario;
    unknown.steps.last().settings = { QStringLiteral("gil.speed=11") };
    QVERIFY(!m_window->runScenario(unknown));
    QVERIFY(!runner->isRunning());
    // The Settings menu switches it live, through the same table.
    auto *toggle = m_window->findChild<QAction *>(QStringLiteral("gilAction"));
    QVERIFY(toggle);
    toggle->setChecked(true);
    toggle->setChecked(false);
    QVERIFY(!Gil::process().enabled());
    QCOMPARE(settings.value(QStringLiteral("gil.enabled")), QJsonValue(false));
    QVERIFY2(m_window->messageText().startsWith(u"GIL off"), qPrintable(m_window->messageText()));
    toggle->setChecked(true);
    QVERIFY(Gil::process().enabled());
}

void TestApp::badgeCountsRequestsWhilePaused()
{
    viz::TimelineControls *controls = timelineControls();
    fetch(m_host->port(), "GET", "/users/1");
    QCOMPARE(controls->waitingRequests(), 0);
    pauseTimeline();
    fetchConcurrently(m_host->port(), "GET", "/async?delay=0", 7);
    QTRY_COMPARE_WITH_TIMEOUT(controls->waitingRequests(), 7, hangGuardMs(10000));
    QVERIFY2(controls->liveButton()->text().contains(u"+7 new requests"),
        qPrintable(controls->liveButton()->text()));
    controls->jumpButton()->click();
    QVERIFY(m_window->timeline().zoom()->isFollowing());
    QCOMPARE(controls->waitingRequests(), 0);
}

void TestApp::helpKeysListsEveryKeyTheTimelineAccepts()
{
    QAction *keysAction = nullptr;
    for (QAction *menu : m_window->menuBar()->actions()) {
        if (menu->text() != u"&Help")
            continue;
        for (QAction *action : menu->menu()->actions()) {
            if (action->text().startsWith(u"&Keys"))
                keysAction = action;
        }
    }
    QVERIFY(keysAction);
    keysAction->trigger();
    auto *dialog = m_window->findChild<viz::TimelineKeysDialog *>();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    if (const QString dir = qEnvironmentVariable("LOOPSCOPE_CONTROLS_SCREENSHOT_DIR");
        !dir.isEmpty())
        dialog->grab().save(dir + QStringLiteral("/keys.png"));
    const QTableWidget *table = dialog->table();
    QStringList firstColumn;
    for (int row = 0; row < table->rowCount(); ++row)
        firstColumn << table->item(row, 0)->text().split(QStringLiteral(" or "));
    // Each key the view's handler accepts is there.
    for (const viz::TimelineKey &entry : viz::timelineKeys()) {
        for (const int key : entry.keys) {
            const QString name = QKeySequence(key).toString(QKeySequence::NativeText);
            QVERIFY2(firstColumn.contains(name), qPrintable(name));
            QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier);
            press.ignore();
            QApplication::sendEvent(&m_window->timeline(), &press);
            QVERIFY2(press.isAccepted(), qPrintable(name));
        }
    }
}

void TestApp::failedExportShowsThePathAndTheReason_data()
{
    QTest::addColumn<QString>("action");
    QTest::newRow("trace") << QStringLiteral("Trace (Chrome JSON, opens in Perfetto)…");
    QTest::newRow("runs") << QStringLiteral("Runs table (CSV)…");
    QTest::newRow("timeline image") << QStringLiteral("Timeline image (PNG)…");
    QTest::newRow("window image") << QStringLiteral("Window image (PNG)…");
}

void TestApp::failedExportShowsThePathAndTheReason()
{
    QFETCH(QString, action);
    QTemporaryDir dir;
    // No such folder: the file cannot be created, whoever runs the test (root included).
    const QString path = dir.filePath(QStringLiteral("no-such-folder/export.out"));
    m_window->setExportPathForTest([&path](const QString &) { return path; });
    QAction *export_ = nullptr;
    for (QAction *candidate : m_window->exportActions()) {
        if (candidate->text() == action)
            export_ = candidate;
    }
    QVERIFY2(export_, qPrintable(action));

    // The warning is modal: read and close it from inside its own event loop.
    QString title;
    QString text;
    QTimer poll;
    connect(&poll, &QTimer::timeout, this, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        title = box->windowTitle();
        text = box->text();
        box->close();
    });
    poll.start(10);
    export_->trigger();
    poll.stop();
    QVERIFY2(title.endsWith(QStringLiteral("not exported")), qPrintable(title));
    QVERIFY2(text.contains(path), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("No such file or directory")), qPrintable(text));
    QTRY_VERIFY2(
        m_window->log().toPlainText().contains(path), qPrintable(m_window->log().toPlainText()));
    QVERIFY(!QFile::exists(path));
}

void TestApp::realAppPlaysAScenarioAndSavesAScreenshot()
{
    const QString xvfb = QStandardPaths::findExecutable(QStringLiteral("xvfb-run"));
    if (xvfb.isEmpty())
        QSKIP("xvfb-run (package xvfb) is not installed: `make deps` installs it");
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("shot.png"));
    QProcess app;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("QT_QPA_PLATFORM")); // a real X server, not offscreen
    app.setProcessEnvironment(environment);
    app.start(xvfb,
        { QStringLiteral("-a"), QStringLiteral("-s"), QStringLiteral("-screen 0 1600x1000x24"),
            QStringLiteral(LOOPSCOPE_BINARY), QStringLiteral("--port"), QStringLiteral("0"),
            QStringLiteral("--database"), QStringLiteral("sqlite::memory:"),
            QStringLiteral("--scenario"), QStringLiteral("background-tasks"),
            QStringLiteral("--screenshot"), png, QStringLiteral("--size"),
            QStringLiteral("1024x700"), QStringLiteral("--theme"), QStringLiteral("dark") });
    QVERIFY(app.waitForFinished(90000));
    QVERIFY2(app.exitCode() == 0, app.readAllStandardError().constData());
    QVERIFY(app.readAllStandardOutput().contains("screenshot saved to"));
    const QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(1024, 700)); // --size: exactly
    // --theme dark: the window's background is dark, most of the frame too.
    QVERIFY(image.pixelColor(image.width() - 3, image.height() / 2).lightness() < 100);
    int dark = 0;
    int sampled = 0;
    for (int y = 0; y < image.height(); y += 11) {
        for (int x = 0; x < image.width(); x += 11, ++sampled)
            dark += image.pixelColor(x, y).lightness() < 100 ? 1 : 0;
    }
    QVERIFY2(dark > sampled * 3 / 4, qPrintable(QStringLiteral("%1 of %2").arg(dark).arg(sampled)));
    // Not a blank frame: many distinct colours.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7) {
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    }
    QVERIFY(colours.size() > 20);
}

void TestApp::statusMessagesAreShownBesideTheServerFigures()
{
    m_window->resize(1024, 700);
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY(!m_window->statusText().isEmpty()); // the server's figures are up
    auto *message = m_window->findChild<QLabel *>(QStringLiteral("statusMessage"));
    QVERIFY(message);
    const QString text = QStringLiteral("Running: time.sleep in async def");
    m_window->showMessage(text);
    QCOMPARE(m_window->messageText(), text);
    QTRY_VERIFY(message->isVisible());
    // Whole, on screen: not squeezed to nothing by the figures beside it.
    QTRY_VERIFY2(message->width() >= message->fontMetrics().horizontalAdvance(text),
        qPrintable(QStringLiteral("%1 px").arg(message->width())));
    QVERIFY(message->visibleRegion().boundingRect().width() >= message->width() - 1);
    const QRect inWindow(message->mapTo(m_window.get(), QPoint(0, 0)), message->size());
    QVERIFY(m_window->rect().contains(inWindow));
}

void TestApp::aTargetThatIsNotAPathIsRefusedVisibly()
{
    QSignalSpy started(&m_window->loadController(), &LoadController::runStarted);
    startFromThePanel(QStringLiteral("not a path"), 10, 1, 0);
    QCOMPARE(started.count(), 0);
    QVERIFY2(m_window->messageText().startsWith(u"Load not started"),
        qPrintable(m_window->messageText()));
    QVERIFY(m_window->messageText().contains(u"starting with /"));
    // The panel says it too, where the user looks after clicking Start.
    QVERIFY(m_window->loadPanel().progressText().startsWith(u"Load not started"));
    QVERIFY(loadButton(QStringLiteral("Start"))->isEnabled());
}

void TestApp::aDurationRunHasAnEtaWithinItsDurationAndProgresses()
{
    // A count that would take hours at this pace; the 2 s duration ends the run first.
    QSignalSpy finished(&m_window->loadController(), &LoadController::runFinished);
    startFromThePanel(QStringLiteral("/async?delay=0.02"), LoadPanel::kMaxRequests, 2, 2.0);
    auto *progress = m_window->loadPanel().findChild<QProgressBar *>();
    static const QRegularExpression eta(QStringLiteral(R"(ETA ([0-9.]+) s)"));
    QTRY_VERIFY_WITH_TIMEOUT(eta.match(m_window->loadPanel().progressText()).hasMatch()
            && m_window->loadController().snapshot().done > 4,
        hangGuardMs(10000));
    const QString shown = m_window->loadPanel().progressText();
    QVERIFY2(eta.match(shown).captured(1).toDouble() <= 2.0, qPrintable(shown));
    // The bar moves with time, though the count is nowhere near its end.
    QTRY_VERIFY_WITH_TIMEOUT(progress->value() >= 10, hangGuardMs(10000));
    QVERIFY(finished.wait(hangGuardMs(30000)));
    QCOMPARE(progress->value(), 100);
    QVERIFY2(m_window->loadPanel().progressText().contains(u"done"),
        qPrintable(m_window->loadPanel().progressText()));
    // Progress by whichever bound ends the run first.
    QCOMPARE(LoadPanel::progressFraction(10, 1000, 1.0, 2.0), 0.5);
    QCOMPARE(LoadPanel::progressFraction(900, 1000, 1.0, 2.0), 0.9);
    QCOMPARE(LoadPanel::progressFraction(5, 0, 3.0, 2.0), 1.0);
}

void TestApp::aStoppedRunSaysStopped()
{
    QSignalSpy finished(&m_window->loadController(), &LoadController::runFinished);
    startFromThePanel(QStringLiteral("/async?delay=0.05"), 100000, 2, 0);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->loadController().snapshot().done >= 4, hangGuardMs(10000));
    QPushButton *stop = loadButton(QStringLiteral("Stop"));
    QVERIFY(stop->isEnabled());
    stop->click();
    QVERIFY(finished.wait(hangGuardMs(30000)));
    const QString shown = m_window->loadPanel().progressText();
    QVERIFY2(shown.contains(u"stopped") && !shown.contains(u"done"), qPrintable(shown));
    QVERIFY(m_window->loadPanel().findChild<QProgressBar *>()->value() < 100);
    QCOMPARE(m_window->runsTable().item(0, RunsTable::EndedColumn)->text(), u"stopped");
}

void TestApp::aRequestCountPastTheMaximumIsCappedVisibly()
{
    auto *requests = m_window->loadPanel().findChildren<QSpinBox *>().at(0);
    requests->setFocus();
    requests->selectAll();
    QTest::keyClicks(requests, QStringLiteral("999999999999"));
    QTest::keyClick(requests, Qt::Key_Return);
    QCOMPARE(requests->value(), LoadPanel::kMaxRequests);
    const QString shown = m_window->loadPanel().progressText();
    QVERIFY2(shown.contains(u"capped") && shown.contains(u"999999999999"), qPrintable(shown));
    QVERIFY(m_window->messageText().contains(u"capped"));
}

void TestApp::aScenarioShowsItsPlanInTheLoadPanel()
{
    const Scenario *scenario = findScenario(QStringLiteral("sleep-in-async"));
    QVERIFY(scenario);
    const ScenarioStep &first = scenario->steps.constFirst();
    QSignalSpy started(&m_window->loadController(), &LoadController::runStarted);
    QSignalSpy done(m_window.get(), &MainWindow::scenarioFinished);
    QVERIFY(m_window->runScenario(*scenario));
    QVERIFY(started.count() >= 1);
    LoadPanel &panel = m_window->loadPanel();
    QCOMPARE(panel.findChild<QComboBox *>()->currentText(), first.route);
    QCOMPARE(panel.findChild<QLineEdit *>()->text(), QString::fromUtf8(first.target));
    QCOMPARE(qint64(panel.findChildren<QSpinBox *>().at(0)->value()), first.requests);
    QCOMPARE(panel.findChildren<QSpinBox *>().at(1)->value(), first.concurrency);
    QVERIFY2(panel.progressText().startsWith(first.label), qPrintable(panel.progressText()));
    QVERIFY(!loadButton(QStringLiteral("Start"))->isEnabled());
    QVERIFY(done.wait(hangGuardMs(60000)));
}

void TestApp::theBannerHintsCloseAndLeavesOnAManualRun()
{
    // First run: where to start.
    QVERIFY2(m_window->bannerText().contains(u"New here"), qPrintable(m_window->bannerText()));
    QVERIFY(m_window->bannerText().contains(scenarios().constFirst().title.toHtmlEscaped()));
    auto *close = m_window->findChild<QToolButton *>(QStringLiteral("closeBanner"));
    QVERIFY(close);
    close->click();
    QVERIFY(m_window->bannerText().isEmpty());
    // A scenario brings it back with its lesson...
    const Scenario *scenario = findScenario(QStringLiteral("gather"));
    QVERIFY(scenario);
    QSignalSpy done(m_window.get(), &MainWindow::scenarioFinished);
    QVERIFY(m_window->runScenario(*scenario));
    QVERIFY(m_window->bannerText().contains(scenario->title.toHtmlEscaped()));
    QVERIFY(done.wait(hangGuardMs(60000)));
    // ...which a later manual run takes away.
    QSignalSpy finished(&m_window->loadController(), &LoadController::runFinished);
    startFromThePanel(QStringLiteral("/async?delay=0"), 3, 1, 0);
    QVERIFY(m_window->bannerText().isEmpty());
    QVERIFY(finished.wait(hangGuardMs(30000)));
}

void TestApp::chartTicksAreRoundAndFollowTheData()
{
    const auto isRound = [](double step) {
        const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
        return std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6
            || std::abs(mantissa - 5) < 1e-6;
    };
    for (const double span : { 6034.8, 3017.4, 5662.9, 0.37, 1.0, 59.0, 12.5 }) {
        for (const int ticks : { 2, 4, 7 }) {
            const double step = LiveCharts::niceStep(span, ticks);
            QVERIFY2(isRound(step), qPrintable(QString::number(step)));
            QVERIFY(span / step <= ticks + 1e-9);
        }
    }
    QCOMPARE(LiveCharts::niceStep(6034.8, 4), 2000.0);

    // The charts' size in a 1024×700 window, fed only these samples (the window's own sampler
    // would add the present's).
    LiveCharts charts(m_window->loadController(), m_window->timeCursor());
    charts.resize(590, 230);
    charts.show();
    QVERIFY(QTest::qWaitForWindowExposed(&charts));
    // Twenty seconds of lag samples, the worst 6034.8 ms, from 200 s into the session.
    const trace::Nanos start = trace::fromSessionSeconds(200);
    for (int i = 0; i <= 20; ++i) {
        ServerSample sample;
        sample.at = start + trace::Nanos(i) * 1'000'000'000;
        sample.loopLagNs = i == 10 ? 6'034'800'000 : 1'000'000 * (i + 1);
        sample.inFlight = i;
        charts.addSample(sample);
    }
    QCoreApplication::processEvents();
    const auto views = charts.findChildren<ChartCursorView *>();
    QCOMPARE(views.size(), 4);
    for (ChartCursorView *view : views) {
        const QString title = view->chart()->title();
        auto *x = qobject_cast<QValueAxis *>(view->chart()->axes(Qt::Horizontal).constFirst());
        auto *y = qobject_cast<QValueAxis *>(view->chart()->axes(Qt::Vertical).constFirst());
        QVERIFY2(isRound(x->tickInterval()), qPrintable(title));
        QVERIFY2(isRound(y->tickInterval()), qPrintable(title));
        // The top is a whole number of steps above zero, over the highest value.
        QCOMPARE(y->min(), 0.0);
        const double steps = y->max() / y->tickInterval();
        QVERIFY2(std::abs(steps - std::round(steps)) < 1e-6, qPrintable(title));
        double highest = 0;
        for (QAbstractSeries *series : view->chart()->series()) {
            for (const QPointF &point : qobject_cast<QLineSeries *>(series)->points())
                highest = std::max(highest, point.y());
        }
        QVERIFY2(y->max() >= highest, qPrintable(title));
        // x spans the data (200 s to 220 s), not a fixed minute from zero.
        QVERIFY2(x->min() >= 199 && x->max() <= 221,
            qPrintable(QStringLiteral("%1: %2..%3").arg(title).arg(x->min()).arg(x->max())));
        // Labels do not collide: each has its own room across the plot.
        const double labels = (x->max() - x->min()) / x->tickInterval();
        const QString widest = QString::asprintf(qPrintable(x->labelFormat()), x->max());
        QVERIFY2(labels * (view->fontMetrics().horizontalAdvance(widest) + 8)
                <= view->chart()->plotArea().width(),
            qPrintable(QStringLiteral("%1: %2 labels of %3").arg(title).arg(labels).arg(widest)));
    }
}

// Its requests all end in its first second, which never became a full one: the chart has their
// latency from the run's final figures all the same.
void TestApp::aRunShorterThanASecondStillReachesTheLatencyChart()
{
    QSignalSpy finished(&m_window->loadController(), &LoadController::runFinished);
    startFromThePanel(QStringLiteral("/async?delay=0.3"), 2, 2, 0);
    QVERIFY(finished.wait(hangGuardMs(30000)));
    const RunSummary &run = m_window->loadController().runs().constLast();
    QCOMPARE(run.completed, 2);
    // A run past its first second has a full second to carry its latency: it cannot tell the
    // final point from the others (a busy machine), so it proves nothing either way.
    if (run.result.elapsedNs >= 1'000'000'000)
        QSKIP("the run outlasted its first second; nothing here depends on the final point");
    ChartCursorView *latency = nullptr;
    for (ChartCursorView *view : m_window->charts().findChildren<ChartCursorView *>()) {
        if (view->chart()->title().startsWith(u"Latency"))
            latency = view;
    }
    QVERIFY(latency);
    double highestP50 = 0;
    for (QAbstractSeries *series : latency->chart()->series()) {
        if (series->name() != u"p50")
            continue;
        for (const QPointF &point : qobject_cast<QLineSeries *>(series)->points())
            highestP50 = std::max(highestP50, point.y());
    }
    QVERIFY2(highestP50 >= 300, QByteArray::number(highestP50).constData());
}

// A run's final point can take the latency from 0 to 20 s at once (sync-vs-async): no state of
// an axis on the way may ask for more ticks than a plot shows, each one a laid-out label.
void TestApp::aJumpInLatencyNeverLaysOutThousandsOfTicks()
{
    LiveCharts charts(m_window->timeCursor());
    charts.resize(590, 230);
    charts.show();
    QVERIFY(QTest::qWaitForWindowExposed(&charts));
    double mostTicks = 0;
    for (ChartCursorView *view : charts.findChildren<ChartCursorView *>()) {
        for (QAbstractAxis *axis : view->chart()->axes()) {
            auto *values = qobject_cast<QValueAxis *>(axis);
            const auto count = [values, &mostTicks] {
                if (values->tickInterval() > 0)
                    mostTicks = std::max(
                        mostTicks, (values->max() - values->min()) / values->tickInterval());
            };
            connect(values, &QValueAxis::rangeChanged, this, count);
            connect(values, &QValueAxis::tickIntervalChanged, this, count);
        }
    }
    const trace::Nanos start = trace::fromSessionSeconds(100);
    const std::array<qint64, 7> latenciesMs { 0, 0, 20'000, 0, 5, 60'000, 1 };
    for (std::size_t i = 0; i < latenciesMs.size(); ++i) {
        const qint64 p50Ms = latenciesMs[i];
        ServerSample sample;
        sample.at = start + trace::Nanos(i) * 1'000'000'000;
        load::LoadSnapshot load;
        load.running = true;
        load.lastSecondP50Ns = load.lastSecondP95Ns = load.lastSecondP99Ns = p50Ms * 1'000'000;
        charts.addSampleWithLoad(sample, load);
    }
    QVERIFY(mostTicks > 0); // the axes were watched
    QVERIFY2(mostTicks <= 100, QByteArray::number(mostTicks).constData());
}

void TestApp::theDarkThemeDarkensChartsAndKeepsRadiosVisible()
{
    applyTheme(QStringLiteral("dark"));
    QCoreApplication::processEvents();
    const auto views = m_window->charts().findChildren<ChartCursorView *>();
    QCOMPARE(views.size(), 4);
    for (ChartCursorView *view : views) {
        QVERIFY2(view->chart()->backgroundBrush().color().lightness() < 80,
            qPrintable(view->chart()->title()));
        const QImage shot = view->grab().toImage();
        QVERIFY(shot.pixelColor(shot.width() / 2, shot.height() / 2).lightness() < 80);
    }
    // An unselected radio still shows its circle: light pixels on the dark cell.
    auto *radio = m_window->findChild<QRadioButton *>(QStringLiteral("GET /async=threadpool"));
    QVERIFY(radio && radio->isEnabled() && !radio->isChecked());
    const QImage circle = radio->grab().toImage();
    int light = 0;
    for (int y = 0; y < circle.height(); ++y) {
        for (int x = 0; x < circle.width(); ++x)
            light += circle.pixelColor(x, y).lightness() > 110 ? 1 : 0;
    }
    QVERIFY2(light >= 10, qPrintable(QStringLiteral("%1 light pixels").arg(light)));
}

void TestApp::greyedOutVariantsSayWhyTheyAreOff()
{
    auto *off = m_window->findChild<QRadioButton *>(QStringLiteral("GET /products/=blocking"));
    QVERIFY(off && !off->isEnabled());
    QVERIFY2(off->toolTip().contains(u"does not offer"), qPrintable(off->toolTip()));
    QVERIFY(!off->toolTip().startsWith(u"Run "));
    auto *on = m_window->findChild<QRadioButton *>(QStringLiteral("GET /async=blocking"));
    QVERIFY(on && on->isEnabled());
    QVERIFY(on->toolTip().startsWith(u"Run GET /async as blocking"));
}

void TestApp::helpAboutNamesTheVersionLicenceAndReadme()
{
    QAction *about = nullptr;
    for (QAction *menu : m_window->menuBar()->actions()) {
        if (menu->text() != u"&Help")
            continue;
        for (QAction *action : menu->menu()->actions()) {
            if (action->text().startsWith(u"&About"))
                about = action;
        }
    }
    QVERIFY(about);
    about->trigger();
    auto *box = m_window->findChild<QMessageBox *>(QStringLiteral("aboutBox"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    static const QRegularExpression version(QStringLiteral(R"(Loopscope \d+\.\d+)"));
    QVERIFY2(version.match(box->text()).hasMatch(), qPrintable(box->text()));
    QVERIFY(box->text().contains(u"GPL-3.0-or-later"));
    for (const char *section : { "The window", "Recordings", "Headless server" })
        QVERIFY2(box->text().contains(QLatin1String(section)), section);
    box->close();
}

QTEST_MAIN(TestApp)
#include "tst_app.moc"
