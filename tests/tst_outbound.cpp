// Outbound I/O: the upstream simulator, the pooled async client, and the course's routes that
// call other services (/weather, /dashboard, /scrape) or read files (/files), on real sockets.
#include "support/cannedupstream.h"
#include "support/hangguard.h"
#include "support/httptestclient.h"
#include "support/serverfixture.h"
#include "support/traceevidence.h"

#include "serverhost.h"
#include "upstream/httpclient.h"
#include "upstream/responsereader.h"
#include "upstream/upstreamsimulator.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <thread>

using namespace loopscope;
using namespace loopscope::testing;

namespace {

constexpr int latencyMs = 200;

// The simulator answers after latencyMs, so awaits are long enough to overlap and to see.
std::unique_ptr<ServerHost> startWithLatency(ServerConfig config = {})
{
    config.outbound.simulator.latencyMs = latencyMs;
    return testing::startServer(config);
}

QByteArray encoded(const QString &text)
{
    return QUrl::toPercentEncoding(text);
}

QJsonObject fetchJson(
    quint16 port, const QByteArray &target, int *status = nullptr, qint64 *elapsedMs = nullptr)
{
    QElapsedTimer timer;
    timer.start();
    const TestResponse response = fetch(port, "GET", target);
    if (elapsedMs)
        *elapsedMs = timer.elapsed();
    if (status)
        *status = response.status;
    return response.json().object();
}

void put(quint16 port, const QByteArray &target, const QByteArray &body)
{
    const TestResponse response = fetch(port, "PUT", target, body);
    QVERIFY2(response.status == 200, response.body.constData());
}

// How many upstream calls the one request to `route` made since `since` had in flight at once,
// from the trace's awaits (waits for a semaphore permit left out); -1 without exactly one request.
int upstreamCallsAtOnce(const QString &route, trace::Nanos since)
{
    const trace::SpanIndex index = retainedSpans();
    const std::vector<const trace::SpanRecord *> spans = requestSpansSince(index, route, since);
    if (spans.size() != 1)
        return -1;
    return maxOverlap(awaitIntervals(*spans.front(), trace::label("semaphore.acquire")));
}

QString simulatorUrl(quint16 port)
{
    return fetchJson(port, "/_scope/upstream")
        .value(QStringLiteral("simulator"))
        .toObject()
        .value(QStringLiteral("url"))
        .toString();
}

} // namespace

class TestOutbound : public QObject
{
    Q_OBJECT
private slots:
    void simulatorShapes_data();
    void simulatorShapes();
    void responseReaderFraming();
    void responseReaderCapsTheBody_data();
    void responseReaderCapsTheBody();
    void clientPoolLimitsAndReuses();
    void clientTimesOutAHang();
    void onlyANewConnectionPaysTheHandshake();
    void weather();
    void weatherUpstreamFailureIs502();
    void hangingUpstreamIsBoundedByTheTimeout();
    void dashboardGathersOnlyWhenAsync_data();
    void dashboardGathersOnlyWhenAsync();
    void sharedClientKeepsConnectionsPerCallDoesNot();
    void aClientMadePerCallBlocksTheLoopToBuildIt();
    void scrapeDefaults();
    void scrapeHangingUrlTimesOutOthersIntact();
    void scrapeEveryUrlFailingStillAnswersTheList();
    void scrapeSemaphoreBoundsConcurrency();
    void scrapeGlobalSemaphoreIsSharedByEveryRequest_data();
    void scrapeGlobalSemaphoreIsSharedByEveryRequest();
    void anUnknownChoiceIsRefusedWithWhatIsPermitted_data();
    void anUnknownChoiceIsRefusedWithWhatIsPermitted();
    void scrapeOverCapBodyFailsOnlyThatUrl_data();
    void scrapeOverCapBodyFailsOnlyThatUrl();
    void scrapeRejectsHosts_data();
    void scrapeRejectsHosts();
    void files_data();
    void files();
    void aSlowDiskWaitsWhereTheReadRuns_data();
    void aSlowDiskWaitsWhereTheReadRuns();
    void upstreamControlValidates();
};

void TestOutbound::simulatorShapes_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("items"); // -1: an object
    QTest::newRow("users") << QByteArray("/users") << 200 << 10;
    QTest::newRow("posts") << QByteArray("/posts") << 200 << 100;
    QTest::newRow("comments") << QByteArray("/comments") << 200 << 500;
    QTest::newRow("post 1") << QByteArray("/posts/1") << 200 << -1;
    QTest::newRow("comment 1") << QByteArray("/comments/1") << 200 << -1;
    QTest::newRow("album 1") << QByteArray("/albums/1") << 200 << -1;
    QTest::newRow("weather") << QByteArray("/v1/London") << 200 << -1;
    QTest::newRow("no post 101") << QByteArray("/posts/101") << 404 << -1;
    QTest::newRow("unknown") << QByteArray("/nope") << 404 << -1;
}

