// What the live server records: request spans, awaits, blocking calls, watchdog stalls, task
// lifetimes, and the two exports, checked against real requests.
#include "support/eventloopchecker.h"
#include "support/hangguard.h"
#include "support/httptestclient.h"
#include "support/processstatus.h"
#include "support/rawsocket.h"
#include "support/stallcharges.h"

#include "http/connectionstats.h"
#include "serverhost.h"
#include "trace/ringregistry.h"
#include "trace/spanindex.h"
#include "trace/tracehub.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>

using namespace loopscope;
using namespace loopscope::testing;
using trace::Kind;

namespace {

std::vector<trace::Event> retainedEvents()
{
    trace::TraceHub::instance().flush();
    return trace::TraceHub::instance().retained();
}

const trace::SpanRecord *requestSpan(const trace::SpanIndex &index, const QByteArray &requestId)
{
    for (const trace::SpanRecord &record : index.records()) {
        if (record.kind == trace::SpanKind::Request && record.requestId == requestId)
            return &record;
    }
    return nullptr;
}

struct Stall
{
    trace::Nanos begin = 0;
    trace::Nanos duration = 0;
};

std::vector<Stall> stallsBetween(
    const std::vector<trace::Event> &events, trace::Nanos from, trace::Nanos to)
{
    std::vector<Stall> stalls;
    for (const trace::Event &event : events) {
        if (event.kind == Kind::LoopStallEnd && event.time >= from
            && event.time - event.value <= to)
            stalls.push_back({ event.time - event.value, event.value });
    }
    return stalls;
}

TestResponse get(quint16 port, const QByteArray &target, const QByteArray &requestId)
{
    const RawExchange result = exchange(port,
        "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Request-Id: "
            + requestId + "\r\n\r\n",
        1, 20000);
    return result.responses.isEmpty() ? TestResponse {} : result.responses.constFirst();
}

constexpr double nsPerSecond = 1e9;

// The X-Request-Id of every request span in an exported trace.
QSet<QString> exportedRequestIds(const QByteArray &json)
{
    QSet<QString> ids;
    const QJsonArray events
        = QJsonDocument::fromJson(json).object().value(QStringLiteral("traceEvents")).toArray();
    for (const QJsonValue &value : events) {
        const QJsonObject event = value.toObject();
        const QJsonObject args = event.value(QStringLiteral("args")).toObject();
        // A request's own slice carries its id; the awaits nested in it carry no args.
        if (event.value(QStringLiteral("ph")).toString() == u"b"
            && event.value(QStringLiteral("cat")).toString() == u"request"
            && args.contains(QStringLiteral("request_id")))
            ids.insert(args.value(QStringLiteral("request_id")).toString());
    }
    return ids;
}

} // namespace

class TestTracing : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void loopRingIsReadyBeforeTheFirstRequest();
    void asyncAwaitsWithoutStalling();
    void blockingVariantStallsTheLoop();
    void backgroundTaskOutlivesItsRequest();
    void chromeTraceExportMatchesRequestIds();
    void metricsAreValidPrometheusText();
    void exportOverHttp10IsDelimitedByTheClose();
    void rangedExportHoldsOnlyItsRange();
    void exportRangeRejectsBadValues_data();
    void exportRangeRejectsBadValues();
    void exportToAClientThatStopsReadingStaysBounded();
    void stallsBlameEachBlockingCall_data();
    void stallsBlameEachBlockingCall();

private:
    std::unique_ptr<ServerHost> m_host;
};

void TestTracing::initTestCase()
{
    ServerConfig config;
    config.port = 0;
    config.databaseUrl = QStringLiteral("sqlite::memory:");
    m_host = std::make_unique<ServerHost>(config);
    QVERIFY2(m_host->start(), "server did not start");
}

void TestTracing::cleanupTestCase()
{
    m_host.reset();
}

