// The window's panels against a live embedded server (offscreen), and the real app under Xvfb.
#include "support/hangguard.h"
#include "support/httptestclient.h"

#include "loadcontroller.h"
#include "loadpanel.h"
#include "logview.h"
#include "mainwindow.h"
#include "routespanel.h"
#include "runstable.h"
#include "scenariorunner.h"
#include "scenarios.h"
#include "serverhost.h"

#include "timelinecontrols.h"
#include "timelinekeys.h"
#include "timelinekeysdialog.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "trace/spanindex.h"
#include "trace/tracehub.h"

#include <QImage>
#include <QLabel>
#include <QLineEdit>
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
    void badgeCountsRequestsWhilePaused();
    void helpKeysListsEveryKeyTheTimelineAccepts();
    void failedExportShowsThePathAndTheReason_data();
    void failedExportShowsThePathAndTheReason();
    void realAppPlaysAScenarioAndSavesAScreenshot();

private:
    viz::TimelineControls *timelineControls() const;
    void pauseTimeline();

    std::unique_ptr<ServerHost> m_host;
    std::unique_ptr<MainWindow> m_window;
};

void TestApp::init()
{
    ServerConfig config;
    config.port = 0;
    config.databaseUrl = QStringLiteral("sqlite::memory:");
    m_host = std::make_unique<ServerHost>(config);
    QVERIFY(m_host->start());
    m_window = std::make_unique<MainWindow>(*m_host);
    m_window->show();
}

void TestApp::cleanup()
{
    m_window.reset();
    m_host.reset();
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
    spins.at(0)->setValue(60); // -n
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
    start->click();
    QVERIFY(!start->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(progress->value() > 0 && progress->value() < 100, hangGuardMs(5000));
    QVERIFY(finished.wait(hangGuardMs(10000)));
    QCOMPARE(progress->value(), 100);
    QVERIFY(start->isEnabled());
    QCOMPARE(m_window->runsTable().rowCount(), 1);
    QCOMPARE(m_window->runsTable().item(0, 1)->text(), QStringLiteral("GET /sync")); // first route
    QCOMPARE(m_window->loadController().runs().constFirst().completed, 60);
    QCOMPARE(m_window->loadController().runs().constFirst().failures, 0);
}

void TestApp::scenarioSetsItsStateAndFillsTheTable()
{
    const Scenario *scenario = findScenario(QStringLiteral("cpu-bound"));
    QVERIFY(scenario);
    QSignalSpy done(m_window.get(), &MainWindow::scenarioFinished);
    QVERIFY(m_window->runScenario(*scenario).isEmpty());
    QVERIFY(done.wait(hangGuardMs(60000)));
    // Its last step left the route on the pool, and the routes panel shows it.
    QCOMPARE(m_host->modes().variant(m_host->modes().indexOf(QStringLiteral("GET /cpu"))),
        HandlerVariant::ThreadPool);
    QVERIFY(
        m_window->findChild<QRadioButton *>(QStringLiteral("GET /cpu=threadpool"))->isChecked());
    const RunsTable &runs = m_window->runsTable();
    QCOMPARE(runs.rowCount(), 2);
    QCOMPARE(runs.item(0, 2)->text(), QStringLiteral("blocking"));
    QCOMPARE(runs.item(1, 2)->text(), QStringLiteral("threadpool"));
    for (int row = 0; row < 2; ++row) {
        QCOMPARE(runs.item(row, 6)->text(), QStringLiteral("0")); // failures
        QVERIFY(runs.item(row, 3)->text().toDouble() > 0); // requests/s
    }
    QVERIFY(runs.toCsv().startsWith(QStringLiteral("Run,Route,Variant,Requests/s")));
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
    QString error;
    QVERIFY2(m_window->loadController().start(
                 QStringLiteral("follow"), QStringLiteral("GET /async"), plan, &error),
        qPrintable(error));
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
    QVERIFY(m_window->runScenario(*scenario).isEmpty());
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
    QVERIFY(m_window->runScenario(*scenario).isEmpty());
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
    const QLabel *banner = m_window->findChild<QLabel *>(QStringLiteral("scenarioBanner"));
    QVERIFY(banner);
    QVERIFY2(
        banner->text().contains(QStringLiteral("&#x2713; ") + scenario->claims.constFirst().text),
        qPrintable(banner->text()));
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
            QStringLiteral("--screenshot"), png });
    QVERIFY(app.waitForFinished(90000));
    QVERIFY2(app.exitCode() == 0, app.readAllStandardError().constData());
    QVERIFY(app.readAllStandardOutput().contains("screenshot saved to"));
    const QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 800 && image.height() >= 500);
    // Not a blank frame: many distinct colours.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7) {
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    }
    QVERIFY(colours.size() > 20);
}

QTEST_MAIN(TestApp)
#include "tst_app.moc"