void TestOutbound::simulatorShapes()
{
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    QFETCH(int, items);
    const upstream::SimulatedAnswer answer = upstream::simulatedAnswer(path);
    QCOMPARE(answer.status, status);
    const QJsonDocument document = QJsonDocument::fromJson(answer.body);
    if (items >= 0) {
        QCOMPARE(document.array().size(), items);
    } else if (status == 200) {
        QVERIFY(document.isObject());
        if (path.startsWith("/v1/"))
            QVERIFY(document.object().value(QStringLiteral("temp")).isDouble());
        else
            QCOMPARE(document.object().value(QStringLiteral("id")).toInt(), 1);
    }
}

void TestOutbound::responseReaderFraming()
{
    const QByteArray chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
                               "chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    upstream::ResponseReader reader;
    for (char c : chunked) // one byte at a time: every boundary is a split
        reader.feed(QByteArrayView(&c, 1));
    QCOMPARE(reader.state(), upstream::ResponseReader::State::Complete);
    QCOMPARE(reader.body(), QByteArray("hello world"));

    upstream::ResponseReader closing;
    closing.feed("HTTP/1.0 503 Busy\r\n\r\npartial");
    QCOMPARE(closing.state(), upstream::ResponseReader::State::NeedMore);
    QCOMPARE(closing.finishAtClose(), upstream::ResponseReader::State::Complete);
    QCOMPARE(closing.status(), 503);
    QCOMPARE(closing.body(), QByteArray("partial"));

    upstream::ResponseReader cut;
    cut.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    QCOMPARE(cut.finishAtClose(), upstream::ResponseReader::State::Error);
}

void TestOutbound::responseReaderCapsTheBody_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<bool>("tooLarge");
    const QByteArray length = "HTTP/1.1 200 OK\r\nContent-Length: ";
    const QByteArray chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    QTest::newRow("length at the cap") << QByteArray(length + "10\r\n\r\nxxxxxxxxxx") << false;
    QTest::newRow("length over the cap") << QByteArray(length + "11\r\n\r\n") << true;
    // It failed the whole /scrape with std::bad_alloc.
    QTest::newRow("huge length") << QByteArray(length + "99999999999999\r\n\r\n") << true;
    QTest::newRow("chunked at the cap")
        << QByteArray(chunked + "5\r\nxxxxx\r\n5\r\nxxxxx\r\n0\r\n\r\n") << false;
    QTest::newRow("chunked over the cap")
        << QByteArray(chunked + "5\r\nxxxxx\r\n6\r\nxxxxxx\r\n0\r\n\r\n") << true;
    QTest::newRow("huge chunk") << QByteArray(chunked + "ffffffffffff\r\nxx") << true;
    QTest::newRow("until close over the cap")
        << QByteArray("HTTP/1.0 200 OK\r\n\r\nxxxxxxxxxxx") << true;
}

void TestOutbound::responseReaderCapsTheBody()
{
    QFETCH(QByteArray, response);
    QFETCH(bool, tooLarge);
    upstream::ResponseReader reader(10);
    for (char c : response) // one byte at a time: the cap holds at every boundary
        reader.feed(QByteArrayView(&c, 1));
    reader.finishAtClose();
    QCOMPARE(reader.bodyTooLarge(), tooLarge);
    QCOMPARE(reader.state(),
        tooLarge ? upstream::ResponseReader::State::Error
                 : upstream::ResponseReader::State::Complete);
    QVERIFY(reader.body().size() <= 10);
}

void TestOutbound::clientPoolLimitsAndReuses()
{
    upstream::UpstreamSimulator simulator({ 100, 0, 0.0, QStringLiteral("mixed") });
    QVERIFY(simulator.start());
    upstream::HttpClient client(2);
    int done = 0;
    int ok = 0;
    auto one = [&]() -> QCoro::Task<> {
        const upstream::FetchResult result
            = co_await client.get(QUrl(simulator.url().toString() + QStringLiteral("/users/1")));
        ok += result && result.status == 200;
        ++done;
    };
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 6; ++i)
        one();
    QTRY_COMPARE_WITH_TIMEOUT(done, 6, hangGuardMs(5000));
    QCOMPARE(ok, 6);
    // Two connections at most, each used three times: three rounds of the latency.
    QCOMPARE(simulator.connectionsAccepted(), quint64(2));
    QVERIFY2(timer.elapsed() >= 290, QByteArray::number(timer.elapsed()).constData());
    QCOMPARE(client.idleConnections(), 2);
}

