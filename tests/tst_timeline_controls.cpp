// Live/paused and jump to now above the timeline, the badge of requests recorded while paused,
// and the keys table that drives both the key handler and Help > Keys.
#include "support/timelineevents.h"
#include "timelinecontrols.h"
#include "timelinekeys.h"
#include "timelinekeysdialog.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "trace.h"
#include "zoomstate.h"

#include <QtGui/QKeyEvent>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWidgets/QApplication>
#include <QtWidgets/QTableWidget>
#include <QtWidgets/QToolButton>
#include <QtWidgets/QVBoxLayout>

#include <algorithm>

using namespace loopscope;
using namespace loopscope::viz;
using loopscope::testsupport::appendTimelineRequest;
using loopscope::testsupport::TimelineRequestShape;

namespace {
constexpr Nanos ms = 1'000'000;
constexpr Nanos s = 1'000'000'000;
constexpr Nanos T0 = 5'000 * s;

void ingestRequests(TimelineModel &model, std::uint64_t firstSpan, int count, Nanos at)
{
    std::vector<trace::Event> events;
    for (int i = 0; i < count; ++i) {
        TimelineRequestShape r;
        r.span = firstSpan + std::uint64_t(i);
        r.accepted = r.started = at + i * ms;
        r.closed = at + i * ms + 5 * ms;
        r.route = trace::label("GET /async");
        appendTimelineRequest(events, r);
    }
    model.ingest(events);
}

// The view with its controls above it, as the window lays them out.
struct ControlsFixture
{
    TimelineModel model;
    QWidget window;
    TimelineView *view = new TimelineView(&model);
    TimelineControls *controls = new TimelineControls(view);

    ControlsFixture()
    {
        ingestRequests(model, 1, 3, T0);
        auto *layout = new QVBoxLayout(&window);
        layout->addWidget(controls);
        layout->addWidget(view, 1);
        window.resize(1000, 400);
        window.show();
    }
    QToolButton *live() const { return controls->liveButton(); }
    QToolButton *jump() const { return controls->jumpButton(); }
};

bool accepts(TimelineView &view, int key)
{
    QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier);
    press.ignore();
    QApplication::sendEvent(&view, &press);
    return press.isAccepted();
}

bool inTable(int key)
{
    return findTimelineKey(key) != nullptr;
}
} // namespace

class TimelineControlsTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void startsLive();
    void panningPausesAndTheButtonSaysSo();
    void buttonsAndKeysMoveTheSameState();
    void badgeCountsRequestsRecordedWhilePaused();
    void everyTableKeyIsHandledAndNothingElse();
    void keysDialogListsTheTable();
    void aFreshSessionsAxisStartsAtZero();
};

void TimelineControlsTest::startsLive()
{
    ControlsFixture f;
    QVERIFY(f.view->zoom()->isFollowing());
    QVERIFY(f.live()->isChecked());
    QVERIFY(f.live()->text().contains(u"Live"));
    QVERIFY(!f.jump()->isEnabled()); // already at now
    QCOMPARE(f.controls->waitingRequests(), 0);
}

void TimelineControlsTest::panningPausesAndTheButtonSaysSo()
{
    ControlsFixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    const int y = f.view->laneRect(LaneGroup::Loop, 0).center().y();
    QTest::mousePress(f.view, Qt::LeftButton, Qt::NoModifier, QPoint(500, y));
    QTest::mouseMove(f.view, QPoint(560, y));
    QTest::mouseMove(f.view, QPoint(620, y));
    QTest::mouseRelease(f.view, Qt::LeftButton, Qt::NoModifier, QPoint(620, y));
    QVERIFY(!f.view->zoom()->isFollowing());
    QVERIFY(!f.live()->isChecked());
    QVERIFY2(f.live()->text().contains(u"Paused"), qPrintable(f.live()->text()));
    QVERIFY(f.jump()->isEnabled());
}

void TimelineControlsTest::buttonsAndKeysMoveTheSameState()
{
    ControlsFixture f;
    ZoomState *zoom = f.view->zoom();
    QSignalSpy following(zoom, &ZoomState::followingChanged);

    f.live()->click(); // pause
    QVERIFY(!zoom->isFollowing());
    QVERIFY(!f.live()->isChecked());
    f.jump()->click();
    QVERIFY(zoom->isFollowing());
    QVERIFY(f.live()->isChecked());
    QVERIFY(zoom->mapping().end() >= f.model.now());

    QTest::keyClick(f.view, Qt::Key_Space); // the key pauses, the button shows it
    QVERIFY(!zoom->isFollowing());
    QVERIFY(!f.live()->isChecked());
    f.live()->click(); // the button resumes
    QVERIFY(zoom->isFollowing());
    QTest::keyClick(f.view, Qt::Key_Right);
    QVERIFY(!f.live()->isChecked());
    QTest::keyClick(f.view, Qt::Key_F);
    QVERIFY(f.live()->isChecked());
    QVERIFY(!f.jump()->isEnabled());
    QCOMPARE(following.count(), 6);
}

