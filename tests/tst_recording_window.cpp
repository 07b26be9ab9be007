// File > Save recording… and opening it again: the recording window draws the session the live
// window drew (the same requests on the same lanes, the same stalls and blame, the same log), and
// a bad file is refused with its name and the reason.

#include "support/httptestclient.h"
#include "support/serverfixture.h"

#include "appsettings.h"
#include "clientmeasurements.h"
#include "coursecodeview.h"
#include "livecharts.h"
#include "loadcontroller.h"
#include "logview.h"
#include "mainwindow.h"
#include "recordingreader.h"
#include "recordingwindow.h"
#include "replay.h"
#include "requestinspector.h"
#include "runstable.h"
#include "serverhost.h"
#include "sessionrecords.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "zoomstate.h"

#include <QChartView>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace loopscope;
using namespace loopscope::testing;

class TestRecordingWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void savedSessionOpensAsItWasLive();
    void savedRunsAndChartsOpenAsTheyWere();
    void liveSessionReplaysItsRetainedWindow();
    void badFileIsRefusedWithItsReason();
};

namespace {

viz::TimelineModel &liveModel(MainWindow &window)
{
    return *window.timeline().model();
}

QStringList rowsOf(const QTableWidget &table)
{
    QStringList rows;
    for (int row = 0; row < table.rowCount(); ++row) {
        QStringList cells;
        for (int column = 0; column < table.columnCount(); ++column) {
            const QTableWidgetItem *cell = table.item(row, column);
            cells << (cell ? QString(cell->text() + u'|' + cell->data(Qt::UserRole).toString())
                           : QString());
        }
        rows << cells.join(u'\t');
    }
    return rows;
}

// Every plotted point of every chart, by chart title and series name.
QMap<QString, QList<QPointF>> pointsOf(const QWidget &charts)
{
    QMap<QString, QList<QPointF>> points;
    for (const QChartView *view : charts.findChildren<QChartView *>()) {
        for (const QAbstractSeries *series : view->chart()->series()) {
            if (const auto *line = qobject_cast<const QLineSeries *>(series))
                points[view->chart()->title() + u'/' + line->name()] = line->points();
        }
    }
    return points;
}

} // namespace

void TestRecordingWindow::savedSessionOpensAsItWasLive()
{
    const auto host = startServer();
    MainWindow window(*host);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QCOMPARE(fetchConcurrently(host->port(), "GET", "/async?delay=0.2", 4, 30000, "w-a").size(), 4);
    QCOMPARE(host->modes().set(QStringLiteral("GET /async"), QStringLiteral("blocking")),
        ModeTable::SetResult::Ok);
    QCOMPARE(fetchConcurrently(host->port(), "GET", "/async?delay=0.2", 3, 30000, "w-b").size(), 3);
    QCOMPARE(fetch(host->port(), "GET", "/start-task").status, 200);
    viz::TimelineModel &live = liveModel(window);
    // Everything answered is on the live timeline, its stalls attributed, the task's line logged.
    QTRY_VERIFY_WITH_TIMEOUT(live.requestOrder().size() >= 8
            && std::any_of(live.stalls().begin(), live.stalls().end(),
                [](const viz::LoopStall &s) { return s.blamesCall() && s.victims > 0; })
            && window.log().toPlainText().contains(u"task")
            && std::none_of(live.requestOrder().begin(), live.requestOrder().end(),
                [&](auto id) { return live.find(id) && live.find(id)->isOpen(); }),
        20000);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("saved.loopscope"));
    const QStringList liveLines = window.log().toPlainText().split(u'\n'); // before the save
    const Result saved = window.saveRecording(path);
    QVERIFY2(saved, qPrintable(saved.message()));
    OpenedRecording opened = openRecording(path);
    QVERIFY2(opened, qPrintable(opened.message()));
    RecordingWindow &recorded = *opened.window;
    recorded.show();
    QVERIFY(QTest::qWaitForWindowExposed(&recorded));

    viz::TimelineModel &model = recorded.model();
    // The live model may have taken events after the save; compare what the file holds.
    QVERIFY(model.requestOrder().size() >= 8);
    for (const auto id : model.requestOrder()) {
        const viz::TimelineSpan *b = model.find(id);
        const viz::TimelineSpan *a = live.find(id);
        QVERIFY(a && b);
        QCOMPARE(b->requestId, a->requestId);
        QCOMPARE(b->begin, a->begin);
        QCOMPARE(b->accepted, a->accepted);
        QCOMPARE(b->end, a->end);
        QCOMPARE(b->lane, a->lane);
        QCOMPARE(b->variant, a->variant);
        QCOMPARE(b->segments.size(), a->segments.size());
        QCOMPARE(b->collateral.delay, a->collateral.delay);
        QCOMPARE(model.collateralText(*b), live.collateralText(*a));
    }
    int blamed = 0;
    for (const viz::LoopStall &s : model.stalls()) {
        const auto same = std::find_if(live.stalls().begin(), live.stalls().end(),
            [&](const viz::LoopStall &l) { return l.begin == s.begin && l.end == s.end; });
        QVERIFY(same != live.stalls().end());
        QCOMPARE(s.culprit, same->culprit);
        QCOMPARE(s.victims, same->victims);
        QCOMPARE(model.stallVictimsText(s), live.stallVictimsText(*same));
        blamed += s.blamesCall() ? 1 : 0;
    }
    QVERIFY(blamed >= 1);
    // The whole recording is in view, and its log reads as the live one did.
    const viz::TimeMapping &shown = recorded.timeline().zoom()->mapping();
    QVERIFY(shown.start() <= model.earliest() && shown.end() >= model.now());
    QVERIFY(!recorded.timeline().zoom()->isFollowing());
    const QString recordedLog = recorded.log().toPlainText();
    for (const QString &line : liveLines)
        QVERIFY2(recordedLog.contains(line),
            qPrintable(line + QStringLiteral(" not in:\n") + recordedLog));
}