void TestOutbound::clientTimesOutAHang()
{
    upstream::UpstreamSimulator simulator({ 0, 0, 0.0, QStringLiteral("mixed") });
    QVERIFY(simulator.start());
    upstream::HttpClient client;
    std::optional<upstream::FetchResult> hung;
    std::optional<upstream::FetchResult> reset;
    // Named: a coroutine lambda's captures live in the lambda object, which must outlive it.
    auto hang = [&]() -> QCoro::Task<> {
        hung = co_await client.get(
            QUrl(simulator.url().toString() + QStringLiteral("/users?fail=hang")),
            { std::chrono::milliseconds(300) });
    };
    auto resetting = [&]() -> QCoro::Task<> {
        reset = co_await client.get(
            QUrl(simulator.url().toString() + QStringLiteral("/users?fail=reset")));
    };
    hang();
    resetting();
    QTRY_VERIFY_WITH_TIMEOUT(hung && reset, hangGuardMs(5000));
    QVERIFY(!*hung);
    QVERIFY2(hung->error.startsWith(u"ReadTimeout"), qPrintable(hung->error));
    // Ended by its own 300 ms timeout, not a longer default one.
    QVERIFY2(hung->error.contains(u"within 0.3 s"), qPrintable(hung->error));
    QVERIFY(hung->seconds >= 0.29);
    QVERIFY(!*reset);
    QVERIFY2(reset->error.startsWith(u"RemoteProtocolError"), qPrintable(reset->error));
    // The blocking twin behaves the same.
    const upstream::FetchResult blocking = upstream::blockingGet(
        QUrl(simulator.url().toString() + QStringLiteral("/users?fail=hang")),
        std::chrono::milliseconds(200));
    QVERIFY2(blocking.error.startsWith(u"ReadTimeout"), qPrintable(blocking.error));
    const upstream::FetchResult fine
        = upstream::blockingGet(QUrl(simulator.url().toString() + QStringLiteral("/posts/2")),
            std::chrono::milliseconds(2000));
    QCOMPARE(fine.status, 200);
}

// The handshake is set once the first connection is up: the kept-alive one answers as before,
// while a new client's new connection waits out the handshake (and its timeout, far shorter).
void TestOutbound::onlyANewConnectionPaysTheHandshake()
{
    upstream::UpstreamSimulator simulator({ 0, 0, 0.0, QStringLiteral("mixed") });
    QVERIFY(simulator.start());
    const QUrl url(simulator.url().toString() + QStringLiteral("/users/1"));
    upstream::HttpClient shared(1);
    upstream::HttpClient perCall(1);
    std::optional<upstream::FetchResult> first;
    std::optional<upstream::FetchResult> reused;
    std::optional<upstream::FetchResult> fresh;
    auto get = [&](upstream::HttpClient &client, std::optional<upstream::FetchResult> &into,
                   std::chrono::milliseconds timeout) -> QCoro::Task<> {
        into = co_await client.get(url, { timeout });
    };
    get(shared, first, std::chrono::milliseconds(hangGuardMs(5000)));
    QTRY_VERIFY_WITH_TIMEOUT(first.has_value(), hangGuardMs(5000));
    QCOMPARE(first->status, 200);
    upstream::SimulatorSettings settings = simulator.settings();
    settings.handshakeMs = 600'000;
    simulator.setSettings(settings);
    get(shared, reused, std::chrono::milliseconds(hangGuardMs(5000)));
    get(perCall, fresh, std::chrono::milliseconds(300));
    QTRY_VERIFY_WITH_TIMEOUT(reused && fresh, hangGuardMs(5000));
    QCOMPARE(reused->status, 200);
    QVERIFY(!*fresh);
    QVERIFY2(fresh->error.startsWith(u"ReadTimeout"), qPrintable(fresh->error));
    QCOMPARE(simulator.connectionsAccepted(), quint64(2));
}

void TestOutbound::weather()
{
    auto server = startWithLatency();
    int status = 0;
    const QJsonObject body = fetchJson(server->port(), "/weather/London", &status);
    QCOMPARE(status, 200);
    QCOMPARE(body.value(QStringLiteral("city")).toString(), QStringLiteral("London"));
    QVERIFY(body.value(QStringLiteral("temperature")).isDouble());
    // Same city, same temperature, whatever the variant.
    put(server->port(), "/_scope/modes", R"({"route":"GET /weather/{city}","variant":"blocking"})");
    QCOMPARE(fetchJson(server->port(), "/weather/London").value(QStringLiteral("temperature")),
        body.value(QStringLiteral("temperature")));
}

void TestOutbound::weatherUpstreamFailureIs502()
{
    auto server = startWithLatency();
    put(server->port(), "/_scope/upstream", R"({"failure_rate":1,"failure_mode":"500"})");
    int status = 0;
    QJsonObject body = fetchJson(server->port(), "/weather/Paris", &status);
    QCOMPARE(status, 502);
    QVERIFY(body.value(QStringLiteral("detail")).toString().contains(u"HTTP 500"));
    put(server->port(), "/_scope/upstream", R"({"failure_mode":"reset"})");
    body = fetchJson(server->port(), "/weather/Paris", &status);
    QCOMPARE(status, 502);
    QVERIFY(body.value(QStringLiteral("detail")).toString().contains(u"RemoteProtocolError"));
}