// The loop's ring (16 MiB, every page made resident) is made when the server starts: made at the
// first request, it held that request unread for 60 ms with no stall to show for it.
void TestTracing::loopRingIsReadyBeforeTheFirstRequest()
{
    const std::size_t before = trace::RingRegistry::instance().bytesHeld();
    ServerConfig config;
    config.port = 0;
    config.databaseUrl = QStringLiteral("sqlite::memory:");
    ServerHost host(config);
    QVERIFY2(host.start(), "server did not start");
    QCOMPARE(host.stats()->requests.load(), std::uint64_t(0));
    const std::size_t loopRing = std::size_t(1 << 18) * sizeof(trace::Event);
    QVERIFY2(trace::RingRegistry::instance().bytesHeld() - before >= loopRing,
        qPrintable(QStringLiteral("%1 bytes of rings made")
                       .arg(trace::RingRegistry::instance().bytesHeld() - before)));
}

void TestTracing::asyncAwaitsWithoutStalling()
{
    const EventLoopChecker loop(m_host->loopThread());
    const TestResponse response = get(m_host->port(), "/async", "trace-async");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("x-request-id"), QByteArray("trace-async"));

    const auto events = retainedEvents();
    trace::SpanIndex index;
    index.add(events);
    const trace::SpanRecord *span = requestSpan(index, "trace-async");
    QVERIFY(span);
    QCOMPARE(trace::labelText(span->label), QStringLiteral("GET /async"));
    QCOMPARE(span->status, 200);
    QCOMPARE(span->variant, std::optional(HandlerVariant::Async));
    QVERIFY(span->accepted && span->started && span->written && span->closed);
    QCOMPARE(span->awaits.size(), std::size_t(1));
    const trace::AwaitRecord &await = span->awaits.front();
    QCOMPARE(trace::labelText(await.label), QStringLiteral("sleep 2s"));
    const double awaited = double(await.resume - await.suspend) / nsPerSecond;
    QVERIFY2(awaited > 1.9, qPrintable(QString::number(awaited)));
    QVERIFY(span->blocking.empty());
    // What an async sleep must never do is hold the loop: the loop ticked in each half of the
    // await (a busy machine may still keep it off its core now and then; the watchdog says so).
    const trace::Nanos middle = await.suspend + (await.resume - await.suspend) / 2;
    QVERIFY2(loop.ticksBetween(await.suspend, middle) > 0, "the loop stood still");
    QVERIFY2(loop.ticksBetween(middle, await.resume) > 0, "the loop stood still");
    for (const Stall &stall : stallsBetween(events, span->begin(), span->end()))
        qInfo("the loop stalled for %.1f ms during the await", stall.duration / 1e6);
}

void TestTracing::blockingVariantStallsTheLoop()
{
    QVERIFY(m_host->modes().set(QStringLiteral("GET /async"), QStringLiteral("blocking"))
        == ModeTable::SetResult::Ok);
    const EventLoopChecker loop(m_host->loopThread());
    const TestResponse response = get(m_host->port(), "/async", "trace-blocking");
    m_host->modes().set(QStringLiteral("GET /async"), QStringLiteral("async"));
    QCOMPARE(response.status, 200);

    // The watchdog records the stall's end once the loop answers its heartbeat, which can be
    // just after the client got its response.
    std::vector<trace::Event> events;
    trace::SpanIndex index;
    const trace::SpanRecord *span = nullptr;
    QTRY_VERIFY([&] {
        events = retainedEvents();
        index.clear();
        index.add(events);
        span = requestSpan(index, "trace-blocking");
        return span && !span->blocking.empty()
            && !stallsBetween(events, span->blocking.front().begin, span->blocking.front().end)
                    .empty();
    }());
    QCOMPARE(span->variant, std::optional(HandlerVariant::Blocking));
    QVERIFY(span->awaits.empty());
    QCOMPARE(span->blocking.size(), std::size_t(1));
    const trace::BlockingRecord &blocking = span->blocking.front();
    QCOMPARE(trace::labelText(blocking.label), QStringLiteral("sleep 2s"));
    // What the async test's ticks rule out: a loop inside a blocking call does not tick.
    QVERIFY(loop.ticked(1));
    QCOMPARE(loop.ticksBetween(blocking.begin, blocking.end), 0);

    // The watchdog saw the loop stall for about as long, whether or not the call was annotated.
    const auto stalls = stallsBetween(events, blocking.begin, blocking.end);
    QCOMPARE(stalls.size(), std::size_t(1));
    const double stalled = double(stalls.front().duration) / nsPerSecond;
    qInfo("stalled %.3f s; stall dated %.1f ms after the blocking call began", stalled,
        (stalls.front().begin - blocking.begin) / 1e6);
    QVERIFY2(stalled > 1.8, qPrintable(QString::number(stalled)));
    // The stall lasted until the call returned (the loop cannot answer a heartbeat before), and
    // was reported while the call was still blocking, not afterwards.
    QVERIFY(stalls.front().begin + stalls.front().duration >= blocking.end);
    QVERIFY2(std::any_of(events.begin(), events.end(),
                 [&](const trace::Event &event) {
                     return event.kind == Kind::LoopStallBegin && event.time > blocking.begin
                         && event.time < blocking.end;
                 }),
        "the stall was reported only after the call returned");
}

