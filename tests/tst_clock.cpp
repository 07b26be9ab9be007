// One clock for the whole window: the timeline's axis, the live charts, the Log tab and the
// exported trace put one instant at the same number of seconds since the session's origin; the
// shared time cursor follows the mouse from one view to the others; the status bar and the
// loop-lag chart show one figure, during a stall and after it. With LOOPSCOPE_CLOCK_SCREENSHOT
// naming a PNG file, saves the window after a flip from async to blocking under load, the cursor
// on the flip and the Log tab open.
#include "support/hangguard.h"
#include "support/httptestclient.h"
#include "support/serverfixture.h"
#include "support/timelineevents.h"

#include "chartcursorview.h"
#include "livecharts.h"
#include "loadcontroller.h"
#include "logview.h"
#include "mainwindow.h"
#include "runstable.h"
#include "serverhost.h"
#include "serversampler.h"

#include "timecursor.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "trace/chrometrace.h"
#include "trace/sessionclock.h"

#include <QApplication>
#include <QChart>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineSeries>
#include <QMouseEvent>
#include <QRadioButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTcpSocket>
#include <QTest>
#include <QTextBlock>

using namespace loopscope;
using namespace loopscope::testing;
using trace::Nanos;

namespace {

constexpr double kKnownSeconds = 48.2;
const Nanos kKnown = trace::sessionOrigin() + Nanos(kKnownSeconds * 1e9);

// A request at the known instant, and one a minute later so the timeline can be scrolled away.
std::vector<trace::Event> knownRequests()
{
    std::vector<trace::Event> events;
    for (const Nanos at : { kKnown, kKnown + 60'000'000'000 }) {
        testsupport::TimelineRequestShape shape;
        shape.span = at == kKnown ? 0xC10C : 0xC10D;
        shape.accepted = at;
        shape.started = at + 1'000'000;
        shape.closed = at + 3'000'000;
        shape.route = trace::label("GET /clock");
        appendTimelineRequest(events, shape);
    }
    return events;
}

QList<ChartCursorView *> chartViews(const QWidget &charts)
{
    return charts.findChildren<ChartCursorView *>();
}

QLineSeries *firstSeries(const ChartCursorView &view)
{
    return qobject_cast<QLineSeries *>(view.chart()->series().constFirst());
}

ChartCursorView *lagChart(const QWidget &charts)
{
    for (ChartCursorView *view : chartViews(charts)) {
        if (view->chart()->title() == u"Loop lag")
            return view;
    }
    return nullptr;
}

// Pixels of exactly `colour` in column x between two rows.
int pixelsInColumn(const QImage &image, int x, int top, int bottom, QColor colour)
{
    int count = 0;
    for (int y = top; y < bottom; ++y)
        count += image.pixelColor(x, y) == colour;
    return count;
}

} // namespace

class TestClock : public QObject
{
    Q_OBJECT
private slots:
    void timelineChartsLogAndExportAgreeOnAnInstant();
    void theCursorFollowsTheMouseAcrossViews();
    void statusBarAndLagChartShowOneFigureThroughAStall();
    void aFlipUnderLoadIsOneInstantEverywhere();

private:
    // What the views need besides a server: the load generator the charts read latency from.
    ServerHost m_idleHost { ServerConfig {} };
    LoadController m_load { m_idleHost };
};

void TestClock::timelineChartsLogAndExportAgreeOnAnInstant()
{
    const std::vector<trace::Event> events = knownRequests();

    // The timeline: the request's place on the axis.
    viz::TimelineModel model;
    model.ingest(events);
    const viz::TimelineSpan *span = model.find(0xC10C);
    QVERIFY(span);
    const double timeline = double(span->begin - viz::TimelineModel::origin()) / 1e9;

    // The charts: a server sample taken at that instant.
    viz::TimeCursor cursor;
    LiveCharts charts(m_load, cursor);
    ServerSample sample;
    sample.at = kKnown;
    sample.inFlight = 1;
    sample.loopLagNs = 2'000'000;
    charts.addSample(sample);
    QCOMPARE(chartViews(charts).size(), 4);
    QList<double> chartXs;
    for (ChartCursorView *view : chartViews(charts)) {
        for (QAbstractSeries *series : view->chart()->series())
            chartXs << qobject_cast<QLineSeries *>(series)->points().constLast().x();
    }

    // The export: the request's begin in the Chrome trace, and where its ts 0 is.
    const QJsonObject trace = QJsonDocument::fromJson(trace::chromeTraceJson(events)).object();
    double exported = -1;
    for (const QJsonValue &value : trace.value(QStringLiteral("traceEvents")).toArray()) {
        const QJsonObject e = value.toObject();
        if (e.value(QStringLiteral("ph")).toString() == u"b"
            && e.value(QStringLiteral("name")).toString() == u"GET /clock"
            && e.value(QStringLiteral("id")).toString() == u"0xc10c")
            exported = e.value(QStringLiteral("ts")).toDouble() / 1e6;
    }
    const QJsonObject otherData = trace.value(QStringLiteral("otherData")).toObject();
    QCOMPARE(qint64(otherData.value(QStringLiteral("time_origin_steady_ns")).toDouble()),
        trace::sessionOrigin());
    QVERIFY(otherData.value(QStringLiteral("time_origin")).toString().startsWith(u"session start"));

    // The log: a line written at that instant.
    LogView log(cursor);
    log.append(QStringLiteral("INFO"), QStringLiteral("the known event"), kKnown);
    const QString line = log.document()->firstBlock().text();
    const double logged = line.trimmed().section(u' ', 0, 0).toDouble();
    QVERIFY2(line.trimmed().startsWith(u"48.200 s"), qPrintable(line));

    // One instant, one number of seconds everywhere (the log shows milliseconds).
    const auto same
        = [](double a, double b, double tolerance) { return std::abs(a - b) <= tolerance; };
    QVERIFY2(same(timeline, kKnownSeconds, 1e-9), qPrintable(QString::number(timeline, 'f', 9)));
    for (const double x : chartXs)
        QVERIFY2(same(x, kKnownSeconds, 1e-9), qPrintable(QString::number(x, 'f', 9)));
    QVERIFY2(same(exported, kKnownSeconds, 1e-9), qPrintable(QString::number(exported, 'f', 9)));
    QVERIFY2(same(logged, kKnownSeconds, 5e-4), qPrintable(QString::number(logged, 'f', 9)));
}

void TestClock::theCursorFollowsTheMouseAcrossViews()
{
    viz::TimelineModel model;
    model.ingest(knownRequests());
    viz::TimeCursor cursor;
    viz::TimelineView timeline(&model);
    timeline.setTimeCursor(&cursor);
    timeline.resize(1000, 400);
    LiveCharts charts(m_load, cursor);
    charts.resize(1000, 500);
    LogView log(cursor);
    log.resize(600, 200);
    ServerSample sample;
    sample.at = kKnown;
    sample.inFlight = 1;
    charts.addSample(sample);
    timeline.show();
    charts.show();
    log.show();
    QVERIFY(QTest::qWaitForWindowExposed(&timeline));
    QVERIFY(QTest::qWaitForWindowExposed(&charts));
    QVERIFY(QTest::qWaitForWindowExposed(&log));

    // Hovering the timeline puts the cursor at the time under the mouse...
    timeline.zoom()->setRange(kKnown - 5'000'000'000, kKnown + 5'000'000'000);
    const QPoint onTimeline(400, 200);
    QTest::mouseMove(&timeline, onTimeline);
    QTRY_VERIFY(cursor.instant().has_value());
    const Nanos hovered = *cursor.instant();
    QCOMPARE(hovered, timeline.zoom()->mapping().toTime(onTimeline.x()));
    // ...which the timeline draws there, a dashed line from the top to its last lane.
    const QColor lineColour = timeline.timelinePalette().text;
    const QImage withCursor = timeline.grab().toImage();
    cursor.clear();
    const QImage withoutCursor = timeline.grab().toImage();
    const viz::TimelineView::Row &lastRow = timeline.rows().back();
    const int bottom = lastRow.y + lastRow.height;
    QVERIFY(pixelsInColumn(withCursor, onTimeline.x(), 0, bottom, lineColour)
        >= pixelsInColumn(withoutCursor, onTimeline.x(), 0, bottom, lineColour) + bottom / 3);

    // Each chart draws the instant where it plots a sample taken then.
    cursor.setInstant(kKnown);
    for (ChartCursorView *view : chartViews(charts)) {
        const QPointF point = view->chart()->mapToPosition(
            QPointF(kKnownSeconds, 0), view->chart()->series().constFirst());
        const double plotted = view->mapFromScene(view->chart()->mapToScene(point)).x();
        QVERIFY2(std::abs(view->timeAxis().toX(kKnown) - plotted) < 1.0,
            qPrintable(QStringLiteral("%1 vs %2").arg(view->timeAxis().toX(kKnown)).arg(plotted)));
    }
    // Hovering a chart moves the cursor for the timeline too (the event goes to the viewport,
    // where a chart view's mouse events land).
    ChartCursorView *chart = chartViews(charts).constFirst();
    const viz::TimeMapping axis = chart->timeAxis();
    const QPoint onChart(int(axis.left() + axis.width() * 0.8), chart->height() / 2);
    QMouseEvent hover(QEvent::MouseMove, onChart, chart->viewport()->mapToGlobal(onChart),
        Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(chart->viewport(), &hover);
    QCOMPARE(*cursor.instant(), axis.toTime(onChart.x()));

    // Clicking a log line jumps there: the timeline, scrolled away, brings it on screen.
    timeline.zoom()->setRange(kKnown + 40'000'000'000, kKnown + 50'000'000'000);
    log.append(QStringLiteral("INFO"), QStringLiteral("Product created"), kKnown);
    const QTextBlock block = log.document()->lastBlock();
    QCOMPARE(log.instantOf(block), std::optional<Nanos>(kKnown));
    QTest::mouseClick(
        log.viewport(), Qt::LeftButton, {}, log.cursorRect(QTextCursor(block)).center());
    QCOMPARE(cursor.instant(), std::optional<Nanos>(kKnown));
    const viz::TimeMapping shown = timeline.zoom()->mapping();
    QVERIFY(shown.start() <= kKnown && kKnown <= shown.end());
    QVERIFY(!timeline.zoom()->isFollowing());
}

void TestClock::statusBarAndLagChartShowOneFigureThroughAStall()
{
    const auto host = startServer();
    MainWindow window(*host);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ChartCursorView *lag = lagChart(window.charts());
    QVERIFY(lag);
    static const QRegularExpression lagText(QStringLiteral(R"(loop lag: ([0-9.]+) ms)"));
    const auto statusLag = [&window] { return lagText.match(window.statusText()).captured(1); };
    const auto chartLag = [lag] {
        const QList<QPointF> points = firstSeries(*lag)->points();
        return points.isEmpty() ? QString() : QString::number(points.constLast().y(), 'f', 1);
    };

    // One request holds the loop for a second.
    QCOMPARE(host->modes().set(QStringLiteral("GET /async"), QStringLiteral("blocking")),
        ModeTable::SetResult::Ok);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, host->port());
    QVERIFY(client.waitForConnected(10000));
    client.write("GET /async?delay=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

    // While stalled: the status bar says so, with a lag no smaller than the stall so far (never
    // the last quiet figure), and the chart's newest point is the same figure.
    QTRY_VERIFY_WITH_TIMEOUT(window.statusText().contains(u"(STALLED)"), hangGuardMs(10000));
    QVERIFY2(statusLag().toDouble() >= 5.0, qPrintable(window.statusText()));
    QCOMPARE(chartLag(), statusLag());

    // After it: back to an idle figure in both, not the stall's.
    QVERIFY(client.waitForDisconnected(10000));
    QTRY_VERIFY_WITH_TIMEOUT(!window.statusText().contains(u"(STALLED)")
            && statusLag().toDouble() < 5.0 && window.sampler().latest().inFlight == 0,
        hangGuardMs(10000));
    QCOMPARE(chartLag(), statusLag());

    // The window's views share its cursor: a server log line clicked moves the timeline's.
    window.findChild<QTabWidget *>()->setCurrentWidget(&window.log());
    host->log().info(QStringLiteral("a line to find"));
    QTRY_VERIFY(window.log().toPlainText().contains(u"a line to find"));
    const QTextBlock line = window.log().document()->lastBlock();
    const std::optional<Nanos> written = window.log().instantOf(line);
    QVERIFY(written);
    QTest::mouseClick(window.log().viewport(), Qt::LeftButton, {},
        window.log().cursorRect(QTextCursor(line)).center());
    QCOMPARE(window.timeCursor().instant(), written);
}

void TestClock::aFlipUnderLoadIsOneInstantEverywhere()
{
    const auto host = startServer();
    MainWindow window(*host);
    window.resize(1440, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // The issue's case: 10 clients on /async?delay=0.5, the route flipped to blocking while they
    // run, and a background task that logs on its own.
    load::LoadPlan plan;
    load::RequestTemplate request;
    request.target = "/async?delay=0.5";
    plan.requests = { request };
    plan.totalRequests = 40;
    plan.concurrency = 10;
    QSignalSpy finished(&window.loadController(), &LoadController::runFinished);
    const Result started = window.loadController().start(
        QStringLiteral("manual"), QStringLiteral("GET /async"), plan);
    QVERIFY2(started, qPrintable(started.message()));
    QTRY_VERIFY_WITH_TIMEOUT(window.loadController().snapshot().done >= 20, hangGuardMs(30000));
    QCOMPARE(fetch(host->port(), "POST", "/products/?name=lamp&price=9.5").status, 200);
    window.findChild<QRadioButton *>(QStringLiteral("GET /async=blocking"))->click();
    QVERIFY(finished.wait(hangGuardMs(60000)));
    QTRY_VERIFY_WITH_TIMEOUT(
        window.log().toPlainText().contains(u"Product created"), hangGuardMs(10000));

    // The runs table puts the flip at one instant of the session clock...
    const RunSummary run = window.loadController().runs().constLast();
    QCOMPARE(run.variantChanges.size(), std::size_t(1));
    const Nanos flip = run.variantChanges.front().at;
    QCOMPARE(window.runsTable().item(0, RunsTable::VariantColumn)->text(),
        QStringLiteral("async→blocking at ") + trace::formatSessionTime(flip));
    // ...and the timeline shows no blocking call before it, and some after.
    const viz::TimelineModel &model = *window.timeline().model();
    int blockingCalls = 0;
    for (const std::uint64_t id : model.requestOrder()) {
        const viz::TimelineSpan *span = model.find(id);
        for (const viz::Segment &segment : span ? span->segments : decltype(span->segments) {}) {
            if (segment.kind == viz::SegmentKind::Blocking) {
                QVERIFY(segment.begin >= flip);
                ++blockingCalls;
            }
        }
    }
    QVERIFY(blockingCalls >= 10);

    // Clicking the flip in the runs table puts the cursor there, on every view.
    window.timeline().zoom()->setRange(flip - 4'000'000'000, flip + 8'000'000'000);
    const QTableWidgetItem *variant = window.runsTable().item(0, RunsTable::VariantColumn);
    QTest::mouseClick(window.runsTable().viewport(), Qt::LeftButton, {},
        window.runsTable().visualItemRect(variant).center());
    QCOMPARE(window.timeCursor().instant(), std::optional<Nanos>(flip));
    window.findChild<QTabWidget *>()->setCurrentWidget(&window.log());
    // The picture once all is quiet again: nothing in flight, the loop's lag back at rest.
    QTRY_VERIFY_WITH_TIMEOUT(window.sampler().latest().inFlight == 0
            && window.sampler().latest().loopLagNs < 5'000'000 && !model.hasOpenWork(),
        hangGuardMs(10000));
    const QString path = qEnvironmentVariable("LOOPSCOPE_CLOCK_SCREENSHOT");
    if (!path.isEmpty())
        QVERIFY(window.grab().save(path));
}

QTEST_MAIN(TestClock)
#include "tst_clock.moc"