void TestOutbound::hangingUpstreamIsBoundedByTheTimeout()
{
    auto server = startWithLatency();
    const quint16 port = server->port();
    put(port, "/_scope/upstream", R"({"failure_rate":1,"failure_mode":"hang"})");
    // Both wait on an upstream that never answers; the loop keeps serving meanwhile, and each
    // gives up after the course's 10 s timeout (/dashboard's three gathered calls together).
    QElapsedTimer timer;
    timer.start();
    TestResponse weather;
    TestResponse dashboard;
    std::jthread weatherClient([&] { weather = fetch(port, "GET", "/weather/Paris", {}, 30000); });
    std::jthread dashboardClient([&] { dashboard = fetch(port, "GET", "/dashboard", {}, 30000); });
    QTRY_COMPARE(fetchJson(port, "/_scope/health").value(u"in_flight").toInt(), 3);
    QCOMPARE(fetch(port, "GET", "/async?delay=0").status, 200);
    weatherClient.join();
    dashboardClient.join();
    for (const TestResponse *answer : { &weather, &dashboard }) {
        QCOMPARE(answer->status, 502);
        QVERIFY2(answer->json().object().value(u"detail").toString().contains(u"ReadTimeout"),
            answer->body.constData());
        QVERIFY2(answer->json().object().value(u"detail").toString().contains(u"within 10 s"),
            answer->body.constData());
    }
    qInfo("both gave up after %lld ms", timer.elapsed());
    QCOMPARE(fetchJson(port, "/_scope/health").value(u"in_flight").toInt(), 1);
}

void TestOutbound::dashboardGathersOnlyWhenAsync_data()
{
    QTest::addColumn<QByteArray>("variant");
    QTest::addColumn<QByteArray>("client");
    QTest::addColumn<bool>("gathers");
    QTest::newRow("async shared") << QByteArray("async") << QByteArray("shared") << true;
    QTest::newRow("async per-call") << QByteArray("async") << QByteArray("per-call") << true;
    QTest::newRow("threadpool") << QByteArray("threadpool") << QByteArray("shared") << false;
    QTest::newRow("blocking") << QByteArray("blocking") << QByteArray("shared") << false;
}

void TestOutbound::dashboardGathersOnlyWhenAsync()
{
    QFETCH(QByteArray, variant);
    QFETCH(QByteArray, client);
    QFETCH(bool, gathers);
    auto server = startWithLatency();
    put(server->port(), "/_scope/modes",
        R"({"route":"GET /dashboard","variant":")" + variant + "\"}");
    int status = 0;
    qint64 elapsed = 0;
    const trace::Nanos since = trace::nowNs();
    const QJsonObject body
        = fetchJson(server->port(), "/dashboard?client=" + client, &status, &elapsed);
    QCOMPARE(status, 200);
    QCOMPARE(body,
        QJsonObject({ { QStringLiteral("users_count"), 10 }, { QStringLiteral("posts_count"), 100 },
            { QStringLiteral("comments_count"), 500 } }));
    qInfo() << variant << client << elapsed << "ms at an upstream latency of" << latencyMs << "ms";
    const int atOnce = upstreamCallsAtOnce(QStringLiteral("GET /dashboard"), since);
    if (gathers) { // all three calls in flight at once
        QCOMPARE(atOnce, 3);
    } else {
        QVERIFY2(atOnce >= 0 && atOnce <= 1, QByteArray::number(atOnce).constData());
        QVERIFY2(elapsed >= 3 * latencyMs, QByteArray::number(elapsed).constData());
    }
}

void TestOutbound::sharedClientKeepsConnectionsPerCallDoesNot()
{
    auto server = startWithLatency();
    put(server->port(), "/_scope/upstream", R"({"latency_ms":0})");
    auto connections = [&] {
        return fetchJson(server->port(), "/_scope/upstream")
            .value(QStringLiteral("simulator"))
            .toObject()
            .value(QStringLiteral("connections"))
            .toInt();
    };
    fetchJson(server->port(), "/dashboard"); // warms the pool: three connections
    const int warm = connections();
    for (int i = 0; i < 3; ++i)
        fetchJson(server->port(), "/dashboard?client=shared");
    QCOMPARE(connections(), warm);
    for (int i = 0; i < 3; ++i)
        fetchJson(server->port(), "/dashboard?client=per-call");
    QCOMPARE(connections(), warm + 9);
}

// httpx.AsyncClient() costs CPU on the loop (client_setup_ms), traced as a blocking call of the
// request that makes it: one per call for a client per call, none for the shared client, none
// once the cost is set to 0.
void TestOutbound::aClientMadePerCallBlocksTheLoopToBuildIt()
{
    auto server = startWithLatency();
    put(server->port(), "/_scope/upstream", R"({"latency_ms":0})");
    auto setUps = [&](const QByteArray &target) {
        const trace::Nanos since = trace::nowNs();
        fetchJson(server->port(), target);
        const trace::SpanIndex index = retainedSpans();
        const auto requests = requestSpansSince(index, QStringLiteral("GET /dashboard"), since);
        if (requests.size() != 1)
            return -1;
        const auto &blocking = requests.front()->blocking;
        return int(std::count_if(blocking.begin(), blocking.end(), [](const auto &b) {
            return trace::labelText(b.label) == u"httpx.AsyncClient(): SSL context"
                && b.end - b.begin >= 20'000'000; // the default 20 ms, at least
        }));
    };
    QCOMPARE(setUps("/dashboard?client=per-call"), 3);
    QCOMPARE(setUps("/dashboard?client=shared"), 0);
    put(server->port(), "/_scope/upstream", R"({"client_setup_ms":0})");
    QCOMPARE(setUps("/dashboard?client=per-call"), 0);
}

