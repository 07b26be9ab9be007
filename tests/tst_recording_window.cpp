// File > Save recording… and opening it again: the recording window draws the session the live
// window drew (the same requests on the same lanes, the same stalls and blame, the same log), and
// a bad file is refused with its name and the reason.

#include "support/httptestclient.h"
#include "support/serverfixture.h"

#include "logview.h"
#include "mainwindow.h"
#include "recordingwindow.h"
#include "serverhost.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "zoomstate.h"

#include <QTemporaryDir>
#include <QTest>

using namespace loopscope;
using namespace loopscope::testing;

class TestRecordingWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void savedSessionOpensAsItWasLive();
    void badFileIsRefusedWithItsReason();
};

namespace {

viz::TimelineModel &liveModel(MainWindow &window)
{
    return *window.timeline().model();
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
    QCOMPARE(opened.message(), text + QStringLiteral(": not a Loopscope recording"));
}

QTEST_MAIN(TestRecordingWindow)
#include "tst_recording_window.moc"
