// Lanes that do not fit: they scroll (scroll bar, Shift+wheel, Page Up/Down) instead of being
// crushed, a group folds into one row and back by a click on its title, and a selected request
// is linked by an arrow to the background task it spawned, whose tooltip names it.
#include "support/timelineevents.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "timemapping.h"
#include "trace.h"
#include "zoomstate.h"

#include <QtGui/QImage>
#include <QtGui/QWheelEvent>
#include <QtTest/QTest>
#include <QtWidgets/QApplication>
#include <QtWidgets/QScrollBar>
#include <QtWidgets/QToolTip>

using namespace loopscope;
using namespace loopscope::viz;
using loopscope::testsupport::appendTimelineRequest;
using loopscope::testsupport::timelineEvent;
using loopscope::testsupport::TimelineRequestShape;
using trace::Kind;

namespace {
constexpr Nanos ms = 1'000'000;
constexpr Nanos T0 = 5'000'000'000'000;
constexpr int kRequests = 300;

// kRequests requests open at once, so each takes a lane of its own.
void ingestOverlappingRequests(TimelineModel &model)
{
    std::vector<trace::Event> ev;
    for (int i = 0; i < kRequests; ++i) {
        TimelineRequestShape r;
        r.span = std::uint64_t(i + 1);
        r.accepted = T0 + i * 100'000;
        r.started = r.accepted;
        r.closed = T0 + 500 * ms + i * 100'000;
        r.route = trace::label("GET /async");
        appendTimelineRequest(ev, r);
    }
    std::sort(ev.begin(), ev.end(),
        [](const trace::Event &a, const trace::Event &b) { return a.time < b.time; });
    model.ingest(ev);
}

bool insideViewport(const TimelineView &view, const QRect &lane)
{
    return view.lanesViewport().contains(lane);
}

void sendKey(QWidget &widget, int key)
{
    QTest::keyClick(&widget, Qt::Key(key));
}

// Request 1 on `route`, from T0 to `closed`, and its tasks' events: all in time order.
std::vector<trace::Event> requestWithTasks(
    const char *route, trace::Nanos closed, std::vector<trace::Event> tasks)
{
    std::vector<trace::Event> ev;
    TimelineRequestShape r;
    r.span = 1;
    r.accepted = T0;
    r.started = T0;
    r.closed = closed;
    r.route = trace::label(route);
    appendTimelineRequest(ev, r);
    ev.insert(ev.end(), tasks.begin(), tasks.end());
    std::stable_sort(ev.begin(), ev.end(),
        [](const trace::Event &a, const trace::Event &b) { return a.time < b.time; });
    return ev;
}

} // namespace

class TimelineLanesTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lanesThatDoNotFitScroll();
    void shiftWheelAndPageKeysScroll();
    void clickOnTitleFoldsAndUnfolds();
    void selectedRequestPointsAtItsTask();
    void aCancelledTaskEndsInAMarkAndSaysSo();
};

void TimelineLanesTest::lanesThatDoNotFitScroll()
{
    TimelineModel model;
    ingestOverlappingRequests(model);
    QCOMPARE(model.laneCount(LaneGroup::Loop), kRequests);
    TimelineView view(&model);
    view.setLabelsVisible(false);
    view.resize(600, 360);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.zoom()->setRange(T0, T0 + 600 * ms);

    // Not crushed: every lane keeps the readable minimum, and the rest scrolls.
    for (const TimelineView::Row &row : view.rows()) {
        if (row.lane >= 0)
            QCOMPARE(row.height, TimelineView::kMinLaneHeight);
    }
    QVERIFY(view.lanesScrollMaximum() > 0);
    auto *bar = view.findChild<QScrollBar *>();
    QVERIFY(bar);
    QVERIFY(bar->isVisible());
    // Time ends left of the bar: the newest instant is never drawn under it.
    QCOMPARE(view.zoom()->mapping().width(), double(view.width() - bar->width()));

    const QRect lastBefore = view.laneRect(LaneGroup::Loop, kRequests - 1);
    QVERIFY(!insideViewport(view, lastBefore));
    bar->setValue(bar->maximum());
    QCOMPARE(view.lanesScroll(), view.lanesScrollMaximum());
    const QRect lastAfter = view.laneRect(LaneGroup::Loop, kRequests - 1);
    QVERIFY(insideViewport(view, lastAfter));
    QVERIFY(!insideViewport(view, view.laneRect(LaneGroup::Loop, 0)));

    // What is drawn there is the last request's bar, and a click on it selects that request.
    const QImage image = view.grab().toImage();
    const int x = int(view.zoom()->mapping().toX(T0 + 300 * ms));
    QCOMPARE(QColor(image.pixel(x, lastAfter.center().y())), view.timelinePalette().running);
    QCOMPARE(view.spanAt(QPoint(x, lastAfter.center().y())), std::uint64_t(kRequests));
    // A point above the lanes, where lane 0 would be unscrolled, hits nothing.
    QCOMPARE(view.spanAt(QPoint(x, view.lanesViewport().top() - 2)), std::uint64_t(0));

    // When everything fits again the bar goes, and time takes the whole width.
    view.resize(600, 360 + view.lanesScrollMaximum() + 40);
    QTRY_VERIFY(!bar->isVisible());
    QCOMPARE(view.lanesScrollMaximum(), 0);
    QCOMPARE(view.zoom()->mapping().width(), double(view.width()));
}