void TestOutbound::scrapeDefaults()
{
    auto server = startWithLatency();
    int status = 0;
    const trace::Nanos since = trace::nowNs();
    const QJsonObject body = fetchJson(server->port(), "/scrape", &status);
    QCOMPARE(status, 200);
    QCOMPARE(body.value(QStringLiteral("urls_fetched")).toInt(), 5);
    const QJsonArray results = body.value(QStringLiteral("results")).toArray();
    QCOMPARE(results.size(), 5);
    const QStringList paths { QStringLiteral("/posts/1"), QStringLiteral("/posts/2"),
        QStringLiteral("/posts/3"), QStringLiteral("/comments/1"), QStringLiteral("/albums/1") };
    for (int i = 0; i < 5; ++i) {
        const QJsonObject result = results[i].toObject();
        QVERIFY(result.value(QStringLiteral("url")).toString().endsWith(paths[i]));
        QCOMPARE(result.value(QStringLiteral("status")).toInt(), 200);
        QVERIFY(result.value(QStringLiteral("content_length")).toInt() > 40);
        QVERIFY(
            result.value(QStringLiteral("response_time")).toDouble() >= latencyMs / 1000.0 - 0.005);
    }
    // Concurrent: all five in flight at once (the total is then about one latency, not five).
    QCOMPARE(upstreamCallsAtOnce(QStringLiteral("GET /scrape"), since), 5);
    qInfo("5 URLs in %.3f s", body.value(QStringLiteral("total_time")).toDouble());

    put(server->port(), "/_scope/modes", R"({"route":"GET /scrape","variant":"blocking"})");
    const QJsonObject sequential = fetchJson(server->port(), "/scrape", &status);
    QCOMPARE(status, 200);
    QVERIFY(sequential.value(QStringLiteral("total_time")).toDouble() >= 5.0 * latencyMs / 1000.0);
}

