// The no-await variant: the course's "forgetting await". The coroutine is made and dropped, the
// work it stood for never runs, and the server says so as Python would.
#include "support/httptestclient.h"
#include "support/logcollector.h"
#include "support/serverfixture.h"
#include "support/traceevidence.h"

#include "core/serverlog.h"
#include "trace/trace.h"

#include <QJsonObject>
#include <QTest>

using namespace loopscope;
using namespace loopscope::testing;

namespace {

void setVariant(quint16 port, const QByteArray &route, const QByteArray &variant)
{
    const QByteArray body
        = QByteArray(R"({"route":")" + route + R"(","variant":")" + variant + "\"}");
    const TestResponse put = fetch(port, "PUT", "/_scope/modes", body);
    QVERIFY2(put.status == 200, put.body.constData());
}

// The one request span of `route` since `since`, or null.
const trace::SpanRecord *onlyRequest(
    const trace::SpanIndex &index, const QString &route, trace::Nanos since)
{
    const auto spans = requestSpansSince(index, route, since);
    return spans.size() == 1 ? spans.front() : nullptr;
}

// The coroutines the trace shows dropped by `request`: spans of the mark Offloader::forget
// records, labelled with Python's warning.
QStringList droppedBy(const trace::SpanIndex &index, const trace::SpanRecord &request)
{
    QStringList labels;
    for (const trace::SpanRecord &record : index.records()) {
        if (record.kind == trace::SpanKind::Task && record.parent == request.span
            && record.outcome == trace::SpanOutcome::Cancelled)
            labels << trace::labelText(record.label);
    }
    return labels;
}

qint64 upstreamRequests(quint16 port)
{
    return fetch(port, "GET", "/_scope/upstream")
        .json()
        .object()
        .value(QStringLiteral("simulator"))
        .toObject()
        .value(QStringLiteral("requests"))
        .toInteger(-1);
}

} // namespace

class TestNoAwait : public QObject
{
    Q_OBJECT
private slots:
    void offeredWhereTheLessonIs();
    void asyncSleepNotAwaitedAnswersAtOnce();
    void createUserNotAwaitedIs500AndCreatesNothing();
    void dashboardGetsNotAwaitedIs500AndFetchNothing();
};

void TestNoAwait::offeredWhereTheLessonIs()
{
    const auto host = startServer();
    const TestResponse refused = fetch(
        host->port(), "PUT", "/_scope/modes", R"({"route":"GET /sync","variant":"no-await"})");
    QVERIFY2(refused.status >= 400 && refused.status < 500, refused.body.constData());
    for (const QByteArray route : { "GET /async", "POST /users/", "GET /dashboard" })
        setVariant(host->port(), route, "no-await");
    QCOMPARE(variantName(HandlerVariant::NoAwait), QStringLiteral("no-await"));
    QVERIFY(variantFromName(QStringLiteral("no-await")) == HandlerVariant::NoAwait);
}

void TestNoAwait::asyncSleepNotAwaitedAnswersAtOnce()
{
    const auto host = startServer();
    LogCollector logged(host->log());
    setVariant(host->port(), "GET /async", "no-await");
    const trace::Nanos since = trace::nowNs();
    // 60 s asked for: awaited, the answer would come after the fetch gave up.
    const TestResponse response = fetch(host->port(), "GET", "/async?delay=60");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json().object().value(u"message").toString(),
        QStringLiteral("Asynchronous endpoint completed"));
    QTRY_VERIFY(
        logged.contains(QStringLiteral("RuntimeWarning: coroutine 'sleep' was never awaited")));

    const trace::SpanIndex index = retainedSpans();
    const trace::SpanRecord *request = onlyRequest(index, QStringLiteral("GET /async"), since);
    QVERIFY(request);
    QVERIFY(request->variant == HandlerVariant::NoAwait);
    QVERIFY(request->awaits.empty()); // the sleep was never awaited
    QVERIFY(request->blocking.empty()); // nor slept on the loop
    QCOMPARE(droppedBy(index, *request),
        QStringList { QStringLiteral("coroutine 'sleep' was never awaited") });
}

void TestNoAwait::createUserNotAwaitedIs500AndCreatesNothing()
{
    const auto host = startServer();
    LogCollector logged(host->log());
    setVariant(host->port(), "POST /users/", "no-await");
    const trace::Nanos since = trace::nowNs();
    const TestResponse response
        = fetch(host->port(), "POST", "/users/?username=ada&email=ada%40example.com");
    QCOMPARE(response.status, 500);
    QCOMPARE(response.body, QByteArray("Internal Server Error"));
    QVERIFY(response.header("content-type").startsWith("text/plain"));
    QTRY_VERIFY(logged.contains(
        QStringLiteral("RuntimeWarning: coroutine 'UserService.create_user' was never awaited")));
    QTRY_VERIFY(logged.contains(
        QStringLiteral("ValueError: [TypeError(\"'coroutine' object is not iterable\")")));

    const trace::SpanIndex index = retainedSpans();
    const trace::SpanRecord *request = onlyRequest(index, QStringLiteral("POST /users/"), since);
    QVERIFY(request);
    QCOMPARE(request->status, 500);
    QVERIFY(request->awaits.empty()); // create_user's write never ran
    QCOMPARE(droppedBy(index, *request),
        QStringList { QStringLiteral("coroutine 'UserService.create_user' was never awaited") });

    // Nothing was written: no user 1, and the next real create is user 1.
    QCOMPARE(fetch(host->port(), "GET", "/users/1").status, 404);
    setVariant(host->port(), "POST /users/", "async");
    const TestResponse created
        = fetch(host->port(), "POST", "/users/?username=bob&email=bob%40example.com");
    QCOMPARE(created.status, 200);
    QCOMPARE(created.json().object().value(u"id").toInt(), 1);
}

void TestNoAwait::dashboardGetsNotAwaitedIs500AndFetchNothing()
{
    const auto host = startServer();
    LogCollector logged(host->log());
    setVariant(host->port(), "GET /dashboard", "no-await");
    const qint64 before = upstreamRequests(host->port());
    QVERIFY(before >= 0);
    const trace::Nanos since = trace::nowNs();
    const TestResponse response = fetch(host->port(), "GET", "/dashboard");
    QCOMPARE(response.status, 500);
    QCOMPARE(response.body, QByteArray("Internal Server Error"));
    // asyncio.gather ran the three fetches; each forgot to await its client.get.
    const QString warning
        = QStringLiteral("RuntimeWarning: coroutine 'AsyncClient.get' was never awaited");
    QTRY_COMPARE(logged.count(warning), 3);
    QTRY_VERIFY(logged.contains(
        QStringLiteral("AttributeError: 'coroutine' object has no attribute 'json'")));
    QCOMPARE(upstreamRequests(host->port()), before); // no call left the server

    const trace::SpanIndex index = retainedSpans();
    const trace::SpanRecord *request = onlyRequest(index, QStringLiteral("GET /dashboard"), since);
    QVERIFY(request);
    QVERIFY(request->awaits.empty());
    QCOMPARE(droppedBy(index, *request).size(), 3);
}

QTEST_GUILESS_MAIN(TestNoAwait)
#include "tst_noawait.moc"
