// The live server on its own thread, driven by real clients on loopback: raw sockets, ab.
#include "support/hangguard.h"
#include "support/httptestclient.h"
#include "support/logcollector.h"
#include "support/rawsocket.h"
#include "support/routetable.h"
#include "support/serverfixture.h"
#include "support/traceevidence.h"

#include "core/modetable.h"
#include "core/precisesleep.h"
#include "core/serverlog.h"
#include "core/taskregistry.h"
#include "core/workerpool.h"
#include "http/connectionstats.h"
#include "http/httplistener.h"
#include "routing/dispatcher.h"
#include "serverhost.h"
#include "serverruntime.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>

using namespace loopscope;
using namespace loopscope::testing;

namespace {

// Sends the same request on `count` connections at once; returns when all are answered.
struct ConcurrentResult
{
    qint64 elapsedMs = 0;
    QList<int> statuses;
};
ConcurrentResult timedConcurrently(quint16 port, const QByteArray &target, int count)
{
    QElapsedTimer timer;
    timer.start();
    const QList<TestResponse> responses = fetchConcurrently(port, "GET", target, count, 30000);
    ConcurrentResult result;
    result.elapsedMs = timer.elapsed();
    for (const TestResponse &response : responses)
        result.statuses << response.status;
    return result;
}

} // namespace

class TestServer : public QObject
{
    Q_OBJECT
private slots:
    void endpoints_data();
    void endpoints();
    void usersRoundTrip();
    void apiDocsDescribeEveryRoute();
    void everyRouteNeedingAServiceAnswers503WithoutIt();
    void modesSwitchOverHttp();
    void abCompletes_data();
    void abCompletes();
    void asyncOverlapsBlockingSerialises();
    void pipelinedAnswersKeepRequestOrder();
    void http10AndConnectionClose_data();
    void http10AndConnectionClose();
    void requestIdEchoed_data();
    void requestIdEchoed();
    void clientLeavingMidAwaitLeavesServerHealthy();
    void handlerExceptionBecomes500();
    void backgroundTaskOutlivesItsRequest();
    void shutdownAnswersInFlightAndCancelsTasks();
    void shutdownCancelsCpuWorkAtTheDrainDeadline_data();
    void shutdownCancelsCpuWorkAtTheDrainDeadline();
};

