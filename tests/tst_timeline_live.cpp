// The timeline fed by the real server: async, thread-pool and blocking requests
// side by side, through the TraceHub subscription the app uses. Proves the live
// path end to end (collateral damage attributed to the real blocking request, its
// blocking segment painted red) and, with LOOPSCOPE_TIMELINE_SCREENSHOT=FILE.png,
// saves what the user would see.

#include "support/hangguard.h"

#include "requestinspector.h"
#include "serverhost.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "trace.h"
#include "tracehub.h"

#include <QtCore/QTimer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>
#include <QtTest/QTest>
#include <QtWidgets/QApplication>
#include <QtWidgets/QVBoxLayout>

#include <algorithm>

using namespace loopscope;
using namespace loopscope::viz;
using loopscope::testing::hangGuardMs;

class TimelineLiveTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void realTraffic();
};

void TimelineLiveTest::realTraffic()
{
    TimelineModel model;
    model.attach(trace::TraceHub::instance().subscribe(1 << 20));

    ServerConfig config;
    config.port = 0;
    ServerHost host(config);
    QVERIFY2(host.start(), "server did not start");

    QNetworkAccessManager network;
    int sent = 0;
    int finished = 0;
    std::vector<int> statuses;
    const auto get = [&](const QString &path, const QByteArray &id,
                         std::function<void()> done = {}) {
        QNetworkRequest request(
            QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(host.port()).arg(path)));
        request.setRawHeader("X-Request-Id", id);
        QNetworkReply *reply = network.get(request);
        ++sent;
        connect(reply, &QNetworkReply::finished, this, [&, reply, done] {
            statuses.push_back(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt());
            ++finished;
            reply->deleteLater();
            if (done)
                done();
        });
    };
    const auto at
        = [&](int ms, std::function<void()> f) { QTimer::singleShot(ms, this, std::move(f)); };

    const auto spanOf = [&](const QByteArray &requestId) -> const TimelineSpan * {
        for (const auto id : model.requestOrder()) {
            const TimelineSpan *s = model.find(id);
            if (s && s->requestId == requestId)
                return s;
        }
        return nullptr;
    };
    const auto running = [&](std::initializer_list<QByteArray> requestIds) {
        return std::all_of(requestIds.begin(), requestIds.end(), [&](const QByteArray &id) {
            const TimelineSpan *s = spanOf(id);
            return s && s->started != 0;
        });
    };

    const Nanos t0 = trace::nowNs();
    // Healthy traffic first: awaits overlap, the loop stays free.
    at(0, [&] { get(QStringLiteral("/async?delay=1"), "a1"); });
    at(150, [&] { get(QStringLiteral("/async?delay=1"), "a2"); });
    at(200, [&] { get(QStringLiteral("/sync?delay=0.6"), "pool1"); });
    at(300, [&] { get(QStringLiteral("/async?delay=1"), "a3"); });
    at(400, [&] { get(QStringLiteral("/users/1"), "user1"); });
    at(500, [&] { get(QStringLiteral("/start-task"), "task1"); });
    // Then the same route flipped to its blocking variant while others await. The variant is
    // chosen when the server reads a request, so each step waits for what the server has
    // started rather than for a clock: on a slow machine a victim still unread at the flip
    // would itself run blocking.
    at(1000, [&] { get(QStringLiteral("/async?delay=2"), "v1"); });
    at(1100, [&] { get(QStringLiteral("/async?delay=2"), "v2"); });
    at(1200, [&] { get(QStringLiteral("/async?delay=2"), "v3"); });
    QTRY_VERIFY_WITH_TIMEOUT(running({ "v1", "v2", "v3" }), hangGuardMs(20000));
    QCOMPARE(host.modes().set(QStringLiteral("GET /async"), QStringLiteral("blocking")),
        ModeTable::SetResult::Ok);
    get(QStringLiteral("/async?delay=0.8"), "blocker");
    // Flipped back while the blocker still holds the loop: what is sent now waits unread in
    // its socket, and runs async once read.
    QTRY_VERIFY_WITH_TIMEOUT(running({ "blocker" }), hangGuardMs(20000));
    QCOMPARE(host.modes().set(QStringLiteral("GET /async"), QStringLiteral("async")),
        ModeTable::SetResult::Ok);
    get(QStringLiteral("/async?delay=0.4"), "b1");
    at(100, [&] { get(QStringLiteral("/async?delay=0.4"), "b2"); });

    QTRY_COMPARE_WITH_TIMEOUT(finished, 12, hangGuardMs(20000));
    QCOMPARE(sent, 12);
    for (const int status : statuses)
        QVERIFY(status == 200 || status == 404); // user 1 may not exist: a 404 is still a request

    // The watchdog reports the stall's end once the loop answers again; the model
    // attributes it in the batch that brings it.
    const auto blame = [&]() -> const LoopStall * {
        for (const LoopStall &s : model.stalls()) {
            const TimelineSpan *c = model.find(s.culprit);
            if (!s.isOpen() && c && c->requestId == "blocker")
                return &s;
        }
        return nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(blame() != nullptr, hangGuardMs(5000));
    const LoopStall *stall = blame();
    QVERIFY(stall->blamesCall());
    QVERIFY2(stall->end - stall->begin > 600'000'000,
        qPrintable(QString::number(stall->end - stall->begin)));
    const auto story = [&] {
        // Every request's times against the stall, so a failure tells what the loop saw.
        QString text = QStringLiteral("stall %1..%2 ms, %3 victims;")
                           .arg((stall->begin - t0) / 1e6)
                           .arg((stall->end - t0) / 1e6)
                           .arg(stall->victims);
        for (const auto id : model.requestOrder()) {
            const TimelineSpan *s = model.find(id);
            if (!s)
                continue;
            text += QStringLiteral(" %1: begin %2 accepted %3 started %4 end %5;")
                        .arg(QString::fromLatin1(s->requestId.view()))
                        .arg((s->begin - t0) / 1e6)
                        .arg((s->accepted - t0) / 1e6)
                        .arg(s->started ? (s->started - t0) / 1e6 : -1)
                        .arg(s->end ? (s->end - t0) / 1e6 : -1);
        }
        return text;
    };
    QVERIFY2(stall->victims >= 3, qPrintable(story()));
    const TimelineSpan *blocker = model.find(stall->culprit);
    QCOMPARE(blocker->variant, std::optional(HandlerVariant::Blocking));
    const TimelineSpan *victim = spanOf("v1");
    QVERIFY(victim);
    QVERIFY2(victim->collateral.delay > 500'000'000, qPrintable(story()));
    const QString text = model.collateralText(*victim);
    QVERIFY2(text.startsWith(QStringLiteral("delayed "))
            && text.contains(QStringLiteral("by GET /async #blocker, blocking")),
        qPrintable(text));

    // What the user sees: the view over the whole run with the inspector below.
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *view = new TimelineView(&model);
    auto *inspector = new RequestInspector(&model);
    inspector->setMaximumHeight(190);
    layout->addWidget(view, 1);
    layout->addWidget(inspector);
    connect(view, &TimelineView::requestSelected, inspector, &RequestInspector::showSpan);
    window.resize(1500, 600);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    model.detach(); // freeze the picture
    view->zoom()->setRange(t0 - 100'000'000, std::max(model.now(), t0 + 4'000'000'000));
    view->selectSpan(victim->id);
    inspector->showSpan(victim->id);

    const QString path = qEnvironmentVariable("LOOPSCOPE_TIMELINE_SCREENSHOT");
    if (!path.isEmpty())
        QVERIFY(window.grab().save(path));
    view->setLabelsVisible(false); // exact colours under the sampled pixel
    const QImage image = view->grab().toImage();
    const TimeMapping &m = view->zoom()->mapping();
    const TimelineLane &lane = model.lane(LaneGroup::Loop, blocker->lane);
    QVERIFY(lane.size() > 0);
    const QRect laneRect = view->laneRect(LaneGroup::Loop, blocker->lane);
    const Segment *blocking = nullptr;
    for (const Segment &s : blocker->segments) {
        if (s.kind == SegmentKind::Blocking)
            blocking = &s;
    }
    QVERIFY(blocking);
    const QColor red
        = image.pixelColor(int(m.toX(blocking->begin + (blocking->end - blocking->begin) / 2)),
            laneRect.top() + laneRect.height() / 3);
    QVERIFY2(red.red() > 180 && red.green() < 90 && red.blue() < 90, qPrintable(red.name()));

    host.stop();
}

QTEST_MAIN(TimelineLiveTest)
#include "tst_timeline_live.moc"