void TestRecordingWindow::savedRunsAndChartsOpenAsTheyWere()
{
    const auto host = startServer();
    MainWindow window(*host);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy finished(&window.loadController(), &LoadController::runFinished);

    // A run whose route flips from async to blocking half way: the row tells both variants.
    load::LoadPlan plan;
    load::RequestTemplate request;
    request.target = "/async?delay=0.05";
    plan.requests = { request };
    plan.totalRequests = 40;
    plan.concurrency = 2;
    const Result flip
        = window.loadController().start(QStringLiteral("flip"), QStringLiteral("GET /async"), plan);
    QVERIFY2(flip, qPrintable(flip.message()));
    QTRY_VERIFY_WITH_TIMEOUT(window.loadController().snapshot().done >= 10, 30000);
    QCOMPARE(host->modes().set(QStringLiteral("GET /async"), QStringLiteral("blocking")),
        ModeTable::SetResult::Ok);
    QVERIFY(finished.wait(60000));
    // A second, open-loop run stopped by its duration.
    plan.totalRequests = 0;
    plan.rate = 50;
    plan.duration = std::chrono::milliseconds(400);
    const Result rate
        = window.loadController().start(QStringLiteral("rate"), QStringLiteral("GET /async"), plan);
    QVERIFY2(rate, qPrintable(rate.message()));
    QVERIFY(finished.wait(60000));
    // The charts took samples during the runs.
    QTRY_VERIFY_WITH_TIMEOUT(
        pointsOf(window.charts()).value(QStringLiteral("Requests/s/served")).size() >= 3, 20000);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("runs.loopscope"));
    const QStringList liveRows = rowsOf(window.runsTable());
    const auto livePoints = pointsOf(window.charts()); // the samples taken before the save
    const Result saved = window.saveRecording(path);
    QVERIFY2(saved, qPrintable(saved.message()));
    OpenedRecording opened = openRecording(path);
    QVERIFY2(opened, qPrintable(opened.message()));

    // The theme it was drawn with goes with it, for `loopscope FILE` to draw it the same.
    const recording::ReadResult read = recording::readRecording(path);
    QVERIFY2(read, qPrintable(read.message()));
    QCOMPARE(sessionrecords::theme(read.recording.meta), AppSettings::load().theme);
    QVERIFY(read.recording.meta.contains(QStringLiteral("theme")));

    QCOMPARE(liveRows.size(), 2);
    // Newest on top: the flipped run is the older one, below the open-loop run.
    QVERIFY2(liveRows[1].contains(u"async→blocking"), qPrintable(liveRows[1]));
    QVERIFY2(liveRows[0].contains(u"--rate 50"), qPrintable(liveRows[0]));
    QCOMPARE(rowsOf(opened.window->runsTable()), liveRows);
    const auto recordedPoints = pointsOf(opened.window->charts());
    QCOMPARE(recordedPoints.keys(), livePoints.keys());
    for (auto it = livePoints.begin(); it != livePoints.end(); ++it) {
        // A sample may have been plotted between the save and the comparison: the saved ones
        // are the live ones up to the save.
        const QList<QPointF> &recordedSeries = recordedPoints.value(it.key());
        QVERIFY2(recordedSeries.size() >= it.value().size(), qPrintable(it.key()));
        QCOMPARE(recordedSeries.mid(0, it.value().size()), it.value());
    }

    // Each run's requests as its client measured them came with it.
    const QList<RunSummary> &liveRuns = window.loadController().runs();
    const QList<RunSummary> &recordedRuns = opened.window->runs();
    QCOMPARE(recordedRuns.size(), liveRuns.size());
    for (qsizetype i = 0; i < liveRuns.size(); ++i) {
        QVERIFY(!liveRuns[i].result.records.isEmpty());
        QCOMPARE(recordedRuns[i].result.runId, liveRuns[i].result.runId);
        QCOMPARE(recordedRuns[i].result.records, liveRuns[i].result.records);
    }
    // The two clocks agree with what happened: each recorded load request's client began it
    // before the server saw it sent, and had its whole answer only after the server read it.
    viz::TimelineModel &model = opened.window->model();
    int measured = 0;
    std::uint64_t anyLoadRequest = 0; // the first: its client opened a connection for it
    for (const auto id : model.requestOrder()) {
        const viz::TimelineSpan *s = model.find(id);
        if (!s->requestId.startsWith("load-"))
            continue;
        const auto client = clientMeasurement(recordedRuns, s->requestId.view());
        QVERIFY2(client, s->requestId.toByteArray().constData());
        QVERIFY(s->issuedBy != viz::IssuedBy::Unknown);
        QVERIFY2(client->started <= s->begin, s->requestId.toByteArray().constData());
        QVERIFY2(
            s->parsed > 0 && s->parsed <= client->ended, s->requestId.toByteArray().constData());
        anyLoadRequest = anyLoadRequest ? anyLoadRequest : id;
        ++measured;
    }
    QVERIFY(measured >= 40);
    // Selected by its id (as `--select` does), the inspector shows it among the server's rows:
    // its latency as its client measured it.
    const viz::TimelineSpan *inspected = model.find(anyLoadRequest);
    QVERIFY(!opened.window->selectRequest("load-no-such-request"));
    QVERIFY(opened.window->selectRequest(inspected->requestId.view()));
    viz::RequestInspector &inspector = opened.window->inspector();
    QCOMPARE(inspector.span(), anyLoadRequest);
    const auto client = clientMeasurement(recordedRuns, inspected->requestId.view());
    const QList<QTreeWidgetItem *> received = inspector.findItems(
        QStringLiteral("client: received"), Qt::MatchExactly, viz::RequestInspector::EventColumn);
    QCOMPARE(received.size(), 1);
    QCOMPARE(received[0]->text(viz::RequestInspector::DurationColumn),
        viz::TimeMapping::formatDuration(client->ended - client->scheduled));
    QCOMPARE(received[0]->text(viz::RequestInspector::TimeColumn),
        QStringLiteral("+") + viz::TimeMapping::formatDuration(client->ended - inspected->begin));
    // Its client connected before it sent: a row before the time all others count from.
    QVERIFY(client->connected > 0 && client->started < inspected->begin);
    const QTreeWidgetItem *firstRow = inspector.topLevelItem(0);
    QCOMPARE(
        firstRow->text(viz::RequestInspector::EventColumn), QStringLiteral("client: connecting"));
    QCOMPARE(firstRow->text(viz::RequestInspector::TimeColumn),
        QStringLiteral("−") + viz::TimeMapping::formatDuration(inspected->begin - client->started));
    const viz::Nanos inspectedParsed = inspected->parsed; // the replay below rebuilds the model
    // Replayed, the run under way at the play head is the one highlighted, and none outside.
    RunsTable &runs = opened.window->runsTable();
    viz::Replay &replay = opened.window->replay();
    QCOMPARE(runs.playHeadRow(), -1); // nothing has moved the play head yet
    const auto startOf = [&runs](int row) {
        return runs.item(row, RunsTable::StartedColumn)->data(Qt::UserRole).toLongLong();
    };
    const auto tookOf = [&runs](int row) {
        return qint64(runs.item(row, RunsTable::TookColumn)->text().toDouble() * 1e9);
    };
    for (const int row : { 1, 0 }) {
        replay.seek(startOf(row) + tookOf(row) / 2);
        QCOMPARE(runs.playHeadRow(), row);
    }
    replay.seek(startOf(1) - 1);
    QCOMPARE(runs.playHeadRow(), -1);

    // Replayed, the inspector tells only what had happened by the play head, the client's rows
    // too: once the server has read the request, its client has not had the answer yet.
    {
        const auto receivedRows = [&inspector] {
            return inspector
                .findItems(QStringLiteral("client: received"), Qt::MatchExactly,
                    viz::RequestInspector::EventColumn)
                .size();
        };
        QVERIFY(inspectedParsed < client->ended);
        opened.window->replay().seek(inspectedParsed);
        QCOMPARE(inspector.span(), anyLoadRequest);
        QCOMPARE(receivedRows(), 0);
        QVERIFY(inspector
                    .findItems(QStringLiteral("client: connecting"), Qt::MatchExactly,
                        viz::RequestInspector::EventColumn)
                    .size()
            == 1);
        opened.window->replay().seek(client->ended);
        QCOMPARE(receivedRows(), 1);
    }
}