void TestServer::endpoints_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("async") << QByteArray("GET") << QByteArray("/async?delay=0.05") << QByteArray()
                           << 200 << QByteArray(R"({"message":"Asynchronous endpoint completed"})");
    QTest::newRow("sync") << QByteArray("GET") << QByteArray("/sync?delay=0.05") << QByteArray()
                          << 200 << QByteArray(R"({"message":"Synchronous endpoint completed"})");
    QTest::newRow("unknown route") << QByteArray("GET") << QByteArray("/nope") << QByteArray()
                                   << 404 << QByteArray(R"({"detail":"Not Found"})");
    QTest::newRow("wrong method") << QByteArray("DELETE") << QByteArray("/async") << QByteArray()
                                  << 405 << QByteArray(R"({"detail":"Method Not Allowed"})");
    QTest::newRow("bad user id")
        << QByteArray("GET") << QByteArray("/users/abc") << QByteArray() << 422
        << QByteArray(
               R"({"detail":[{"loc":["path","user_id"],"msg":"value is not a valid integer","type":"type_error.integer"}]})");
    QTest::newRow("user without email")
        << QByteArray("POST") << QByteArray("/users/?username=al") << QByteArray() << 422
        << QByteArray(
               R"({"detail":[{"loc":["query","email"],"msg":"field required","type":"value_error.missing"}]})");
    QTest::newRow("unknown user") << QByteArray("GET") << QByteArray("/users/999") << QByteArray()
                                  << 404 << QByteArray(R"({"detail":"User not found"})");
    QTest::newRow("unknown product")
        << QByteArray("GET") << QByteArray("/products/999") << QByteArray() << 404
        << QByteArray(R"({"detail":"Product not found"})");
    QTest::newRow("delay out of range")
        << QByteArray("GET") << QByteArray("/async?delay=61") << QByteArray() << 422
        << QByteArray(
               R"({"detail":[{"ctx":{"limit_value":60},"loc":["query","delay"],"msg":"ensure this value is less than or equal to 60","type":"value_error.number.not_le"}]})");
    QTest::newRow("cpu") << QByteArray("GET") << QByteArray("/cpu?n=1000") << QByteArray() << 200
                         << QByteArray(R"({"n":1000,"primes":168,"variant":"threadpool"})");
    QTest::newRow("cpu n above its bound")
        << QByteArray("GET") << QByteArray("/cpu?n=20000001") << QByteArray() << 422
        << QByteArray(
               R"({"detail":[{"ctx":{"limit_value":20000000},"loc":["query","n"],"msg":"ensure this value is less than or equal to 20000000","type":"value_error.number.not_le"}]})");
    QTest::newRow("start-task") << QByteArray("GET") << QByteArray("/start-task") << QByteArray()
                                << 200
                                << QByteArray(
                                       R"({"message":"Task started, response sent immediately"})");
    QTest::newRow("signup")
        << QByteArray("POST") << QByteArray("/signup?username=al&email=al%40example.com")
        << QByteArray() << 200
        << QByteArray(
               R"({"message":"User al created successfully","note":"Welcome email will be sent shortly"})");
    QTest::newRow("create product")
        << QByteArray("POST") << QByteArray("/products/?name=lamp&price=9.5") << QByteArray() << 200
        << QByteArray(R"({"id":1,"name":"lamp","price":9.5})");
    // Non-finite numbers parse but could never be stored or computed with: 422, not null.
    for (const char *price : { "nan", "NaN", "inf", "-inf", "infinity", "-Infinity", "1e999" }) {
        QTest::addRow("product price %s", price)
            << QByteArray("POST") << QByteArray("/products/?name=lamp&price=") + price
            << QByteArray() << 422
            << QByteArray(
                   R"({"detail":[{"loc":["query","price"],"msg":"ensure this value is a finite number","type":"value_error.number.not_finite_number"}]})");
    }
    QTest::newRow("delay nan")
        << QByteArray("GET") << QByteArray("/async?delay=nan") << QByteArray() << 422
        << QByteArray(
               R"({"detail":[{"loc":["query","delay"],"msg":"ensure this value is a finite number","type":"value_error.number.not_finite_number"}]})");
    QTest::newRow("price not a number")
        << QByteArray("POST") << QByteArray("/products/?name=lamp&price=cheap") << QByteArray()
        << 422
        << QByteArray(
               R"({"detail":[{"loc":["query","price"],"msg":"value is not a valid float","type":"type_error.float"}]})");
    QTest::newRow("modes: bad json")
        << QByteArray("PUT") << QByteArray("/_scope/modes") << QByteArray("{") << 422
        << QByteArray(
               R"({"detail":[{"loc":["body"],"msg":"invalid JSON: unterminated object","type":"value_error.jsondecode"}]})");
    QTest::newRow("modes: unknown route")
        << QByteArray("PUT") << QByteArray("/_scope/modes")
        << QByteArray(R"({"route":"GET /x","variant":"async"})") << 422
        << QByteArray(
               R"({"detail":[{"loc":["body","route"],"msg":"unknown route 'GET /x'","type":"value_error"}]})");
    QTest::newRow("modes: unknown variant")
        << QByteArray("PUT") << QByteArray("/_scope/modes")
        << QByteArray(R"({"route":"GET /async","variant":"fast"})") << 422
        << QByteArray(
               R"j({"detail":[{"loc":["body","variant"],"msg":"unknown variant 'fast' (async, threadpool, blocking, no-await, processpool)","type":"value_error"}]})j");
}

void TestServer::endpoints()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QByteArray, expected);

    const auto host = startServer();
    const TestResponse response = fetch(host->port(), method, target, body);
    QVERIFY(response.complete);
    QCOMPARE(response.status, status);
    QCOMPARE(response.header("content-type"), QByteArray("application/json"));
    QCOMPARE(response.json(), QJsonDocument::fromJson(expected));
}

void TestServer::usersRoundTrip()
{
    const auto host = startServer();
    const TestResponse created
        = fetch(host->port(), "POST", "/users/?username=ada&email=ada%40example.com");
    QCOMPARE(created.status, 200);
    const QJsonObject user = created.json().object();
    QCOMPARE(user.value(QStringLiteral("username")).toString(), QStringLiteral("ada"));
    const int id = user.value(QStringLiteral("id")).toInt();
    QVERIFY(id > 0);
    const TestResponse read = fetch(host->port(), "GET", "/users/" + QByteArray::number(id));
    QCOMPARE(read.status, 200);
    QCOMPARE(read.json().object(), user);
}