void TimelineControlsTest::badgeCountsRequestsRecordedWhilePaused()
{
    ControlsFixture f;
    // Following: new requests are on screen, nothing waits.
    ingestRequests(f.model, 100, 4, T0 + s);
    QCOMPARE(f.controls->waitingRequests(), 0);

    f.view->zoom()->panBy(40);
    QVERIFY(!f.view->zoom()->isFollowing());
    ingestRequests(f.model, 200, 1, T0 + 2 * s);
    QCOMPARE(f.controls->waitingRequests(), 1);
    QVERIFY2(f.live()->text().contains(u"+1 new request"), qPrintable(f.live()->text()));
    ingestRequests(f.model, 300, 131, T0 + 3 * s);
    QCOMPARE(f.controls->waitingRequests(), 132);
    QVERIFY2(f.live()->text().contains(u"+132 new requests"), qPrintable(f.live()->text()));
    // The model went on recording all of them.
    QCOMPARE(f.model.requestOrder().size(), std::size_t(3 + 4 + 132));

    f.jump()->click();
    QCOMPARE(f.controls->waitingRequests(), 0);
    QVERIFY(!f.live()->text().contains(u'+'));
}

void TimelineControlsTest::everyTableKeyIsHandledAndNothingElse()
{
    ControlsFixture f;
    QSet<int> tableKeys;
    for (const TimelineKey &entry : timelineKeys()) {
        QVERIFY(!entry.keys.empty());
        QVERIFY(!entry.action.isEmpty());
        for (const int key : entry.keys) {
            QVERIFY2(!tableKeys.contains(key), "a key listed twice");
            tableKeys.insert(key);
            QVERIFY2(accepts(*f.view, key), qPrintable(entry.keysText()));
        }
    }
    // Printable keys, navigation and function keys outside the table pass through to the window.
    std::vector<int> others;
    for (int key = Qt::Key_Space; key <= Qt::Key_AsciiTilde; ++key)
        others.push_back(key);
    for (int key = Qt::Key_Escape; key <= Qt::Key_PageDown; ++key) {
        if (key != Qt::Key_Tab && key != Qt::Key_Backtab) // focus moves, not the handler's
            others.push_back(key);
    }
    for (int key = Qt::Key_F1; key <= Qt::Key_F12; ++key)
        others.push_back(key);
    for (const int key : others) {
        if (!inTable(key))
            QVERIFY2(!accepts(*f.view, key), qPrintable(QKeySequence(key).toString()));
    }
}

void TimelineControlsTest::keysDialogListsTheTable()
{
    ControlsFixture f;
    f.controls->keysButton()->click();
    auto *dialog = f.window.findChild<TimelineKeysDialog *>();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    f.controls->keysButton()->click(); // raised again, not a second one
    QCOMPARE(f.window.findChildren<TimelineKeysDialog *>().size(), 1);

    QStringList shown;
    const QTableWidget *table = dialog->table();
    for (int row = 0; row < table->rowCount(); ++row)
        shown << table->item(row, 0)->text() + u'\t' + table->item(row, 1)->text();
    QCOMPARE(std::size_t(table->rowCount()), timelineKeys().size() + timelineGestures().size());
    for (const TimelineKey &entry : timelineKeys()) {
        for (const int key : entry.keys) {
            const QString name = QKeySequence(key).toString(QKeySequence::NativeText);
            const bool listed = std::any_of(shown.begin(), shown.end(), [&](const QString &row) {
                return row.section(u'\t', 0, 0).split(QStringLiteral(" or ")).contains(name)
                    && row.section(u'\t', 1) == entry.action;
            });
            QVERIFY2(listed, qPrintable(name));
        }
    }
    for (const TimelineGesture &gesture : timelineGestures())
        QVERIFY(shown.contains(gesture.gesture + u'\t' + gesture.action));
}

void TimelineControlsTest::aFreshSessionsAxisStartsAtZero()
{
    // One second into the session, nothing recorded: the live view shows 0 s to 10 s, not the
    // seconds before the session began.
    TimelineModel model;
    model.setClock([] { return TimelineModel::origin() + 1 * s; });
    TimelineView view(&model);
    view.resize(800, 300);
    QVERIFY(view.zoom()->isFollowing());
    QCOMPARE(view.zoom()->mapping().start(), TimelineModel::origin());
    QCOMPARE(view.zoom()->mapping().duration(), ZoomState::kDefaultDuration);

    // Later, the live edge is now again, with its margin.
    ZoomState zoom;
    zoom.setOrigin(T0);
    zoom.follow(T0 + 2 * s);
    QCOMPARE(zoom.mapping().start(), T0);
    zoom.follow(T0 + 60 * s);
    const Nanos d = zoom.mapping().duration();
    QCOMPARE(zoom.mapping().end(), T0 + 60 * s + d / 50);
    // A replay's clock before this session's origin is followed as it is.
    zoom.follow(T0 - 100 * s);
    QVERIFY(zoom.mapping().start() < T0 - 100 * s);
}

QTEST_MAIN(TimelineControlsTest)
#include "tst_timeline_controls.moc"
