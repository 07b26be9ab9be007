// The timeline fed by the real server: async, thread-pool and blocking requests
// side by side, through the TraceHub subscription the app uses. Proves the live
// path end to end (collateral damage attributed to the real blocking request, its
// blocking segment painted red) and, with LOOPSCOPE_TIMELINE_SCREENSHOT=FILE.png,
// saves what the user would see.

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

using namespace loopscope;
using namespace loopscope::viz;

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
    QVERIFY2(host.start(), qPrintable(host.errorString()));

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

    const Nanos t0 = trace::nowNs();
    // Healthy traffic first: awaits overlap, the loop stays free.
    at(0, [&] { get(QStringLiteral("/async?delay=1"), "a1"); });
    at(150, [&] { get(QStringLiteral("/async?delay=1"), "a2"); });
    at(200, [&] { get(QStringLiteral("/sync?delay=0.6"), "pool1"); });
    at(300, [&] { get(QStringLiteral("/async?delay=1"), "a3"); });
    at(400, [&] { get(QStringLiteral("/users/1"), "user1"); });
    at(500, [&] { get(QStringLiteral("/start-task"), "task1"); });
    // Then the same route flipped to its blocking variant while others are in flight.
    at(1000, [&] { get(QStringLiteral("/async?delay=1.2"), "v1"); });
    at(1100, [&] { get(QStringLiteral("/async?delay=1.2"), "v2"); });
    at(1200, [&] { get(QStringLiteral("/async?delay=1"), "v3"); });
    at(1300, [&] {
        QCOMPARE(host.modes().set(QStringLiteral("GET /async"), QStringLiteral("blocking")),
            ModeTable::SetResult::Ok);
        get(QStringLiteral("/async?delay=0.8"), "blocker",
            [&] { host.modes().set(QStringLiteral("GET /async"), QStringLiteral("async")); });
    });
    at(2400, [&] { get(QStringLiteral("/async?delay=0.4"), "b1"); });
    at(2500, [&] { get(QStringLiteral("/async?delay=0.4"), "b2"); });

    QTRY_COMPARE_WITH_TIMEOUT(finished, 12, 20000);
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
    QTRY_VERIFY_WITH_TIMEOUT(blame() != nullptr, 5000);
    const LoopStall *stall = blame();
    QVERIFY(stall->blamesCall());
    QVERIFY2(stall->end - stall->begin > 600'000'000,
        qPrintable(QString::number(stall->end - stall->begin)));
    QVERIFY(stall->victims >= 3);
    const TimelineSpan *blocker = model.find(stall->culprit);
    QCOMPARE(blocker->variant, 2);
    const TimelineSpan *victim = nullptr;
    for (const auto id : model.requestOrder()) {
        const TimelineSpan *s = model.find(id);
        if (s && s->requestId == "v1")
            victim = s;
    }
    QVERIFY(victim);
    QVERIFY(victim->collateral.delay > 500'000'000);
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
    view->zoom()->setRange(t0 - 100'000'000, std::max(model.now(), t0 + 3'300'000'000));
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