void TestTracing::backgroundTaskOutlivesItsRequest()
{
    const RawExchange created = exchange(m_host->port(),
        "POST /products/?name=desk&price=3 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "X-Request-Id: trace-product\r\nContent-Length: 0\r\n\r\n",
        1);
    QCOMPARE(created.responses.size(), 1);
    QCOMPARE(created.responses.at(0).status, 200);

    const trace::SpanRecord *task = nullptr;
    const trace::SpanRecord *request = nullptr;
    trace::SpanIndex index;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
        index.clear();
        index.add(retainedEvents());
        request = requestSpan(index, "trace-product");
        task = nullptr;
        for (const auto &record : index.records()) {
            if (request && record.kind == trace::SpanKind::Task && record.parent == request->span)
                task = &record;
        }
        return task && task->outcome == trace::SpanOutcome::Done;
    }()),
        hangGuardMs(8000));
    QCOMPARE(trace::labelText(task->label), QStringLiteral("log_product_created"));
    QVERIFY(request->closed > 0);
    QVERIFY(task->begin() < request->closed); // spawned while the request ran
    const double outlived = double(task->closed - request->closed) / nsPerSecond;
    QVERIFY2(outlived > 2.5, qPrintable(QString::number(outlived)));
}

void TestTracing::chromeTraceExportMatchesRequestIds()
{
    QCOMPARE(get(m_host->port(), "/sync?delay=0.05", "trace-json").status, 200);
    const TestResponse exported = get(m_host->port(), "/_scope/trace", "trace-export");
    QCOMPARE(exported.status, 200);
    QCOMPARE(exported.header("transfer-encoding"), QByteArray("chunked")); // streamed
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(exported.body, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonArray events = document.object().value(QStringLiteral("traceEvents")).toArray();
    QVERIFY(!events.isEmpty());

    QString spanId;
    QSet<QString> phases;
    for (const QJsonValue &value : events) {
        const QJsonObject event = value.toObject();
        phases.insert(event.value(QStringLiteral("ph")).toString());
        if (event.value(QStringLiteral("ph")).toString() == u"b"
            && event.value(QStringLiteral("args"))
                    .toObject()
                    .value(QStringLiteral("request_id"))
                    .toString()
                == u"trace-json") {
            QCOMPARE(event.value(QStringLiteral("name")).toString(), QStringLiteral("GET /sync"));
            spanId = event.value(QStringLiteral("id")).toString();
        }
    }
    QVERIFY(!spanId.isEmpty());
    for (const char *phase : { "M", "b", "e", "X", "C", "s", "f" })
        QVERIFY2(phases.contains(QString::fromLatin1(phase)), phase);
    // The /sync request (threadpool) has a pool job whose flow starts from the request.
    bool jobLinked = false;
    for (const QJsonValue &value : events) {
        const QJsonObject event = value.toObject();
        if (event.value(QStringLiteral("cat")).toString() == u"job"
            && event.value(QStringLiteral("ph")).toString() == u"X"
            && event.value(QStringLiteral("args"))
                    .toObject()
                    .value(QStringLiteral("parent"))
                    .toString()
                == spanId)
            jobLinked = true;
    }
    QVERIFY(jobLinked);
}

void TestTracing::metricsAreValidPrometheusText()
{
    QCOMPARE(get(m_host->port(), "/nope", "trace-404").status, 404);
    const TestResponse response = get(m_host->port(), "/_scope/metrics", "trace-metrics");
    QCOMPARE(response.status, 200);
    QVERIFY(response.header("content-type").startsWith("text/plain; version=0.0.4"));

    const QRegularExpression sample(QStringLiteral(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? (-?[0-9.eE+-]+|\+Inf|NaN)$)"));
    QSet<QString> typed;
    QSet<QString> sampled;
    for (const QByteArray &rawLine : response.body.split('\n')) {
        const QString line = QString::fromUtf8(rawLine);
        if (line.isEmpty())
            continue;
        if (line.startsWith(u"# TYPE ")) {
            typed.insert(line.section(u' ', 2, 2));
            continue;
        }
        if (line.startsWith(u'#'))
            continue;
        const auto match = sample.match(line);
        QVERIFY2(match.hasMatch(), qPrintable(line));
        QString family = match.captured(1);
        for (const QString &suffix :
            { QStringLiteral("_bucket"), QStringLiteral("_sum"), QStringLiteral("_count") }) {
            if (family.endsWith(suffix) && !typed.contains(family))
                family.chop(suffix.size());
        }
        QVERIFY2(typed.contains(family), qPrintable(QStringLiteral("no TYPE for ") + family));
        sampled.insert(family);
    }
    for (const char *family : { "loopscope_requests_total", "loopscope_request_duration_seconds",
             "loopscope_in_flight_requests", "loopscope_loop_stalls_total",
             "loopscope_trace_events_dropped_total", "loopscope_trace_memory_bytes",
             "loopscope_connections_open" })
        QVERIFY2(sampled.contains(QString::fromLatin1(family)), family);
    QVERIFY(
        response.body.contains(R"(loopscope_requests_total{route="<unmatched>",status="404"})"));
    // The server loop's ring (2^18 events of 64 bytes) is held whole from its first event.
    const QRegularExpression rings(
        QStringLiteral(R"(loopscope_trace_memory_bytes\{part="rings"\} (\d+)\n)"));
    const auto ringBytes = rings.match(QString::fromUtf8(response.body));
    QVERIFY(ringBytes.hasMatch());
    QVERIFY2(
        ringBytes.captured(1).toLongLong() >= (1 << 18) * 64, qPrintable(ringBytes.captured(1)));
}

void TestTracing::exportOverHttp10IsDelimitedByTheClose()
{
    QCOMPARE(get(m_host->port(), "/async?delay=0", "http10-export").status, 200);
    RawSocket client(m_host->port());
    QVERIFY(client.send("GET /_scope/trace HTTP/1.0\r\n\r\n"));
    bool closed = false;
    const QByteArray answer = client.readUntilClosed(30000, &closed);
    QVERIFY(closed);
    const qsizetype headEnd = answer.indexOf("\r\n\r\n");
    QVERIFY(headEnd > 0);
    const QByteArray head = answer.first(headEnd).toLower();
    QVERIFY2(
        !head.contains("content-length") && !head.contains("transfer-encoding"), head.constData());
    QVERIFY(head.contains("connection: close"));
    QVERIFY(
        exportedRequestIds(answer.sliced(headEnd + 4)).contains(QStringLiteral("http10-export")));
}

void TestTracing::rangedExportHoldsOnlyItsRange()
{
    QCOMPARE(get(m_host->port(), "/async?delay=0", "range-before").status, 200);
    trace::TraceHub::instance().flush();
    const trace::Nanos since = trace::nowNs();
    QCOMPARE(get(m_host->port(), "/async?delay=0", "range-inside").status, 200);
    trace::TraceHub::instance().flush();
    const trace::Nanos until = trace::nowNs();
    QCOMPARE(get(m_host->port(), "/async?delay=0", "range-after").status, 200);

    const TestResponse ranged = get(m_host->port(),
        "/_scope/trace?since=" + QByteArray::number(since) + "&until=" + QByteArray::number(until),
        "range-export");
    QCOMPARE(ranged.status, 200);
    QCOMPARE(exportedRequestIds(ranged.body), QSet<QString> { QStringLiteral("range-inside") });

    // The whole window has all three; the last millisecond has none of them.
    const QSet<QString> whole
        = exportedRequestIds(get(m_host->port(), "/_scope/trace", "all").body);
    for (const char *id : { "range-before", "range-inside", "range-after" })
        QVERIFY2(whole.contains(QString::fromLatin1(id)), id);
    const QSet<QString> recent
        = exportedRequestIds(get(m_host->port(), "/_scope/trace?last=0.001", "recent").body);
    QVERIFY(!recent.contains(QStringLiteral("range-before")));
    const QSet<QString> hour
        = exportedRequestIds(get(m_host->port(), "/_scope/trace?last=3600", "hour").body);
    QVERIFY(hour.contains(QStringLiteral("range-before")));
}

void TestTracing::exportRangeRejectsBadValues_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("field");
    QTest::newRow("last not a number") << QByteArray("last=abc") << QStringLiteral("last");
    QTest::newRow("last zero") << QByteArray("last=0") << QStringLiteral("last");
    QTest::newRow("last negative") << QByteArray("last=-5") << QStringLiteral("last");
    QTest::newRow("since negative") << QByteArray("since=-1") << QStringLiteral("since");
    QTest::newRow("until not an integer") << QByteArray("until=1.5e") << QStringLiteral("until");
    QTest::newRow("until before since") << QByteArray("since=5&until=3") << QStringLiteral("until");
    QTest::newRow("last and since") << QByteArray("last=1&since=2") << QStringLiteral("last");
}

void TestTracing::exportRangeRejectsBadValues()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, field);
    const TestResponse response = get(m_host->port(), "/_scope/trace?" + query, "bad-range");
    QCOMPARE(response.status, 422);
    const QJsonObject error
        = response.json().object().value(QStringLiteral("detail")).toArray().first().toObject();
    QCOMPARE(error.value(QStringLiteral("loc")).toArray(),
        QJsonArray({ QStringLiteral("query"), field }));
    QVERIFY(!error.value(QStringLiteral("msg")).toString().isEmpty());
}