void TestServer::apiDocsDescribeEveryRoute()
{
    const auto host = startServer();
    const TestResponse schema = fetch(host->port(), "GET", "/openapi.json");
    QCOMPARE(schema.status, 200);
    const QJsonObject paths = schema.json().object().value(QStringLiteral("paths")).toObject();
    for (int i = 0; i < host->modes().size(); ++i) {
        const QString route = host->modes().entry(i).route;
        const QString method = route.section(u' ', 0, 0).toLower();
        QVERIFY2(
            paths.value(route.section(u' ', 1)).toObject().contains(method), qPrintable(route));
    }
    const QJsonObject getAsync
        = paths.value(QStringLiteral("/async")).toObject().value(QStringLiteral("get")).toObject();
    const QJsonObject delay
        = getAsync.value(QStringLiteral("parameters")).toArray().at(0).toObject();
    QCOMPARE(delay.value(QStringLiteral("name")).toString(), QStringLiteral("delay"));
    QCOMPARE(delay.value(QStringLiteral("schema"))
                 .toObject()
                 .value(QStringLiteral("maximum"))
                 .toDouble(),
        60.0);
    QCOMPARE(getAsync.value(QStringLiteral("x-variants")).toArray().size(), 4); // and no-await
    const QJsonObject getUser = paths.value(QStringLiteral("/users/{user_id}"))
                                    .toObject()
                                    .value(QStringLiteral("get"))
                                    .toObject();
    const QJsonObject responses = getUser.value(QStringLiteral("responses")).toObject();
    QVERIFY(responses.contains(QStringLiteral("404")));
    QVERIFY(responses.contains(QStringLiteral("422")));

    const TestResponse page = fetch(host->port(), "GET", "/docs");
    QCOMPARE(page.status, 200);
    QVERIFY(page.header("content-type").startsWith("text/html"));
    QVERIFY(page.body.contains("/openapi.json"));
}

// The route table as a server without a database or outbound I/O wires it: every route that
// declares a service it needs answers that service's 503, whatever its parameters, and never
// reaches a handler that would use the missing service.
void TestServer::everyRouteNeedingAServiceAnswers503WithoutIt()
{
    RouteTable table;
    ServerServices services { table.pool, table.processes, table.tasks, table.log, table.modes };
    const Router &router = table.router;

    const QHash<QString, QString> unavailable {
        { QStringLiteral("database"),
            QStringLiteral("Database unavailable: no database configured") },
        { QStringLiteral("outbound"), QStringLiteral("outbound I/O is not running") },
    };
    QHash<QString, int> checked;
    for (const Route &route : router.routes()) {
        if (route.needs.isEmpty())
            continue;
        QVERIFY2(unavailable.contains(route.needs), qPrintable(route.key()));
        http::IncomingRequest incoming;
        incoming.request.method = route.method;
        incoming.request.path = route.pattern.toUtf8();
        RequestContext context { incoming, route, {}, {}, route.defaultVariant, services };
        const http::HttpResponse response = QCoro::waitFor(route.handler(context));
        QVERIFY2(response.status == 503, qPrintable(route.key()));
        QCOMPARE(QJsonDocument::fromJson(response.body)
                     .object()
                     .value(QStringLiteral("detail"))
                     .toString(),
            unavailable.value(route.needs));
        ++checked[route.needs];
    }
    // The items and posts routes and the pooling switch; weather, dashboard, scrape, files and
    // the simulator's two control routes.
    QCOMPARE(checked.value(QStringLiteral("database")), 8);
    QCOMPARE(checked.value(QStringLiteral("outbound")), 6);
}

