// The server's limits against hostile and careless clients, on a live server: each answer,
// each counter in /_scope/metrics, and who may use the control API.
#include "support/hangguard.h"
#include "support/httptestclient.h"
#include "support/processstatus.h"
#include "support/rawsocket.h"
#include "support/serverfixture.h"

#include "http/connectionstats.h"
#include "http/openfilelimit.h"
#include "routing/controlaccess.h"
#include "serverhost.h"
#include "trace/tracehub.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace loopscope;
using namespace loopscope::testing;
using namespace std::chrono_literals;

namespace {

// Limits small enough that a test reaches each of them in a few bytes and milliseconds.
http::HttpLimits smallLimits()
{
    http::HttpLimits limits;
    limits.maxRequestLineBytes = 256;
    limits.maxHeaderBytes = 1024;
    limits.maxBodyBytes = 2048;
    return limits;
}

QByteArray metricsOf(quint16 port)
{
    return fetch(port, "GET", "/_scope/metrics").body;
}

// "name{label} value" from the Prometheus text; -1 when the series is missing.
double metric(const QByteArray &metrics, const QByteArray &series)
{
    for (const QByteArray &line : metrics.split('\n')) {
        if (line.startsWith(QByteArray(series + ' ')))
            return line.sliced(series.size() + 1).toDouble();
    }
    return -1;
}

bool isAcceptableRequestIdForTest(const QByteArray &id)
{
    return !id.isEmpty() && id.size() <= 64 && !id.contains(' ');
}

QByteArray rejectedSeries(http::Rejection reason)
{
    return QByteArray("loopscope_requests_rejected_total{reason=\"") + http::rejectionName(reason)
        + "\"}";
}

} // namespace

class TestLimits : public QObject
{
    Q_OBJECT
private slots:
    void rejectionsAnsweredAndCounted_data();
    void rejectionsAnsweredAndCounted();
    void limitsAreExported();
    void slowClientGets408_data();
    void slowClientGets408();
    void idleKeepAliveConnectionsClose();
    void aRequestUnreadBehindABlockingCallIsNotIdle();
    void connectionCapRefusesThenRecovers();
    void clientThatStopsReadingIsPausedThenDropped();
    void readyAnswersBehindASlowOneCountAgainstTheCap();
    void clientsThatDoNotReadALargeFileCostTheCap_data();
    void clientsThatDoNotReadALargeFileCostTheCap();
    void tenThousandIdleConnectionsCostLittle();
    void nothingAfterAClosingRequestRuns();
    void controlApiNeedsItsToken();
    void protocolErrorsEchoTheRequestId();
    void http10ChunkedRequestClosesTheConnection();
    void expectContinue_data();
    void expectContinue();
    void halfClosedClientIsAnswered();
    void controlApiCanBeTurnedOff();
    void controlAccessResolves_data();
    void controlAccessResolves();
};