void TestOutbound::scrapeHangingUrlTimesOutOthersIntact()
{
    auto server = startWithLatency();
    const QString base = simulatorUrl(server->port());
    const QByteArray target = "/scrape?timeout=0.5&url="
        + encoded(base + QStringLiteral("/posts/1"))
        // A bare path is on the upstream.
        + "&url=" + encoded(QStringLiteral("/comments/2?fail=hang"))
        + "&url=" + encoded(base + QStringLiteral("/albums/3"));
    int status = 0;
    qint64 elapsed = 0;
    const QJsonObject body = fetchJson(server->port(), target, &status, &elapsed);
    QCOMPARE(status, 200);
    QCOMPARE(body.value(QStringLiteral("urls_fetched")).toInt(), 3);
    const QJsonArray results = body.value(QStringLiteral("results")).toArray();
    QCOMPARE(results.size(), 3);
    for (int i : { 0, 2 }) {
        QCOMPARE(results[i].toObject().value(QStringLiteral("status")).toInt(), 200);
        QVERIFY(results[i].toObject().value(QStringLiteral("content_length")).toInt() > 0);
    }
    const QJsonObject hung = results[1].toObject();
    QCOMPARE(hung.value(QStringLiteral("url")).toString(),
        base + QStringLiteral("/comments/2?fail=hang"));
    QCOMPARE(hung.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
    QVERIFY2(hung.value(QStringLiteral("error")).toString().startsWith(u"ReadTimeout"),
        qPrintable(hung.value(QStringLiteral("error")).toString()));
    QVERIFY(hung.value(QStringLiteral("response_time")).toDouble() >= 0.49);
    // Ended by the request's 0.5 s, not the 10 s default.
    QVERIFY2(hung.value(QStringLiteral("error")).toString().contains(u"within 0.5 s"),
        qPrintable(hung.value(QStringLiteral("error")).toString()));
    qInfo("answered after %lld ms", elapsed);
}

void TestOutbound::scrapeEveryUrlFailingStillAnswersTheList()
{
    auto server = startWithLatency();
    put(server->port(), "/_scope/upstream",
        R"({"failure_rate":1,"failure_mode":"mixed","latency_ms":20})");
    int status = 0;
    const QJsonObject body = fetchJson(server->port(), "/scrape?timeout=0.4", &status);
    QCOMPARE(status, 200);
    const QJsonArray results = body.value(QStringLiteral("results")).toArray();
    QCOMPARE(results.size(), 5);
    for (const QJsonValue &value : results) {
        const QJsonObject result = value.toObject();
        QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        QVERIFY(!result.value(QStringLiteral("error")).toString().isEmpty());
    }
}

void TestOutbound::scrapeSemaphoreBoundsConcurrency()
{
    auto server = startWithLatency();
    const QString base = simulatorUrl(server->port());
    QByteArray target = "/scrape?concurrency=2";
    for (int i = 1; i <= 6; ++i)
        target += "&url=" + encoded(base + QStringLiteral("/posts/%1").arg(i));
    const trace::Nanos since = trace::nowNs();
    const QJsonObject body = fetchJson(server->port(), target);
    // Six URLs, two at a time: never more than two in flight, and at least three rounds of the
    // latency.
    QCOMPARE(upstreamCallsAtOnce(QStringLiteral("GET /scrape"), since), 2);
    const double total = body.value(QStringLiteral("total_time")).toDouble();
    QVERIFY2(total >= 3 * latencyMs / 1000.0 - 0.01, QByteArray::number(total).constData());
}

void TestOutbound::scrapeGlobalSemaphoreIsSharedByEveryRequest_data()
{
    QTest::addColumn<QByteArray>("semaphore");
    QTest::addColumn<int>("atOnce");
    // Three users, eight services each: a semaphore per request lets all 24 calls go at once;
    // the course's module-level Semaphore(10) lets 10 go, whoever made them.
    QTest::newRow("per request") << QByteArray("request") << 24;
    QTest::newRow("global") << QByteArray("global") << 10;
}

void TestOutbound::scrapeGlobalSemaphoreIsSharedByEveryRequest()
{
    QFETCH(QByteArray, semaphore);
    QFETCH(int, atOnce);
    auto server = startWithLatency();
    // 1 s per call: the three requests are in flight together however slowly they arrive.
    QByteArray target = "/scrape?concurrency=10&semaphore=" + semaphore;
    for (int i = 1; i <= 8; ++i)
        target += "&url=" + encoded(QStringLiteral("/posts/%1?latency_ms=1000").arg(i));
    const trace::Nanos since = trace::nowNs();
    const QList<TestResponse> answers = fetchConcurrently(server->port(), "GET", target, 3);
    QCOMPARE(answers.size(), 3);
    for (const TestResponse &answer : answers)
        QCOMPARE(answer.status, 200);
    std::vector<Interval> calls;
    const trace::SpanIndex index = retainedSpans();
    for (const trace::SpanRecord *span :
        requestSpansSince(index, QStringLiteral("GET /scrape"), since)) {
        const std::vector<Interval> own = awaitIntervals(*span, trace::label("semaphore.acquire"));
        calls.insert(calls.end(), own.begin(), own.end());
    }
    QCOMPARE(calls.size(), std::size_t(24));
    QCOMPARE(maxOverlap(calls), atOnce);
}

void TestOutbound::anUnknownChoiceIsRefusedWithWhatIsPermitted_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QString>("param");
    QTest::addColumn<QString>("permitted");
    QTest::newRow("scrape semaphore")
        << QByteArray("/scrape?semaphore=shared") << QStringLiteral("semaphore")
        << QStringLiteral("'request', 'global'");
    QTest::newRow("dashboard client")
        << QByteArray("/dashboard?client=pooled") << QStringLiteral("client")
        << QStringLiteral("'shared', 'per-call'");
}

void TestOutbound::anUnknownChoiceIsRefusedWithWhatIsPermitted()
{
    QFETCH(QByteArray, target);
    QFETCH(QString, param);
    QFETCH(QString, permitted);
    auto server = startWithLatency();
    int status = 0;
    const QJsonObject body = fetchJson(server->port(), target, &status);
    QCOMPARE(status, 422);
    const QJsonObject error = body.value(QStringLiteral("detail")).toArray().first().toObject();
    QCOMPARE(error.value(QStringLiteral("loc")).toArray(),
        QJsonArray({ QStringLiteral("query"), param }));
    QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("type_error.enum"));
    // FastAPI lists the members in "ctx" too.
    QCOMPARE(error.value(QStringLiteral("ctx"))
                 .toObject()
                 .value(QStringLiteral("enum_values"))
                 .toArray()
                 .size(),
        2);
    QVERIFY2(error.value(QStringLiteral("msg")).toString().endsWith(permitted),
        qPrintable(error.value(QStringLiteral("msg")).toString()));
}

void TestOutbound::scrapeOverCapBodyFailsOnlyThatUrl_data()
{
    QTest::addColumn<QByteArray>("variant");
    QTest::newRow("async") << QByteArray("async");
    QTest::newRow("threadpool") << QByteArray("threadpool");
    QTest::newRow("blocking") << QByteArray("blocking");
}