void TestServer::modesSwitchOverHttp()
{
    const auto host = startServer();
    const TestResponse put = fetch(
        host->port(), "PUT", "/_scope/modes", R"({"route":"GET /sync","variant":"blocking"})");
    QCOMPARE(put.status, 200);
    QCOMPARE(put.json().object().value(QStringLiteral("variant")).toString(),
        QStringLiteral("blocking"));
    const QJsonArray routes = fetch(host->port(), "GET", "/_scope/modes")
                                  .json()
                                  .object()
                                  .value(QStringLiteral("routes"))
                                  .toArray();
    bool found = false;
    for (const QJsonValue &route : routes) {
        const QJsonObject entry = route.toObject();
        if (entry.value(QStringLiteral("route")).toString() == u"GET /sync") {
            QCOMPARE(entry.value(QStringLiteral("variant")).toString(), QStringLiteral("blocking"));
            QCOMPARE(
                entry.value(QStringLiteral("default")).toString(), QStringLiteral("threadpool"));
            found = true;
        }
    }
    QVERIFY(found);
    QCOMPARE(host->modes().variant(host->modes().indexOf(QStringLiteral("GET /sync"))),
        HandlerVariant::Blocking);
}

void TestServer::abCompletes_data()
{
    QTest::addColumn<bool>("keepAlive");
    QTest::newRow("one connection per request") << false;
    QTest::newRow("keep-alive (-k)") << true;
}

void TestServer::abCompletes()
{
    QFETCH(bool, keepAlive);
    const QString ab = QStandardPaths::findExecutable(QStringLiteral("ab"));
    if (ab.isEmpty())
        QSKIP("ab (apache2-utils) is not installed: `make deps` installs it");
    const auto host = startServer();
    QStringList arguments { QStringLiteral("-n"), QStringLiteral("100"), QStringLiteral("-c"),
        QStringLiteral("10"), QStringLiteral("-s"), QStringLiteral("30") };
    if (keepAlive)
        arguments << QStringLiteral("-k");
    arguments << QStringLiteral("http://127.0.0.1:%1/async?delay=0.2").arg(host->port());
    QProcess process;
    process.start(ab, arguments);
    QVERIFY(process.waitForFinished(60000));
    const QString output = QString::fromLocal8Bit(process.readAllStandardOutput());
    QVERIFY2(process.exitCode() == 0,
        qPrintable(output + QString::fromLocal8Bit(process.readAllStandardError())));
    QVERIFY2(output.contains(QRegularExpression(QStringLiteral("Complete requests:\\s+100\\n"))),
        qPrintable(output));
    QVERIFY2(output.contains(QRegularExpression(QStringLiteral("Failed requests:\\s+0\\n"))),
        qPrintable(output));
    if (keepAlive)
        QVERIFY2(
            output.contains(QRegularExpression(QStringLiteral("Keep-Alive requests:\\s+100\\n"))),
            qPrintable(output));
}

void TestServer::asyncOverlapsBlockingSerialises()
{
    const auto host = startServer();
    const trace::Nanos asyncSince = trace::nowNs();
    const ConcurrentResult overlapped = timedConcurrently(host->port(), "/async?delay=1", 4);
    QCOMPARE(overlapped.statuses, QList<int>({ 200, 200, 200, 200 }));

    QVERIFY(host->modes().set(QStringLiteral("GET /async"), QStringLiteral("blocking"))
        == ModeTable::SetResult::Ok);
    const trace::Nanos blockingSince = trace::nowNs();
    const ConcurrentResult serialised = timedConcurrently(host->port(), "/async?delay=1", 4);
    QCOMPARE(serialised.statuses, QList<int>({ 200, 200, 200, 200 }));
    QVERIFY2(serialised.elapsedMs >= 4000, qPrintable(QString::number(serialised.elapsedMs)));

    // From the trace, not the clock: the async sleeps were awaited side by side, the blocking
    // ones ran one after another on the loop.
    const trace::SpanIndex index = retainedSpans();
    const QString route = QStringLiteral("GET /async");
    std::vector<Interval> awaits;
    for (const trace::SpanRecord *span : requestSpansSince(index, route, asyncSince)) {
        if (span->begin() < blockingSince) {
            const std::vector<Interval> slept = awaitIntervals(*span);
            awaits.insert(awaits.end(), slept.begin(), slept.end());
        }
    }
    QCOMPARE(awaits.size(), std::size_t(4));
    std::vector<Interval> blocked;
    for (const trace::SpanRecord *span : requestSpansSince(index, route, blockingSince))
        for (const trace::BlockingRecord &call : span->blocking)
            blocked.emplace_back(call.begin, call.end);
    QCOMPARE(blocked.size(), std::size_t(4));
    qInfo("4 x /async?delay=1: async %lld ms (%d sleeps at once), blocking %lld ms",
        overlapped.elapsedMs, maxOverlap(awaits), serialised.elapsedMs);
    QVERIFY2(maxOverlap(awaits) >= 2, qPrintable(QString::number(maxOverlap(awaits))));
    QCOMPARE(maxOverlap(blocked), 1);
}