void TimelineLanesTest::shiftWheelAndPageKeysScroll()
{
    TimelineModel model;
    ingestOverlappingRequests(model);
    TimelineView view(&model);
    view.resize(600, 360);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.lanesScroll(), 0);
    const Nanos durationBefore = view.zoom()->mapping().duration();

    const QPointF pos(200, view.lanesViewport().center().y());
    QWheelEvent down(pos, view.mapToGlobal(pos), QPoint(), QPoint(0, -120), Qt::NoButton,
        Qt::ShiftModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &down);
    const int afterWheel = view.lanesScroll();
    QVERIFY(afterWheel > 0);
    // Shift+wheel scrolls; it does not zoom.
    QCOMPARE(view.zoom()->mapping().duration(), durationBefore);

    sendKey(view, Qt::Key_PageDown);
    const int afterPage = view.lanesScroll();
    QVERIFY(afterPage > afterWheel);
    // A page is what the viewport shows, less one lane of overlap.
    QCOMPARE(afterPage - afterWheel, view.lanesViewport().height() - TimelineView::kMinLaneHeight);
    sendKey(view, Qt::Key_PageUp);
    QCOMPARE(view.lanesScroll(), afterWheel);
    // Never past either end.
    for (int i = 0; i < 100; ++i)
        sendKey(view, Qt::Key_PageDown);
    QCOMPARE(view.lanesScroll(), view.lanesScrollMaximum());
    for (int i = 0; i < 100; ++i)
        sendKey(view, Qt::Key_PageUp);
    QCOMPARE(view.lanesScroll(), 0);
}

void TimelineLanesTest::clickOnTitleFoldsAndUnfolds()
{
    TimelineModel model;
    std::vector<trace::Event> ev;
    TimelineRequestShape r;
    r.span = 1;
    r.accepted = T0;
    r.started = T0;
    r.closed = T0 + 50 * ms;
    r.route = trace::label("POST /products/");
    appendTimelineRequest(ev, r);
    // Twenty tasks running at once: twenty lanes.
    for (int i = 0; i < 20; ++i)
        ev.push_back(timelineEvent(
            Kind::TaskSpawned, T0 + 10 * ms, std::uint64_t(100 + i), trace::label("log"), 1));
    for (int i = 0; i < 20; ++i)
        ev.push_back(timelineEvent(Kind::TaskFinished, T0 + 800 * ms, std::uint64_t(100 + i)));
    std::sort(ev.begin(), ev.end(),
        [](const trace::Event &a, const trace::Event &b) { return a.time < b.time; });
    model.ingest(ev);
    QCOMPARE(model.laneCount(LaneGroup::Tasks), 20);

    TimelineView view(&model);
    view.setLabelsVisible(false);
    view.resize(600, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.zoom()->setRange(T0, T0 + 1000 * ms);
    const auto tasksHeader = [&view] {
        for (const TimelineView::Row &row : view.rows()) {
            if (row.group == LaneGroup::Tasks && row.lane == TimelineView::kHeaderRow)
                return row;
        }
        return TimelineView::Row { LaneGroup::Tasks, 0, -1, 0 };
    };
    const auto taskRows = [&view] {
        return std::count_if(view.rows().begin(), view.rows().end(),
            [](const TimelineView::Row &row) { return row.group == LaneGroup::Tasks; });
    };
    QCOMPARE(taskRows(), 21); // the title and 20 lanes

    const TimelineView::Row header = tasksHeader();
    QVERIFY(header.y >= 0);
    const QPoint onTitle(100, header.y + header.height / 2);
    QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, onTitle);
    QVERIFY(view.isGroupFolded(LaneGroup::Tasks));
    QCOMPARE(taskRows(), 2); // the title and the folded row
    // Every task's lane is now that one row, and what is under the pointer there is a task.
    const QRect folded = view.laneRect(LaneGroup::Tasks, 0);
    QCOMPARE(view.laneRect(LaneGroup::Tasks, 19), folded);
    const int x = int(view.zoom()->mapping().toX(T0 + 400 * ms));
    const std::uint64_t hit = view.spanAt(QPoint(x, folded.center().y()));
    QVERIFY2(hit >= 100 && hit < 120, qPrintable(QString::number(hit)));
    const QImage image = view.grab().toImage();
    QCOMPARE(QColor(image.pixel(x, folded.center().y())), view.timelinePalette().awaiting);
    // The loop's group is untouched.
    QVERIFY(!view.isGroupFolded(LaneGroup::Loop));

    QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, onTitle);
    QVERIFY(!view.isGroupFolded(LaneGroup::Tasks));
    QCOMPARE(taskRows(), 21);
}