void TestTracing::exportToAClientThatStopsReadingStaysBounded()
{
    // 1,000 requests of 150 awaits each: 300k events (19 MB in the window) that make some 50 MB
    // of JSON, more than the bound below; built whole, the answer alone would pass it.
    constexpr int requests = 1000;
    constexpr int awaits = 150;
    const std::uint32_t label = trace::label("stream test await");
    for (int r = 0; r < requests; ++r) {
        const std::uint64_t span = trace::newSpanId();
        trace::record(Kind::RequestAccepted, span);
        trace::record(Kind::HandlerStarted, span);
        for (int a = 0; a < awaits; ++a) {
            trace::record(Kind::AwaitSuspend, span, label);
            trace::record(Kind::AwaitResume, span, label);
        }
        trace::record(Kind::ResponseWritten, span, 0, 100, 200);
        trace::record(Kind::RequestClosed, span, 0, 0, 200);
        trace::TraceHub::instance().flush(); // ahead of the ring's capacity
    }

    ServerConfig config;
    config.port = 0;
    config.databaseUrl = QStringLiteral("sqlite::memory:");
    config.limits.keepAliveTimeout = std::chrono::seconds(1); // ends the test: the client idles
    ServerHost host(config);
    QVERIFY2(host.start(), "server did not start");
    const http::ConnectionStats &stats = *host.stats();

    const qint64 pid = QCoreApplication::applicationPid();
    const qint64 beforeKiB = rssKb(pid);
    qint64 peakKiB = beforeKiB;
    RawSocket client(host.port(), 4096);
    QVERIFY(client.send("GET /_scope/trace HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    QTRY_VERIFY_WITH_TIMEOUT(
        (peakKiB = qMax(peakKiB, rssKb(pid)), stats.idleTimeouts.load() >= 1u), hangGuardMs(60000));
    // The copy of the window and its span index, plus the unsent cap: not the whole text.
    if (rssBoundsHold()) {
        QVERIFY2(peakKiB - beforeKiB < 64 * 1024,
            qPrintable(QStringLiteral("RSS %1 -> %2 KiB").arg(beforeKiB).arg(peakKiB)));
    }
    QCOMPARE(fetch(host.port(), "GET", "/_scope/health").status, 200);
}

void TestTracing::stallsBlameEachBlockingCall_data()
{
    QTest::addColumn<QString>("variant");
    QTest::addColumn<int>("blockingCalls");
    QTest::addColumn<bool>("sendSentTime"); // X-Loopscope-Sent, or the kernel's stamp alone
    QTest::newRow("blocking: one culprit per call") << QStringLiteral("blocking") << 10 << false;
    QTest::newRow("blocking, the clients say when they sent")
        << QStringLiteral("blocking") << 10 << true;
    QTest::newRow("async: no stall, no victims") << QStringLiteral("async") << 0 << false;
}

void TestTracing::stallsBlameEachBlockingCall()
{
    QFETCH(QString, variant);
    QFETCH(int, blockingCalls);
    QFETCH(bool, sendSentTime);
    constexpr int clients = 10;
    constexpr qint64 serviceNs = 500'000'000; // what /async?delay=0.5 costs on its own
    const quint16 port = m_host->port();
    const QByteArray prefix = "stalls-" + variant.toLatin1() + (sendSentTime ? "-s-" : "-k-");
    const auto setVariant = [port](const QString &name) {
        return fetch(port, "PUT", "/_scope/modes",
            R"({"route": "GET /async", "variant": ")" + name.toLatin1() + R"("})")
            .status;
    };
    QCOMPARE(setVariant(variant), 200);
    const QList<TestResponse> responses
        = fetchConcurrently(port, "GET", "/async?delay=0.5", clients, 60000, prefix, sendSentTime);
    QCOMPARE(setVariant(QStringLiteral("async")), 200);
    qint64 measuredWait = 0; // what the clients waited beyond their own service time
    trace::SpanIndex index;
    index.add(retainedEvents());
    for (int i = 0; i < clients; ++i) {
        const TestResponse &response = responses.at(i);
        QCOMPARE(response.status, 200);
        QVERIFY(response.receivedNs > response.sentNs);
        measuredWait += response.receivedNs - response.sentNs - serviceNs;
        // Each request knows since when it existed: the kernel's stamp always, the client's
        // send time when it said so.
        const trace::SpanRecord *span = requestSpan(index, prefix + QByteArray::number(i));
        QVERIFY(span);
        QVERIFY(span->arrived != 0);
        QCOMPARE(span->sent, sendSentTime ? response.sentNs : 0);
    }

    StallCharges charges;
    const auto readReport = [&] {
        const TestResponse report = fetch(port, "GET", "/_scope/stalls");
        if (report.status != 200)
            return false;
        charges = stallCharges(report.json().object(), prefix);
        return charges.culprits.size() >= blockingCalls;
    };
    // The last stall reaches the trace once the watchdog sees the loop answer again.
    QTRY_VERIFY(readReport());
    QCOMPARE(int(charges.culprits.size()), blockingCalls);
    QCOMPARE(int(charges.culpritIds.size()), blockingCalls); // ten calls, ten culprits
    for (const QJsonObject &culprit : charges.culprits) {
        QCOMPARE(culprit[QStringLiteral("route")].toString(), QStringLiteral("GET /async"));
        QCOMPARE(culprit[QStringLiteral("variant")].toString(), QStringLiteral("blocking"));
        QVERIFY(!culprit[QStringLiteral("label")].toString().isEmpty());
    }
    QVERIFY(charges.totalsAgree);
    qInfo("%s: clients waited %.3f s beyond their service; stalls charged %.3f s to them "
          "(blocking calls; %.3f s of it in the socket) and %.3f s (busy loop)",
        qPrintable(variant), measuredWait / 1e9, charges.byBlockingCalls / 1e9,
        charges.inSocket / 1e9, charges.byBusyLoop / 1e9);
    if (blockingCalls == 0) {
        QCOMPARE(charges.byBlockingCalls, qint64(0));
        return;
    }
    // The requests behind a blocking call wait unread in the kernel. These clients send no
    // X-Loopscope-Sent, as ab or wrk: the kernel's receive stamp dates that wait ("socket").
    QVERIFY2(charges.inSocket > 0, "no wait in the socket was charged");
    QVERIFY2(std::abs(charges.byBlockingCalls - measuredWait) <= measuredWait / 10,
        qPrintable(QStringLiteral("charged %1 ns, measured %2 ns")
                       .arg(charges.byBlockingCalls)
                       .arg(measuredWait)));
}

QTEST_GUILESS_MAIN(TestTracing)
#include "tst_tracing.moc"