void TestServer::pipelinedAnswersKeepRequestOrder()
{
    const auto host = startServer();
    const RawExchange result = exchange(host->port(),
        "GET /async?delay=0.3 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: slow\r\n\r\n"
        "GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: fast\r\n\r\n"
        "GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: last\r\nConnection: close\r\n\r\n",
        3);
    QCOMPARE(result.responses.size(), 3);
    QCOMPARE(result.responses.at(0).header("x-request-id"), QByteArray("slow"));
    QCOMPARE(result.responses.at(0).status, 200);
    QCOMPARE(result.responses.at(1).header("x-request-id"), QByteArray("fast"));
    QCOMPARE(result.responses.at(2).header("x-request-id"), QByteArray("last"));
    QCOMPARE(result.responses.at(2).status, 404);
    QVERIFY(result.closedByServer);
}

void TestServer::http10AndConnectionClose_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("closes");
    QTest::addColumn<QByteArray>("connectionHeader");

    QTest::newRow("HTTP/1.0") << QByteArray("GET /_scope/health HTTP/1.0\r\n\r\n") << true
                              << QByteArray("close");
    QTest::newRow("HTTP/1.0 keep-alive")
        << QByteArray("GET /_scope/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << false
        << QByteArray("keep-alive");
    QTest::newRow("HTTP/1.1 close")
        << QByteArray("GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        << true << QByteArray("close");
    QTest::newRow("HTTP/1.1") << QByteArray(
        "GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                              << false << QByteArray();
    QTest::newRow("malformed closes with 400")
        << QByteArray("BROKEN\r\n\r\n") << true << QByteArray("close");
}

void TestServer::http10AndConnectionClose()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, closes);
    QFETCH(QByteArray, connectionHeader);
    const auto host = startServer();
    const RawExchange result = exchange(host->port(), request, 1);
    QCOMPARE(result.responses.size(), 1);
    QCOMPARE(result.closedByServer, closes);
    QCOMPARE(result.responses.at(0).header("connection"), connectionHeader);
}

void TestServer::requestIdEchoed_data()
{
    QTest::addColumn<QByteArray>("sent");
    QTest::addColumn<bool>("echoed");
    QTest::newRow("client id") << QByteArray("load-7-42") << true;
    QTest::newRow("too long") << QByteArray(65, 'x') << false;
    QTest::newRow("none") << QByteArray() << false;
}

void TestServer::requestIdEchoed()
{
    QFETCH(QByteArray, sent);
    QFETCH(bool, echoed);
    const auto host = startServer();
    QByteArray request = "GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!sent.isEmpty())
        request += "X-Request-Id: " + sent + "\r\n";
    const RawExchange result = exchange(host->port(), request + "\r\n", 1);
    QCOMPARE(result.responses.size(), 1);
    const QByteArray id = result.responses.at(0).header("x-request-id");
    QVERIFY(!id.isEmpty());
    QCOMPARE(id == sent, echoed);
}