void TestOutbound::scrapeOverCapBodyFailsOnlyThatUrl()
{
    QFETCH(QByteArray, variant);
    using Body = CannedUpstream::Body;
    const CannedUpstream huge(
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n", Body::Raw, 1000);
    const CannedUpstream chunked(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", Body::Chunked, 8 << 20);
    const CannedUpstream untilClose(
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", Body::UntilClose, 8 << 20);
    ServerConfig config;
    config.outbound.maxBodyBytes = 1 << 20;
    auto server = startWithLatency(config);
    put(server->port(), "/_scope/modes", R"({"route":"GET /scrape","variant":")" + variant + "\"}");
    const QString base = simulatorUrl(server->port());
    const auto local = [](const CannedUpstream &upstream) {
        return QStringLiteral("http://127.0.0.1:%1/big").arg(upstream.port());
    };
    const QByteArray target = "/scrape?url=" + encoded(base + QStringLiteral("/posts/1"))
        + "&url=" + encoded(local(huge)) + "&url=" + encoded(local(chunked))
        + "&url=" + encoded(local(untilClose));
    int status = 0;
    const QJsonObject body = fetchJson(server->port(), target, &status);
    QCOMPARE(status, 200);
    const QJsonArray results = body.value(QStringLiteral("results")).toArray();
    QCOMPARE(results.size(), 4);
    QCOMPARE(results[0].toObject().value(QStringLiteral("status")).toInt(), 200);
    for (int i = 1; i < 4; ++i) {
        const QJsonObject failed = results[i].toObject();
        QCOMPARE(failed.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        const QString error = failed.value(QStringLiteral("error")).toString();
        QVERIFY2(error.startsWith(u"ResponseTooLarge: ") && error.contains(u"1048576 bytes"),
            qPrintable(error));
    }
}

void TestOutbound::scrapeRejectsHosts_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("other host") << QStringLiteral("http://example.com/");
    QTest::newRow("public ip") << QStringLiteral("http://93.184.216.34/");
    QTest::newRow("malformed") << QStringLiteral("http://[::1/");
    QTest::newRow("relative, no host") << QStringLiteral("posts/1");
    QTest::newRow("another host, no scheme") << QStringLiteral("//example.com/posts/1");
    QTest::newRow("ftp") << QStringLiteral("ftp://127.0.0.1/");
}

void TestOutbound::scrapeRejectsHosts()
{
    QFETCH(QString, url);
    auto server = startWithLatency();
    int status = 0;
    const QJsonObject body = fetchJson(server->port(), "/scrape?url=" + encoded(url), &status);
    QCOMPARE(status, 422);
    const QJsonObject error = body.value(QStringLiteral("detail")).toArray().first().toObject();
    QCOMPARE(error.value(QStringLiteral("loc")).toArray(),
        QJsonArray({ QStringLiteral("query"), QStringLiteral("url"), 0 }));
}

void TestOutbound::files_data()
{
    QTest::addColumn<QByteArray>("variant");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<qint64>("size");
    QTest::newRow("async") << QByteArray("async") << QByteArray("/files/1mb.txt") << 200
                           << qint64(1 << 20);
    QTest::newRow("threadpool") << QByteArray("threadpool") << QByteArray("/files/1mb.txt") << 200
                                << qint64(1 << 20);
    QTest::newRow("blocking") << QByteArray("blocking") << QByteArray("/files/1mb.txt") << 200
                              << qint64(1 << 20);
    QTest::newRow("async 10 MB") << QByteArray("async") << QByteArray("/files/10mb.txt") << 200
                                 << qint64(10 << 20);
    QTest::newRow("own file") << QByteArray("async") << QByteArray("/files/notes.bin") << 200
                              << qint64(5);
    QTest::newRow("traversal") << QByteArray("async")
                               << QByteArray("/files/..%2F..%2F..%2Fetc%2Fpasswd") << 404
                               << qint64(-1);
    QTest::newRow("dot dot") << QByteArray("blocking") << QByteArray("/files/..") << 404
                             << qint64(-1);
    QTest::newRow("absolute") << QByteArray("async") << QByteArray("/files/%2Fetc%2Fpasswd") << 404
                              << qint64(-1);
    QTest::newRow("dot file") << QByteArray("async") << QByteArray("/files/.secret") << 404
                              << qint64(-1);
    QTest::newRow("symlink out") << QByteArray("async") << QByteArray("/files/link") << 404
                                 << qint64(-1);
    QTest::newRow("unknown") << QByteArray("async") << QByteArray("/files/nope.txt") << 404
                             << qint64(-1);
}

void TestOutbound::files()
{
    QFETCH(QByteArray, variant);
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(qint64, size);
    QTemporaryDir directory;
    QFile own(directory.filePath(QStringLiteral("notes.bin")));
    QVERIFY(own.open(QIODevice::WriteOnly));
    own.write("hello");
    own.close();
    QFile secret(directory.filePath(QStringLiteral(".secret")));
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.close();
    QVERIFY(QFile::link(QStringLiteral("/etc/passwd"), directory.filePath(QStringLiteral("link"))));
    ServerConfig config;
    config.outbound.filesDirectory = directory.path();
    auto server = startWithLatency(config);
    put(server->port(), "/_scope/modes",
        R"({"route":"GET /files/{name}","variant":")" + variant + "\"}");
    const TestResponse response = fetch(server->port(), "GET", target, {}, 60000);
    QCOMPARE(response.status, status);
    if (size >= 0) {
        QCOMPARE(qint64(response.body.size()), size);
        QCOMPARE(response.header("content-length").toLongLong(), size);
        if (target.endsWith(".txt"))
            QVERIFY(response.body.startsWith("loopscope data file "));
        // Streamed a chunk at a time, byte for byte the file.
        QFile onDisk(directory.filePath(QString::fromUtf8(target.sliced(7)))); // "/files/"
        QVERIFY(onDisk.open(QIODevice::ReadOnly));
        QVERIFY(QCryptographicHash::hash(response.body, QCryptographicHash::Sha256)
            == QCryptographicHash::hash(onDisk.readAll(), QCryptographicHash::Sha256));
    } else {
        // A name with an encoded slash matches no route at all (Starlette's `[^/]+`).
        QCOMPARE(response.json().object().value(QStringLiteral("detail")).toString(),
            target.contains("%2F") ? QStringLiteral("Not Found")
                                   : QStringLiteral("File not found"));
    }
}

void TestOutbound::aSlowDiskWaitsWhereTheReadRuns_data()
{
    QTest::addColumn<QByteArray>("variant");
    QTest::newRow("blocking: f.read on the loop") << QByteArray("blocking");
    QTest::newRow("async: aiofiles on the pool") << QByteArray("async");
}

// disk_read_ms makes each 1 MiB read take that long where it runs: a blocking read holds the
// loop for it (a blocking call of the request), aiofiles a pool thread (a job the request awaits).
void TestOutbound::aSlowDiskWaitsWhereTheReadRuns()
{
    QFETCH(QByteArray, variant);
    constexpr int diskMs = 40;
    QTemporaryDir directory;
    ServerConfig config;
    config.outbound.filesDirectory = directory.path();
    auto server = startWithLatency(config);
    put(server->port(), "/_scope/upstream", R"({"disk_read_ms":40})");
    put(server->port(), "/_scope/modes",
        R"({"route":"GET /files/{name}","variant":")" + variant + "\"}");
    const trace::Nanos since = trace::nowNs();
    const TestResponse response = fetch(server->port(), "GET", "/files/1mb.txt", {}, 60000);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body.size(), qsizetype(1 << 20));
    const trace::SpanIndex index = retainedSpans();
    const auto requests = requestSpansSince(index, QStringLiteral("GET /files/{name}"), since);
    QCOMPARE(requests.size(), std::size_t(1));
    const trace::Nanos disk = trace::Nanos(diskMs) * 1'000'000;
    const bool onLoop = variant == "blocking";
    const auto &blocking = requests.front()->blocking;
    const bool loopWaitedForTheDisk = std::any_of(blocking.begin(), blocking.end(),
        [disk](const trace::BlockingRecord &b) { return b.end - b.begin >= disk; });
    QCOMPARE(loopWaitedForTheDisk, onLoop);
    QCOMPARE(blocking.empty(), !onLoop);
    const std::vector<Interval> reads
        = jobIntervalsSince(index, QStringLiteral("aiofiles read 1 MiB"), since);
    const bool poolWaitedForTheDisk = std::any_of(reads.begin(), reads.end(),
        [disk](const Interval &read) { return read.second - read.first >= disk; });
    QCOMPARE(poolWaitedForTheDisk, !onLoop);
}