void TestRecordingWindow::liveSessionReplaysItsRetainedWindow()
{
    const auto host = startServer();
    MainWindow window(*host);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(host->modes().set(QStringLiteral("GET /async"), QStringLiteral("blocking")),
        ModeTable::SetResult::Ok);
    QCOMPARE(
        fetchConcurrently(host->port(), "GET", "/async?delay=0.2", 3, 30000, "r-", true).size(), 3);
    viz::TimelineModel &live = liveModel(window);
    QTRY_VERIFY_WITH_TIMEOUT(
        std::any_of(live.stalls().begin(), live.stalls().end(),
            [](const viz::LoopStall &s) { return s.blamesCall() && !s.isOpen(); })
            && std::count_if(live.requestOrder().begin(), live.requestOrder().end(),
                   [&](auto id) {
                       const viz::TimelineSpan *s = live.find(id);
                       return s && !s->isOpen() && s->requestId.startsWith("r-");
                   })
                == 3,
        20000);

    std::unique_ptr<RecordingWindow> replayed(window.replayLiveSession());
    replayed->show();
    QVERIFY(QTest::qWaitForWindowExposed(replayed.get()));
    viz::TimelineModel &model = replayed->model();
    // This test's requests as the live timeline drew them (the retained window also holds the
    // earlier tests'), with the live window still following.
    int compared = 0;
    for (const auto id : model.requestOrder()) {
        const viz::TimelineSpan *b = model.find(id);
        QVERIFY(b);
        if (!b->requestId.startsWith("r-"))
            continue;
        const viz::TimelineSpan *a = live.find(id);
        QVERIFY(a);
        QCOMPARE(b->begin, a->begin);
        QCOMPARE(b->started, a->started);
        QCOMPARE(b->end, a->end);
        ++compared;
    }
    QCOMPARE(compared, 3);
    QVERIFY(window.timeline().zoom()->isFollowing());

    // The play head in the middle of the blocking call's stall: the loop is the culprit's, the
    // others wait unread or queued, as the live trace says.
    const auto stall = std::find_if(live.stalls().begin(), live.stalls().end(),
        [](const viz::LoopStall &s) { return s.blamesCall() && !s.isOpen(); });
    const viz::Nanos middle = stall->begin + (stall->end - stall->begin) / 2;
    replayed->replay().seek(middle);
    QCOMPARE(replayed->replay().position(), middle);
    const viz::ReplayState state = replayed->replay().state();
    const viz::ReplayState expected = viz::replayStateAt(live, middle);
    QCOMPARE(state.onLoop, stall->culprit);
    QVERIFY(state.loopBlocked);
    QCOMPARE(state.onLoop, expected.onLoop);
    QVERIFY(state.unread == expected.unread);
    QVERIFY(state.queued == expected.queued);
    QVERIFY(state.awaiting == expected.awaiting);
    QVERIFY(state.inFlight() >= 2);
    // The replayed model holds the trace up to the play head only.
    QCOMPARE(model.now(), middle);

    // The Code tab marks the line where the selected request is at the play head: the
    // culprit's time.sleep; nothing once the play head has passed its end.
    emit replayed->timeline().requestSelected(stall->culprit);
    const CourseCodeView &code = replayed->code();
    QVERIFY2(code.title().contains(u"GET /async"), qPrintable(code.title()));
    QVERIFY(code.waitingLine() >= 0);
    const QString line = code.python().split(u'\n').value(code.waitingLine());
    QVERIFY2(line.contains(u"time.sleep("), qPrintable(line));
    QVERIFY2(code.title().contains(u"blocks the loop"), qPrintable(code.title()));
    replayed->replay().seek(live.find(stall->culprit)->end + 1);
    QCOMPARE(code.waitingLine(), -1);
}

void TestRecordingWindow::badFileIsRefusedWithItsReason()
{
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("missing.loopscope"));
    OpenedRecording opened = openRecording(missing);
    QVERIFY(!opened);
    QVERIFY(!opened.window);
    QVERIFY2(opened.message().startsWith(missing + u':'), qPrintable(opened.message()));
    QCOMPARE(opened.kind(), ErrorKind::Io);

    const QString text = dir.filePath(QStringLiteral("notes.loopscope"));
    QFile file(text);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a recording at all");
    file.close();
    opened = openRecording(text);
    QVERIFY(!opened);
    QVERIFY2(opened.message().startsWith(
                 text + QStringLiteral(": neither a Loopscope recording nor JSON")),
        qPrintable(opened.message()));
}

QTEST_MAIN(TestRecordingWindow)
#include "tst_recording_window.moc"