void TimelineLanesTest::selectedRequestPointsAtItsTask()
{
    TimelineModel model;
    model.ingest(requestWithTasks("POST /products/", T0 + 600 * ms,
        { timelineEvent(Kind::TaskSpawned, T0 + 300 * ms, 50, trace::label("log product"), 1),
            timelineEvent(Kind::TaskFinished, T0 + 900 * ms, 50) }));

    TimelineView view(&model);
    view.setLabelsVisible(false);
    view.resize(800, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.zoom()->setRange(T0, T0 + 1000 * ms);
    const QRect request = view.laneRect(LaneGroup::Loop, 0);
    const QRect task = view.laneRect(LaneGroup::Tasks, 0);
    QVERIFY(task.top() > request.bottom() + 4); // the Tasks title lies between them
    const int x = int(view.zoom()->mapping().toX(T0 + 300 * ms));
    const QColor arrow = view.timelinePalette().selectionPen.color();
    const auto arrowPixelsBetween = [&](const QImage &image) {
        int count = 0;
        for (int y = request.bottom() + 1; y < task.top(); ++y)
            count += QColor(image.pixel(x, y)) == arrow ? 1 : 0;
        return count;
    };
    QCOMPARE(arrowPixelsBetween(view.grab().toImage()), 0);

    // Selecting either end draws the link from the request, at the spawn, down to the task.
    for (const std::uint64_t selected : { std::uint64_t(1), std::uint64_t(50) }) {
        view.selectSpan(selected);
        const int drawn = arrowPixelsBetween(view.grab().toImage());
        QVERIFY2(drawn >= task.top() - request.bottom() - 2,
            qPrintable(QStringLiteral("%1 of %2 pixels")
                           .arg(drawn)
                           .arg(task.top() - request.bottom() - 1)));
    }
    // The task's tooltip names the request that spawned it.
    const QPoint onTask(int(view.zoom()->mapping().toX(T0 + 500 * ms)), task.center().y());
    QHelpEvent help(QEvent::ToolTip, onTask, view.mapToGlobal(onTask));
    QApplication::sendEvent(&view, &help);
    QVERIFY2(QToolTip::text().contains(QStringLiteral("spawned by POST /products/ #1")),
        qPrintable(QToolTip::text()));
    // Off anywhere else in time.
    const int elsewhere = int(view.zoom()->mapping().toX(T0 + 700 * ms));
    const QImage image = view.grab().toImage();
    QVERIFY(QColor(image.pixel(elsewhere, (request.bottom() + task.top()) / 2)) != arrow);
}

void TimelineLanesTest::aCancelledTaskEndsInAMarkAndSaysSo()
{
    // Two tasks of one request end at the same instant: one finished, one cancelled (a restart).
    const std::uint32_t work = trace::label("background_work");
    TimelineModel model;
    model.ingest(requestWithTasks("GET /start-task", T0 + 100 * ms,
        { timelineEvent(Kind::TaskSpawned, T0 + 50 * ms, 60, work, 1),
            timelineEvent(Kind::TaskSpawned, T0 + 60 * ms, 61, work, 1),
            timelineEvent(Kind::TaskFinished, T0 + 800 * ms, 60),
            timelineEvent(Kind::TaskCancelled, T0 + 800 * ms, 61) }));
    QCOMPARE(model.find(61)->outcome, SpanOutcome::Cancelled);

    TimelineView view(&model);
    view.resize(800, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.zoom()->setRange(T0, T0 + 1000 * ms);
    const QRect finishedLane = view.laneRect(LaneGroup::Tasks, 0);
    const QRect cancelledLane = view.laneRect(LaneGroup::Tasks, 1);
    QVERIFY(cancelledLane.top() > finishedLane.bottom());
    const int end = int(std::ceil(view.zoom()->mapping().toX(T0 + 800 * ms)));
    const QRgb mark = view.timelinePalette().markerPen.color().rgb();
    const QImage image = view.grab().toImage();
    const auto markedAtEnd = [&](const QRect &lane) {
        return image.pixel(end - 1, lane.center().y()) == mark
            && image.pixel(end - 2, lane.center().y()) == mark;
    };
    QVERIFY(markedAtEnd(cancelledLane));
    QVERIFY(!markedAtEnd(finishedLane));
    // Its tooltip says it was cut short.
    const QPoint onTask(int(view.zoom()->mapping().toX(T0 + 400 * ms)), cancelledLane.center().y());
    QHelpEvent help(QEvent::ToolTip, onTask, view.mapToGlobal(onTask));
    QApplication::sendEvent(&view, &help);
    QVERIFY2(QToolTip::text().contains(QStringLiteral("cancelled before it ended")),
        qPrintable(QToolTip::text()));
}

QTEST_MAIN(TimelineLanesTest)
#include "tst_timeline_lanes.moc"