void TestLimits::rejectionsAnsweredAndCounted_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("reason");

    using R = http::Rejection;
    QTest::newRow("request line too long")
        << "GET /" + QByteArray(300, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        << 414 << int(R::UriTooLong);
    QTest::newRow("head too large")
        << "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + QByteArray(1100, 'b') + "\r\n\r\n"
        << 431 << int(R::HeadersTooLarge);
    QTest::newRow("declared body too large") << QByteArray(
        "POST /items/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4096\r\n\r\n")
                                             << 413 << int(R::BodyTooLarge);
    QTest::newRow("chunked body too large")
        << "POST /items/import HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: "
           "chunked\r\n\r\n900\r\n"
            + QByteArray(0x900, 'c') + "\r\n"
        << 413 << int(R::BodyTooLarge);
    QTest::newRow("garbage") << QByteArray("\x16\x03\x01 hello\r\n\r\n") << 400
                             << int(R::Malformed);
    QTest::newRow("http/2 preface")
        << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << 505 << int(R::Malformed);
    QTest::newRow("http/1.1 without Host")
        << QByteArray("GET /_scope/health HTTP/1.1\r\n\r\n") << 400 << int(R::Malformed);
    QTest::newRow("control character in a field")
        << QByteArray("GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: \x01\r\n\r\n") << 400
        << int(R::Malformed);
    QTest::newRow("chunk size with 0x") << QByteArray(
        "POST /items/import HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "0x1\r\na\r\n0\r\n\r\n") << 400 << int(R::Malformed);
}

void TestLimits::rejectionsAnsweredAndCounted()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    QFETCH(int, reason);

    ServerConfig config;
    config.limits = smallLimits();
    const auto host = startServer(config);
    const RawExchange answered = exchange(host->port(), raw, 1);
    QCOMPARE(answered.responses.size(), 1);
    const TestResponse &response = answered.responses.constFirst();
    QCOMPARE(response.status, status);
    QVERIFY2(!response.json().object().value(QStringLiteral("detail")).toString().isEmpty(),
        response.body.constData());
    QVERIFY(answered.closedByServer);
    QVERIFY(isAcceptableRequestIdForTest(response.header("x-request-id")));

    const QByteArray metrics = metricsOf(host->port());
    for (int other = 0; other < int(http::Rejection::Count); ++other) {
        const auto series = rejectedSeries(http::Rejection(other));
        QCOMPARE(metric(metrics, series), other == reason ? 1.0 : 0.0);
    }
    // The server still answers everyone else.
    QCOMPARE(fetch(host->port(), "GET", "/_scope/health").status, 200);
}

void TestLimits::limitsAreExported()
{
    ServerConfig config;
    config.limits = smallLimits();
    config.limits.maxConnections = 77;
    config.limits.keepAliveTimeout = 2500ms;
    config.limits.requestTimeout = 750ms;
    const auto host = startServer(config);
    const QByteArray metrics = metricsOf(host->port());
    QCOMPARE(metric(metrics, R"(loopscope_limit{name="max_connections"})"), 77.0);
    QCOMPARE(metric(metrics, R"(loopscope_limit{name="max_request_line_bytes"})"), 256.0);
    QCOMPARE(metric(metrics, R"(loopscope_limit{name="max_header_bytes"})"), 1024.0);
    QCOMPARE(metric(metrics, R"(loopscope_limit{name="max_body_bytes"})"), 2048.0);
    QCOMPARE(metric(metrics, R"(loopscope_limit{name="keep_alive_timeout_seconds"})"), 2.5);
    QCOMPARE(metric(metrics, R"(loopscope_limit{name="request_timeout_seconds"})"), 0.75);
}