void TestOutbound::upstreamControlValidates()
{
    auto server = startWithLatency();
    QCOMPARE(fetch(server->port(), "PUT", "/_scope/upstream", R"({"failure_rate":2})").status, 422);
    QCOMPARE(
        fetch(server->port(), "PUT", "/_scope/upstream", R"({"failure_mode":"fire"})").status, 422);
    QCOMPARE(fetch(server->port(), "PUT", "/_scope/upstream", R"({"latency":5})").status, 422);
    // JSON has no nan or inf; an overflowing number must not slip through as one.
    for (const QByteArray body : { R"({"latency_ms":1e999})", R"({"failure_rate":-1e999})" })
        QCOMPARE(fetch(server->port(), "PUT", "/_scope/upstream", body).status, 422);
    put(server->port(), "/_scope/upstream", R"({"latency_ms":50,"jitter_ms":5,"handshake_ms":80})");
    const QJsonObject simulator = fetchJson(server->port(), "/_scope/upstream")
                                      .value(QStringLiteral("simulator"))
                                      .toObject();
    QCOMPARE(simulator.value(QStringLiteral("latency_ms")).toInt(), 50);
    QCOMPARE(simulator.value(QStringLiteral("jitter_ms")).toInt(), 5);
    QCOMPARE(simulator.value(QStringLiteral("handshake_ms")).toInt(), 80);
}

QTEST_GUILESS_MAIN(TestOutbound)
#include "tst_outbound.moc"