void TestServer::clientLeavingMidAwaitLeavesServerHealthy()
{
    const auto host = startServer();
    const http::ConnectionStats &stats = *host->stats();
    constexpr int clients = 20;
    for (int i = 0; i < clients; ++i) {
        RawSocket socket(host->port());
        QVERIFY(socket.isConnected());
        QVERIFY(socket.send("GET /async?delay=0.2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        // Hang up while the handler is suspended: its answer must be dropped, never written.
        // A reset: a FIN alone may be a half-close, whose client still reads its answer.
        QTRY_VERIFY_WITH_TIMEOUT(stats.inFlightRequests.load() >= 1, hangGuardMs(5000));
        socket.reset();
    }
    QTRY_COMPARE_WITH_TIMEOUT(stats.responsesDropped.load(), quint64(clients), hangGuardMs(10000));
    QTRY_COMPARE_WITH_TIMEOUT(stats.inFlightRequests.load(), 0, hangGuardMs(5000));
    QTRY_COMPARE_WITH_TIMEOUT(stats.openConnections.load(), 0, hangGuardMs(5000));
    const TestResponse health = fetch(host->port(), "GET", "/_scope/health");
    QCOMPARE(health.status, 200);
    QCOMPARE(
        health.json().object().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
}

namespace {

// A dispatcher that throws before any coroutine of its own starts, for one path: the safety
// net must catch a handler's synchronous throw too.
class ThrowsAtOnce : public Dispatcher
{
public:
    using Dispatcher::Dispatcher;
    QCoro::Task<http::HttpResponse> handle(http::IncomingRequest &request) override
    {
        if (request.request.path == "/boom-at-once")
            throw std::runtime_error("thrown before its coroutine");
        return Dispatcher::handle(request);
    }
};

// A listener with routes that throw, on a thread of its own, to check the safety net: at once
// (in the route's coroutine before it suspends) and once a wait has suspended it.
class ThrowingServer
{
public:
    ThrowingServer()
    {
        Route route;
        route.method = "GET";
        route.pattern = QStringLiteral("/boom");
        route.handler = [](RequestContext &) -> QCoro::Task<http::HttpResponse> {
            throw std::runtime_error("deliberate failure");
            co_return http::HttpResponse {};
        };
        m_router.add(route);
        route.pattern = QStringLiteral("/boom-later");
        route.handler = [](RequestContext &) -> QCoro::Task<http::HttpResponse> {
            co_await PreciseSleep(std::chrono::milliseconds(1));
            throw std::runtime_error("failure after a wait");
            co_return http::HttpResponse {};
        };
        m_router.add(route);
        m_anchor.moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(
            &m_anchor,
            [this] {
                m_dispatcher
                    = std::make_unique<ThrowsAtOnce>(m_router, m_services, std::vector<int>(2, -1));
                m_listener = std::make_unique<http::HttpListener>(*m_dispatcher, m_limits, m_stats);
                m_listener->start(QHostAddress::LocalHost, 0);
                m_port = m_listener->serverPort();
            },
            Qt::BlockingQueuedConnection);
    }
    ~ThrowingServer()
    {
        QMetaObject::invokeMethod(
            &m_anchor, [this] { m_listener.reset(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    quint16 port() const { return m_port; }
    ServerLog &log() { return m_log; }

private:
    ServerLog m_log;
    ModeTable m_modes;
    WorkerPool m_pool { 2 };
    WorkerPool m_processes { 1, QStringLiteral("process pool") };
    TaskRegistry m_tasks { m_log };
    ServerServices m_services { m_pool, m_processes, m_tasks, m_log, m_modes };
    Router m_router;
    http::HttpLimits m_limits;
    http::ConnectionStats m_stats;
    std::unique_ptr<Dispatcher> m_dispatcher;
    std::unique_ptr<http::HttpListener> m_listener;
    QThread m_thread;
    QObject m_anchor;
    quint16 m_port = 0;
};

} // namespace

void TestServer::handlerExceptionBecomes500()
{
    ThrowingServer server;
    LogCollector logged(server.log());
    const TestResponse response = fetch(server.port(), "GET", "/boom");
    QCOMPARE(response.status, 500);
    QCOMPARE(response.json().object().value(QStringLiteral("detail")).toString(),
        QStringLiteral("Internal Server Error"));
    QTRY_VERIFY(logged.contains(QStringLiteral("deliberate failure")));
    for (const auto &[path, error] : { std::pair { "/boom-later", "failure after a wait" },
             std::pair { "/boom-at-once", "thrown before its coroutine" } }) {
        const TestResponse failed = fetch(server.port(), "GET", path);
        QCOMPARE(failed.status, 500);
        QCOMPARE(failed.json().object().value(QStringLiteral("detail")).toString(),
            QStringLiteral("Internal Server Error"));
        QTRY_VERIFY(logged.contains(QString::fromLatin1(error)));
    }
    // The server still serves after the failures.
    QCOMPARE(fetch(server.port(), "GET", "/nope").status, 404);
}

void TestServer::backgroundTaskOutlivesItsRequest()
{
    const auto host = startServer();
    LogCollector logged(host->log());
    QElapsedTimer timer;
    timer.start();
    const TestResponse created = fetch(host->port(), "POST", "/products/?name=desk&price=120");
    QCOMPARE(created.status, 200);
    // The response did not wait for the 3 s background task: it is still running (below).
    const QByteArray requestId = created.header("x-request-id");

    const QJsonObject tasks = fetch(host->port(), "GET", "/_scope/tasks").json().object();
    QCOMPARE(tasks.value(QStringLiteral("running")).toInt(), 1);
    const QJsonObject task = tasks.value(QStringLiteral("tasks")).toArray().at(0).toObject();
    QCOMPARE(task.value(QStringLiteral("name")).toString(), QStringLiteral("log_product_created"));
    QCOMPARE(task.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    QCOMPARE(
        task.value(QStringLiteral("parent_route")).toString(), QStringLiteral("POST /products/"));
    QCOMPARE(
        task.value(QStringLiteral("parent_request_id")).toString(), QString::fromLatin1(requestId));

    QTRY_VERIFY_WITH_TIMEOUT(logged.contains(QStringLiteral("Product created")), hangGuardMs(6000));
    QVERIFY(timer.elapsed() >= 2900);
    const QJsonObject after = fetch(host->port(), "GET", "/_scope/tasks").json().object();
    QCOMPARE(after.value(QStringLiteral("running")).toInt(), 0);
    QCOMPARE(after.value(QStringLiteral("tasks"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("state"))
                 .toString(),
        QStringLiteral("finished"));
}

void TestServer::shutdownAnswersInFlightAndCancelsTasks()
{
    ServerConfig config;
    config.taskGrace = std::chrono::milliseconds(200);
    auto host = startServer(config);
    LogCollector logged(host->log());
    QCOMPARE(fetch(host->port(), "GET", "/start-task").status, 200);

    QTcpSocket inFlight;
    inFlight.connectToHost(QHostAddress::LocalHost, host->port());
    QVERIFY(inFlight.waitForConnected(5000));
    inFlight.write("GET /async?delay=0.5 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY(inFlight.waitForBytesWritten(5000));
    QTRY_VERIFY_WITH_TIMEOUT(host->stats()->inFlightRequests.load() == 1, hangGuardMs(5000));

    host->stop(); // blocks until drained

    QVERIFY(inFlight.waitForReadyRead(1000) || inFlight.bytesAvailable() > 0);
    const auto answers = splitResponses(inFlight.readAll());
    QCOMPARE(answers.size(), 1);
    QCOMPARE(answers.at(0).status, 200);
    QTRY_VERIFY(logged.contains(QStringLiteral("cancelled background task background_work")));
}

void TestServer::shutdownCancelsCpuWorkAtTheDrainDeadline_data()
{
    QTest::addColumn<QString>("variant");
    for (const char *variant : { "threadpool", "async", "blocking" })
        QTest::newRow(variant) << QString::fromLatin1(variant);
}

void TestServer::shutdownCancelsCpuWorkAtTheDrainDeadline()
{
    QFETCH(QString, variant);
    ServerConfig config;
    config.drainTimeout = std::chrono::milliseconds(200);
    config.modeAssignments = { QStringLiteral("/cpu=") + variant };
    auto host = startServer(config);

    // The largest n: seconds of CPU, far more than the drain timeout.
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, host->port());
    QVERIFY(client.waitForConnected(5000));
    client.write("GET /cpu?n=20000000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY(client.waitForBytesWritten(5000));
    QTRY_VERIFY_WITH_TIMEOUT(host->stats()->inFlightRequests.load() == 1, hangGuardMs(5000));

    // Even the blocking variant, which holds the loop the stop is posted to, is cancelled.
    QVERIFY(host->stop());

    QByteArray answer;
    while (client.waitForReadyRead(5000))
        answer += client.readAll();
    const auto responses = splitResponses(answer + client.readAll());
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.at(0).status, 503);
    QCOMPARE(responses.at(0).json().object().value(u"detail").toString(),
        QStringLiteral("CPU work cancelled: the client left or the server is stopping"));
}

QTEST_GUILESS_MAIN(TestServer)
#include "tst_server.moc"