void TestLimits::slowClientGets408_data()
{
    QTest::addColumn<QByteArray>("start");
    QTest::newRow("dribbling headers (slowloris)")
        << QByteArray("GET /async?delay=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    QTest::newRow("dribbling body")
        << QByteArray("POST /items/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                      "1000\r\n\r\nname,price\n");
}

void TestLimits::slowClientGets408()
{
    QFETCH(QByteArray, start);
    ServerConfig config;
    config.limits.requestTimeout = 300ms;
    const auto host = startServer(config);

    RawSocket client(host->port());
    QVERIFY(client.isConnected());
    QElapsedTimer sinceFirstByte;
    sinceFirstByte.start();
    QVERIFY(client.send(start));
    // One byte every 50 ms keeps the connection active but the request never complete.
    bool answered = false;
    for (int i = 0; i < 200 && !answered; ++i) {
        answered = client.waitReadable(50);
        if (!answered)
            QVERIFY(client.send("x"));
    }
    QVERIFY2(answered, "the slow client was never answered");
    QVERIFY(sinceFirstByte.elapsed() >= 300);
    bool closed = false;
    const QList<TestResponse> responses = splitResponses(client.readUntilClosed(5000, &closed));
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.constFirst().status, 408);
    QVERIFY(closed);
    QCOMPARE(host->stats()->rejected(http::Rejection::RequestTimeout), 1u);
    QTRY_COMPARE_WITH_TIMEOUT(host->stats()->openConnections.load(), 0, hangGuardMs(5000));
}

void TestLimits::idleKeepAliveConnectionsClose()
{
    ServerConfig config;
    config.limits.keepAliveTimeout = 200ms;
    const auto host = startServer(config);

    QTcpSocket used;
    used.connectToHost(QHostAddress::LocalHost, host->port());
    QVERIFY(used.waitForConnected(hangGuardMs(5000)));
    used.write("GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(used.bytesAvailable() > 0, hangGuardMs(5000));
    QTcpSocket neverUsed;
    neverUsed.connectToHost(QHostAddress::LocalHost, host->port());
    QVERIFY(neverUsed.waitForConnected(hangGuardMs(5000)));

    QTRY_COMPARE_WITH_TIMEOUT(used.state(), QAbstractSocket::UnconnectedState, hangGuardMs(5000));
    QTRY_COMPARE_WITH_TIMEOUT(
        neverUsed.state(), QAbstractSocket::UnconnectedState, hangGuardMs(5000));
    QCOMPARE(splitResponses(used.readAll()).constFirst().status, 200);
    QCOMPARE(host->stats()->idleTimeouts.load(), 2u);
    QCOMPARE(metric(metricsOf(host->port()), "loopscope_connections_idle_closed_total"), 2.0);
}

// A request that waits unread behind a blocking call is not idleness: the keep-alive sweep that
// runs as the loop comes back (timers come after the sockets that were ready before the block)
// must leave its connection to the read that follows. A scenario lost two requests so.
void TestLimits::aRequestUnreadBehindABlockingCallIsNotIdle()
{
    ServerConfig config;
    config.limits.keepAliveTimeout = 200ms;
    config.modeAssignments = { QStringLiteral("GET /async=blocking") };
    const auto host = startServer(config);
    QTcpSocket waiting;
    waiting.connectToHost(QHostAddress::LocalHost, host->port());
    QVERIFY(waiting.waitForConnected(hangGuardMs(5000)));
    QTRY_COMPARE_WITH_TIMEOUT(host->stats()->acceptedConnections.load(), 1u, hangGuardMs(5000));
    const trace::Nanos since = trace::nowNs();
    QTcpSocket blocker;
    blocker.connectToHost(QHostAddress::LocalHost, host->port());
    QVERIFY(blocker.waitForConnected(hangGuardMs(5000)));
    blocker.write("GET /async?delay=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    // Sent once the loop is inside the blocking call, so that it is read only after it.
    const auto blocking = [since] {
        trace::TraceHub::instance().flush();
        const std::vector<trace::Event> events = trace::TraceHub::instance().retained();
        return std::any_of(events.begin(), events.end(), [since](const trace::Event &e) {
            return e.kind == trace::Kind::BlockingBegin && e.time >= since;
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(blocking(), hangGuardMs(5000));
    waiting.write("GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(
        waiting.bytesAvailable() > 0 || waiting.state() == QAbstractSocket::UnconnectedState,
        hangGuardMs(10000));
    const auto answers = splitResponses(waiting.readAll());
    QCOMPARE(answers.size(), 1);
    QCOMPARE(answers.constFirst().status, 200);
}

void TestLimits::connectionCapRefusesThenRecovers()
{
    ServerConfig config;
    config.limits.maxConnections = 3;
    const auto host = startServer(config);
    const http::ConnectionStats &stats = *host->stats();

    std::vector<std::unique_ptr<QTcpSocket>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<QTcpSocket>());
        held.back()->connectToHost(QHostAddress::LocalHost, host->port());
        QVERIFY(held.back()->waitForConnected(hangGuardMs(5000)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(stats.openConnections.load(), 3, hangGuardMs(5000));

    const TestResponse refused = fetch(host->port(), "GET", "/_scope/health");
    QCOMPARE(refused.status, 503);
    QVERIFY(!refused.header("x-request-id").isEmpty());
    QVERIFY(!refused.json().object().value(QStringLiteral("detail")).toString().isEmpty());
    QCOMPARE(stats.refusedConnections.load(), 1u);

    held.front()->disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(stats.openConnections.load(), 2, hangGuardMs(5000));
    QCOMPARE(fetch(host->port(), "GET", "/_scope/health").status, 200);
    QCOMPARE(stats.refusedConnections.load(), 1u);
}

void TestLimits::clientThatStopsReadingIsPausedThenDropped()
{
    ServerConfig config;
    config.limits.maxUnsentBytes = 64 * 1024;
    config.limits.keepAliveTimeout = 500ms;
    const auto host = startServer(config);
    const http::ConnectionStats &stats = *host->stats();

    // 2,000 requests for the 18 KB API description, never read: 36 MB of answers, far more
    // than the kernel's socket buffers and the 64 KiB the server may queue hold.
    constexpr int requests = 2000;
    RawSocket client(host->port(), 4096);
    QVERIFY(client.isConnected());
    QVERIFY(client.send(
        QByteArray("GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").repeated(requests)));

    QTRY_COMPARE_WITH_TIMEOUT(stats.idleTimeouts.load(), 1u, hangGuardMs(15000));
    QTRY_COMPARE_WITH_TIMEOUT(stats.openConnections.load(), 0, hangGuardMs(5000));
    QVERIFY2(stats.requests.load() < quint64(requests) / 2,
        qPrintable(QStringLiteral("%1 requests were read").arg(stats.requests.load())));
    QCOMPARE(stats.inFlightRequests.load(), 0);
    QCOMPARE(fetch(host->port(), "GET", "/_scope/health").status, 200);
}

void TestLimits::readyAnswersBehindASlowOneCountAgainstTheCap()
{
    ServerConfig config;
    config.limits.maxUnsentBytes = 64 * 1024;
    const auto host = startServer(config);
    const http::ConnectionStats &stats = *host->stats();
    // A slow answer first, then API descriptions (18 KB each) that are ready at once but must
    // wait behind it: they are answer bytes the client has not read either.
    constexpr int behind = 20;
    RawSocket client(host->port());
    const QByteArray requests = "GET /async?delay=3 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        + QByteArray("GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").repeated(behind - 1)
        + "GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    QVERIFY(client.send(requests));
    QTRY_VERIFY_WITH_TIMEOUT(
        stats.requests.load() >= 2 && stats.inFlightRequests.load() == 1, hangGuardMs(5000));
    // 64 KiB hold four of them: reading stops there, not at the 32-answer pipeline limit.
    QVERIFY2(stats.requests.load() <= 1 + 5,
        qPrintable(QStringLiteral("%1 requests were started").arg(stats.requests.load())));
    const QList<TestResponse> answers = splitResponses(client.readUntilClosed(hangGuardMs(30000)));
    QCOMPARE(answers.size(), 1 + behind);
    for (const TestResponse &answer : answers)
        QCOMPARE(answer.status, 200);
}

void TestLimits::clientsThatDoNotReadALargeFileCostTheCap_data()
{
    QTest::addColumn<QByteArray>("variant");
    QTest::addColumn<int>("connections");
    QTest::addColumn<int>("requestsEach");
    QTest::newRow("10 clients, async") << QByteArray("async") << 10 << 1;
    QTest::newRow("10 clients, threadpool") << QByteArray("threadpool") << 10 << 1;
    QTest::newRow("10 clients, blocking") << QByteArray("blocking") << 10 << 1;
    QTest::newRow("32 pipelined, async") << QByteArray("async") << 1 << 32;
}

void TestLimits::clientsThatDoNotReadALargeFileCostTheCap()
{
    QFETCH(QByteArray, variant);
    QFETCH(int, connections);
    QFETCH(int, requestsEach);
    // A sparse 96 MiB file: costs no disk, reads at memory speed, and is far bigger than the
    // 4 MiB of unsent answer a client may cost.
    QTemporaryDir directory;
    QFile big(directory.filePath(QStringLiteral("big.bin")));
    QVERIFY(big.open(QIODevice::WriteOnly) && big.resize(qint64(96) << 20));
    big.close();
    ServerConfig config;
    config.outbound.filesDirectory = directory.path();
    config.limits.keepAliveTimeout = 1s; // how the test ends: the server drops the idle clients
    const auto host = startServer(config);
    const http::ConnectionStats &stats = *host->stats();
    const QByteArray mode = R"({"route":"GET /files/{name}","variant":")" + variant + "\"}";
    QCOMPARE(fetch(host->port(), "PUT", "/_scope/modes", mode).status, 200);

    const qint64 pid = QCoreApplication::applicationPid();
    const qint64 beforeKiB = rssKb(pid);
    qint64 peakKiB = beforeKiB;
    std::vector<std::unique_ptr<RawSocket>> clients;
    for (int i = 0; i < connections; ++i) {
        clients.push_back(std::make_unique<RawSocket>(host->port(), 4096));
        QVERIFY(clients.back()->send(
            QByteArray("GET /files/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .repeated(requestsEach)));
    }
    // Nothing is read: the server streams until each client's unsent bytes reach the cap, waits,
    // and drops the clients once they idle past the keep-alive timeout. The peak on the way is
    // what they cost: about the cap and a chunk each (5 MiB) instead of the file (96 MiB) each.
    QTRY_VERIFY_WITH_TIMEOUT(
        (peakKiB = qMax(peakKiB, rssKb(pid)), stats.idleTimeouts.load() >= quint64(connections)),
        hangGuardMs(60000));
    qInfo("RSS grew by %lld KiB at its peak", static_cast<long long>(peakKiB - beforeKiB));
    if (rssBoundsHold()) {
        QVERIFY2(peakKiB - beforeKiB < 64 * 1024,
            qPrintable(QStringLiteral("RSS %1 -> %2 KiB").arg(beforeKiB).arg(peakKiB)));
    }
    QCOMPARE(fetch(host->port(), "GET", "/_scope/health").status, 200);
}

namespace {

// Bytes the allocator has handed out and not had back, over every arena. Unlike the resident
// size it does not depend on what earlier tests left free in the heap.
qint64 heapInUse()
{
    const struct mallinfo2 info = ::mallinfo2();
    return qint64(info.uordblks + info.hblkhd);
}

// A child process holding `count` connections to `port` open, so that the client side takes
// neither this process's memory nor its descriptors. It writes one byte to `ready` once all are
// made (0 when one failed), then waits to be killed.
pid_t holdIdleConnections(quint16 port, int count, int ready)
{
    const pid_t child = ::fork();
    if (child != 0)
        return child;
    // Only async-signal-safe calls from here: the parent has threads.
    sockaddr_in server {};
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char made = 1;
    for (int i = 0; i < count; ++i) {
        // Blocking: returns once the kernel queued it for accept, after a SYN retransmit when
        // the listen backlog was full.
        const int descriptor = ::socket(AF_INET, SOCK_STREAM, 0);
        if (descriptor < 0
            || ::connect(descriptor, reinterpret_cast<const sockaddr *>(&server), sizeof server)
                != 0) {
            made = 0;
            break;
        }
    }
    [[maybe_unused]] const ssize_t said = ::write(ready, &made, 1);
    for (;;)
        ::pause();
}

} // namespace

void TestLimits::tenThousandIdleConnectionsCostLittle()
{
    // An open connection that sends nothing costs the server under 2 KB of heap: less than
    // half the 4.3 KB it took when each had a QTcpSocket (1.7 KB of it the socket alone).
    if (!rssBoundsHold())
        QSKIP("a sanitizer's allocator keeps its own books");
    constexpr int kConnections = 10'000;
    if (http::raiseOpenFileLimit(kConnections + 512) < kConnections + 512)
        QSKIP("the open-file limit cannot be raised to one descriptor per connection");
    ServerConfig config;
    config.limits.maxConnections = kConnections + 16;
    config.limits.keepAliveTimeout = std::chrono::minutes(10); // none is dropped while counted
    const auto host = startServer(config);
    const http::ConnectionStats &stats = *host->stats();
    // What the first connection and request make once (buffers, lazily built state) is not
    // counted.
    QCOMPARE(fetch(host->port(), "GET", "/async?delay=0").status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(stats.openConnections.load(), 0, hangGuardMs(5000));
    const qint64 pid = QCoreApplication::applicationPid();
    const qint64 rssBeforeKiB = rssKb(pid);
    const qint64 heapBefore = heapInUse();
    int ready[2];
    QVERIFY(::pipe2(ready, O_NONBLOCK) == 0);
    const pid_t child = holdIdleConnections(host->port(), kConnections, ready[1]);
    QVERIFY(child > 0);
    const auto endChild = qScopeGuard([&] {
        ::kill(child, SIGKILL); // its connections close with it
        ::waitpid(child, nullptr, 0);
        ::close(ready[0]);
        ::close(ready[1]);
    });
    // Not a blocking read: the server accepts on its own loop, but this one must turn for the
    // checks below to be reached in time order.
    char made = 0;
    bool heard = false; // QTRY evaluates its condition once more after it held
    QTRY_VERIFY_WITH_TIMEOUT(
        heard || (heard = ::read(ready[0], &made, 1) == 1), hangGuardMs(60000));
    QCOMPARE(made, char(1));
    QTRY_COMPARE_WITH_TIMEOUT(stats.openConnections.load(), kConnections, hangGuardMs(30000));
    const double heapEach = double(heapInUse() - heapBefore) / kConnections;
    const double rssEach = double(rssKb(pid) - rssBeforeKiB) * 1024 / kConnections;
    qInfo("%d idle connections: %.0f bytes of heap each (%.0f of resident memory)", kConnections,
        heapEach, rssEach);
    QCOMPARE(stats.idleTimeouts.load(), quint64(0));
    QVERIFY2(heapEach < 2048, qPrintable(QString::number(heapEach)));
}

void TestLimits::nothingAfterAClosingRequestRuns()
{
    const auto host = startServer();
    // The second request would write a post; a client that asked to close gets no more.
    const RawExchange answered = exchange(host->port(),
        "GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        "POST /posts/?title=late&content=c&author=a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        2, 5000);
    QCOMPARE(answered.responses.size(), 1);
    QVERIFY(answered.closedByServer);
    QCOMPARE(host->stats()->requests.load(), 1u);
    const TestResponse posts = fetch(host->port(), "GET", "/posts/?limit=100");
    QCOMPARE(posts.status, 200);
    QVERIFY2(!posts.body.contains("late"), posts.body.constData());
}

void TestLimits::controlApiNeedsItsToken()
{
    ServerConfig config;
    config.controlToken = "s3cret-token";
    const auto host = startServer(config);
    const auto ask = [&](const QByteArray &authHeader) {
        return exchange(host->port(),
            "GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + authHeader
                + "\r\n",
            1)
            .responses.value(0);
    };

    const TestResponse anonymous = ask({});
    QCOMPARE(anonymous.status, 401);
    QCOMPARE(anonymous.header("www-authenticate"), QByteArray("Bearer"));
    QCOMPARE(anonymous.json().object().value(QStringLiteral("detail")).toString(),
        QStringLiteral("Not authenticated"));
    const TestResponse wrong = ask("Authorization: Bearer s3cret-tokeN\r\n");
    QCOMPARE(wrong.status, 401);
    QCOMPARE(wrong.json().object().value(QStringLiteral("detail")).toString(),
        QStringLiteral("Invalid control token"));
    QCOMPARE(ask("Authorization: Bearer s3cret-token\r\n").status, 200);
    QCOMPARE(ask("authorization: bearer s3cret-token\r\n").status, 200);
    QCOMPARE(ask("X-Scope-Token: s3cret-token\r\n").status, 200);
    // Unknown /_scope/ paths tell nothing without the token either.
    QCOMPARE(fetch(host->port(), "GET", "/_scope/nothing-here").status, 401);
    // The course's own routes stay open.
    QCOMPARE(fetch(host->port(), "GET", "/async?delay=0").status, 200);
}

void TestLimits::protocolErrorsEchoTheRequestId()
{
    const auto host = startServer();
    // The client's id, when it came before the faulty field, as a normal answer echoes it.
    const TestResponse bad = exchange(host->port(),
        "GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: mine-1\r\nBroken\r\n\r\n",
        1)
                                 .responses.value(0);
    QCOMPARE(bad.status, 400);
    QCOMPARE(bad.header("x-request-id"), QByteArray("mine-1"));
    // Generated when there is none.
    const TestResponse tooLong
        = exchange(host->port(), "GET /" + QByteArray(20000, 'a') + " HTTP/1.1\r\n\r\n", 1)
              .responses.value(0);
    QCOMPARE(tooLong.status, 414);
    QVERIFY(!tooLong.header("x-request-id").isEmpty());
    QVERIFY(tooLong.header("x-request-id") != bad.header("x-request-id"));
}

void TestLimits::http10ChunkedRequestClosesTheConnection()
{
    const auto host = startServer();
    // HTTP/1.0 with Transfer-Encoding: answered, then closed (RFC 9112 section 6.1), although it
    // asked for keep-alive; the request pipelined after it is never run.
    const RawExchange answered = exchange(host->port(),
        "POST /items/import HTTP/1.0\r\nConnection: keep-alive\r\nContent-Type: text/csv\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
        "14\r\nname,price\nlamp,9.5\n\r\n0\r\n\r\n"
        "POST /posts/?title=smuggled&content=c&author=a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        2, 5000);
    QCOMPARE(answered.responses.size(), 1);
    QVERIFY(answered.responses.constFirst().status < 300);
    QCOMPARE(answered.responses.constFirst().header("connection"), QByteArray("close"));
    QVERIFY(answered.closedByServer);
    QCOMPARE(host->stats()->requests.load(), 1u);
    QVERIFY(!fetch(host->port(), "GET", "/posts/?limit=100").body.contains("smuggled"));
}

void TestLimits::expectContinue_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("status"); // 100: continue expected, then the final answer

    const QByteArray csv = "Content-Type: text/csv\r\nContent-Length: 20\r\n";
    QTest::newRow("accepted: 100, then the answer")
        << "POST /items/import HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + csv
            + "Expect: 100-continue\r\n\r\n"
        << 100;
    QTest::newRow("no route: 404 at once")
        << "POST /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n" + csv + "Expect: 100-continue\r\n\r\n"
        << 404;
    QTest::newRow("wrong method: 405 at once")
        << "PATCH /items/import HTTP/1.1\r\nHost: 127.0.0.1\r\n" + csv
            + "Expect: 100-continue\r\n\r\n"
        << 405;
    QTest::newRow("too large: 413 at once") << QByteArray(
        "POST /items/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999\r\n"
        "Expect: 100-continue\r\n\r\n") << 413;
    QTest::newRow("control API without its token: 401 at once") << QByteArray(
        "PUT /_scope/modes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 24\r\n"
        "Expect: 100-continue\r\n\r\n") << 401;
}

void TestLimits::expectContinue()
{
    QFETCH(QByteArray, head);
    QFETCH(int, status);
    ServerConfig config;
    config.controlToken = "s3cret";
    const auto host = startServer(config);

    RawSocket client(host->port());
    QVERIFY(client.isConnected());
    QVERIFY(client.send(head));
    if (status == 100) {
        // The client waits for it (curl for 1 s) before it sends the body.
        QCOMPARE(client.readUntil("\r\n\r\n", 10000), QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
        QVERIFY(client.send("name,price\nlamp,9.5\n"));
        bool closed = false;
        const QList<TestResponse> answers = splitResponses(client.readUntilClosed(10000, &closed));
        QCOMPARE(answers.size(), 1);
        QVERIFY2(answers.constFirst().status < 300, answers.constFirst().body.constData());
        QVERIFY(closed);
        return;
    }
    // The refusal comes without the body, then the connection closes: the unsent body would
    // otherwise be read as the next request.
    bool closed = false;
    const QByteArray received = client.readUntilClosed(10000, &closed);
    const QList<TestResponse> answers = splitResponses(received);
    QCOMPARE(answers.size(), 1);
    QCOMPARE(answers.constFirst().status, status);
    QVERIFY(!answers.constFirst().header("x-request-id").isEmpty());
    QVERIFY(!received.contains("100 Continue"));
    QVERIFY(closed);
    QCOMPARE(host->stats()->inFlightRequests.load(), 0);
}

void TestLimits::halfClosedClientIsAnswered()
{
    const auto host = startServer();
    // A client that sends its request and then shuts its sending side (a FIN) still reads: it
    // gets its answer, then the server closes.
    RawSocket client(host->port());
    QVERIFY(client.isConnected());
    QVERIFY(client.send("POST /posts/?title=half&content=c&author=a HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Length: 0\r\n\r\n"
                        "GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    client.shutdownWrite();
    bool closed = false;
    const QList<TestResponse> answers = splitResponses(client.readUntilClosed(10000, &closed));
    QCOMPARE(answers.size(), 2);
    QVERIFY2(answers.at(0).status < 300, answers.at(0).body.constData());
    QCOMPARE(answers.at(1).status, 200);
    QVERIFY(closed);
    QTRY_COMPARE_WITH_TIMEOUT(host->stats()->openConnections.load(), 0, hangGuardMs(5000));
}

void TestLimits::controlApiCanBeTurnedOff()
{
    ServerConfig config;
    config.controlApiEnabled = false;
    config.controlToken = "ignored-when-off";
    const auto host = startServer(config);
    for (const QByteArray target : { "/_scope/health", "/_scope/metrics", "/_scope/modes" })
        QCOMPARE(fetch(host->port(), "GET", target).status, 404);
    QCOMPARE(fetch(host->port(), "PUT", "/_scope/modes", R"({"variant":"blocking"})").status, 404);
    QCOMPARE(fetch(host->port(), "GET", "/openapi.json").status, 200);
}

void TestLimits::controlAccessResolves_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("mode");

    using M = ControlAccess::Mode;
    QTest::newRow("loopback, no token") << "127.0.0.1" << true << QByteArray() << int(M::Open);
    QTest::newRow("ipv6 loopback") << "::1" << true << QByteArray() << int(M::Open);
    QTest::newRow("loopback, token") << "127.0.0.1" << true << QByteArray("t") << int(M::Token);
    QTest::newRow("every interface, no token") << "0.0.0.0" << true << QByteArray() << int(M::Off);
    QTest::newRow("every ipv6 interface, no token") << "::" << true << QByteArray() << int(M::Off);
    QTest::newRow("lan address, token")
        << "192.168.1.5" << true << QByteArray("t") << int(M::Token);
    QTest::newRow("turned off, token") << "0.0.0.0" << false << QByteArray("t") << int(M::Off);
    QTest::newRow("turned off, loopback") << "127.0.0.1" << false << QByteArray() << int(M::Off);
}

void TestLimits::controlAccessResolves()
{
    QFETCH(QString, address);
    QFETCH(bool, enabled);
    QFETCH(QByteArray, token);
    QFETCH(int, mode);
    QCOMPARE(int(ControlAccess::resolve(QHostAddress(address), enabled, token).mode()), mode);
}

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"
