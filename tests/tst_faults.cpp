// Faults from outside the server: clients that leave at every phase of an exchange, over and
// over, and a SIGTERM in the middle of write load that must lose no answered write.
#include "support/fixeddelayserver.h"
#include "support/hangguard.h"
#include "support/headlessserver.h"
#include "support/httptestclient.h"
#include "support/postgresfixture.h"
#include "support/rawsocket.h"

#include "http/connectionstats.h"
#include "serverhost.h"

#include <QDeadlineTimer>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <array>
#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

using namespace loopscope;
using namespace loopscope::testing;

namespace {

// Where a client hangs up. Every phase leaves the server something different to clean up: a
// bare connection, a half-parsed request, a running handler, an answer half written.
enum class Phase
{
    BeforeRequest,
    MidRequestLine,
    MidHeaders,
    MidBody,
    WhileAwaiting, // the handler is suspended on a sleep, a database job, an upstream call, a pool
    WhileWriting, // a 1 MiB answer the client does not read
    AfterAnswer, // a keep-alive client that read its answer and leaves without a word
    Count
};

constexpr int phaseCount = int(Phase::Count);

// One request per kind of await. The upstream call waits on an upstream the test holds until the
// server has seen every hang-up of the batch, so its handler outlives its client at any speed;
// the others usually do (a batch's hang-ups reach the server in milliseconds on an idle machine),
// and how many did is counted, not assumed. The handlers of a batch end before the next starts.
constexpr std::size_t heldTarget = 2;
const std::array<QByteArray, 4> awaitingTargets {
    "/async?delay=0.25", // a sleep
    "/items/1?delay=0.25", // a database job
    "/weather/paris", // heldTarget: the held upstream
    "/sync?delay=0.25", // the thread-pool variant
};

std::size_t awaitingTargetOf(int round)
{
    return std::size_t(round / phaseCount) % awaitingTargets.size();
}

QByteArray requestFor(Phase phase, int round)
{
    switch (phase) {
    case Phase::BeforeRequest:
        return {};
    case Phase::MidRequestLine:
        return "GET /asy";
    case Phase::MidHeaders:
        return "GET /async?delay=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: left-";
    case Phase::MidBody:
        return "POST /items/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
               "Content-Length: 1000\r\n\r\nname,price\r\nlamp,9.5\r\n";
    case Phase::WhileAwaiting:
        return "GET " + awaitingTargets[awaitingTargetOf(round)]
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    case Phase::WhileWriting:
        return "GET /files/1mb.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    case Phase::AfterAnswer:
        return "GET /products/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    case Phase::Count:
        break;
    }
    return {};
}

bool sendsWholeRequest(Phase phase)
{
    return phase == Phase::WhileAwaiting || phase == Phase::WhileWriting
        || phase == Phase::AfterAnswer;
}

// Polls a counter the server thread writes; the test thread has no event to wait on.
template <typename Predicate> bool waitUntil(Predicate done, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        std::this_thread::yield();
    }
    return true;
}

// --- write load against a separate server process --------------------------------------------

struct PostOutcome
{
    enum Kind
    {
        Answered,
        Refused, // no connection: the server has stopped listening
        ClosedUnanswered, // connected, but closed (or reset) without a byte of an answer
        Truncated, // part of an answer: never acceptable
    } kind
        = Refused;
    int status = 0;
    qint64 id = -1;
    QString title;
    bool afterSignal = false;
};

// POST /posts/ on a fresh connection, blocking (client threads have no event loop).
PostOutcome postOnce(quint16 port, const QString &title)
{
    PostOutcome outcome;
    outcome.title = title;
    RawSocket socket(port);
    if (!socket.isConnected())
        return outcome;
    const QByteArray request = "POST /posts/?title=" + QUrl::toPercentEncoding(title)
        + "&content=durable&author=faults HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Content-Length: 0\r\nConnection: close\r\n\r\n";
    bool closed = false;
    const QByteArray answer
        = socket.send(request) ? socket.readUntilClosed(hangGuardMs(20000), &closed) : QByteArray();
    const QList<TestResponse> responses = splitResponses(answer);
    if (responses.isEmpty()) {
        outcome.kind = answer.isEmpty() ? PostOutcome::ClosedUnanswered : PostOutcome::Truncated;
        return outcome;
    }
    outcome.kind = PostOutcome::Answered;
    outcome.status = responses.constFirst().status;
    outcome.id = responses.constFirst().json().object().value(u"id").toInteger(-1);
    return outcome;
}

} // namespace

class TestFaults : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void clientsLeavingAtEveryPhase();
    void sigtermDuringWriteLoadLosesNoAnsweredPost_data();
    void sigtermDuringWriteLoadLosesNoAnsweredPost();

private:
    PostgresFixture m_postgres;
    bool m_postgresUp = false;
    QTemporaryDir m_dir;
};

void TestFaults::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_postgresUp = m_postgres.start();
    if (!m_postgresUp)
        qWarning("PostgreSQL rows will be skipped: %s", qPrintable(m_postgres.errorMessage()));
}

void TestFaults::clientsLeavingAtEveryPhase()
{
    constexpr int clients = 10000;
    constexpr int batchSize = 50; // connections open at once
    const int guardMs = hangGuardMs(20000);
    testsupport::FixedDelayServer upstream;
    QVERIFY(upstream.start());
    ServerConfig config;
    config.port = 0;
    config.databaseUrl = QStringLiteral("sqlite::memory:");
    config.outbound.filesDirectory = m_dir.filePath(QStringLiteral("files"));
    config.outbound.upstreamUrl = QStringLiteral("http://127.0.0.1:%1").arg(upstream.port());
    ServerHost host(config);
    QVERIFY2(host.start(), "server did not start");
    const quint16 port = host.port();
    const http::ConnectionStats &stats = *host.stats();
    // Generates the 1 MiB file once, so every writing phase finds it ready.
    QCOMPARE(fetch(port, "GET", "/files/1mb.txt", {}, hangGuardMs(60000)).body.size(), 1 << 20);

    const std::uint64_t droppedBefore = stats.responsesDropped.load();
    int awaiting = 0;
    // Handlers still running once every client of their batch had gone: each must drop its answer.
    std::uint64_t outlivedTheirClient = 0;
    // Of those, the ones held on the upstream: they outlive their client whatever the speed.
    std::uint64_t heldPastReset = 0;
    for (int round = 0; round < clients;) {
        struct Client
        {
            std::unique_ptr<RawSocket> socket;
            Phase phase;
            bool held;
        };
        std::vector<Client> batch;
        const std::uint64_t requestsBefore = stats.requests.load();
        const std::uint64_t batchDroppedBefore = stats.responsesDropped.load();
        std::uint64_t wholeRequests = 0;
        int batchAwaiting = 0;
        // Which half closes and which resets alternates by batch, so every phase and kind of
        // await meets both (each one's clients sit at the same parity within a batch).
        const int batchParity = (round / batchSize) % 2;
        upstream.hold();
        for (int i = 0; i < batchSize && round < clients; ++i, ++round) {
            const auto phase = Phase(round % phaseCount);
            // A small receive window keeps a 1 MiB answer in the server's hands while it writes.
            auto socket
                = std::make_unique<RawSocket>(port, phase == Phase::WhileWriting ? 4096 : 0);
            QVERIFY2(socket->isConnected(), qPrintable(QStringLiteral("client %1").arg(round)));
            QVERIFY(socket->send(requestFor(phase, round)));
            wholeRequests += sendsWholeRequest(phase) ? 1 : 0;
            batchAwaiting += phase == Phase::WhileAwaiting ? 1 : 0;
            const bool held
                = phase == Phase::WhileAwaiting && awaitingTargetOf(round) == heldTarget;
            batch.push_back({ std::move(socket), phase, held });
        }
        // Each whole request has reached its handler before its client leaves.
        QVERIFY2(waitUntil([&] { return stats.requests.load() >= requestsBefore + wholeRequests; },
                     guardMs),
            "the server did not take every request of the batch");
        int heldResets = 0;
        int heldCloses = 0;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            Client &client = batch[i];
            if (client.phase == Phase::WhileWriting || client.phase == Phase::AfterAnswer)
                QVERIFY2(client.socket->waitReadable(guardMs), "no answer began");
            // Half hang up politely, half abort: a FIN and a RST reach the server differently.
            // A FIN may be a half-close from a client still reading, so its whole requests are
            // answered (the connection closes after); a RST is a client gone.
            if ((int(i) + batchParity) % 2 == 0) {
                client.socket->close();
                heldCloses += client.held ? 1 : 0;
            } else {
                client.socket->reset();
                heldResets += client.held ? 1 : 0;
            }
        }
        // Only the politely closed connections held on the upstream stay open: their answers are
        // still owed, and the upstream has not answered.
        QVERIFY2(waitUntil([&] { return stats.openConnections.load() == heldCloses; }, guardMs),
            "the server did not notice every hang-up of the batch");
        // Every other client is gone, so whatever handler still runs, but for the held closed
        // ones, has no one to answer; the held reset ones are certainly among them.
        const int inFlight = stats.inFlightRequests.load();
        QVERIFY2(inFlight >= heldResets + heldCloses,
            qPrintable(QStringLiteral("%1 in flight, %2 held")
                           .arg(inFlight)
                           .arg(heldResets + heldCloses)));
        const int stillAwaiting = inFlight - heldCloses;
        upstream.release();
        QVERIFY2(waitUntil([&] { return stats.openConnections.load() == 0; }, guardMs),
            "the held closed connections were not answered and closed");
        QVERIFY2(waitUntil([&] { return stats.inFlightRequests.load() == 0; }, guardMs),
            "the batch's handlers did not finish");
        const std::uint64_t batchDropped = stats.responsesDropped.load() - batchDroppedBefore;
        QVERIFY2(batchDropped >= std::uint64_t(stillAwaiting)
                && batchDropped <= std::uint64_t(batchAwaiting),
            qPrintable(QStringLiteral("%1 answers dropped; %2 handlers outlived their client, "
                                      "%3 were awaiting")
                           .arg(batchDropped)
                           .arg(stillAwaiting)
                           .arg(batchAwaiting)));
        outlivedTheirClient += std::uint64_t(stillAwaiting);
        heldPastReset += std::uint64_t(heldResets);
        awaiting += batchAwaiting;
    }

    QTRY_COMPARE_WITH_TIMEOUT(stats.inFlightRequests.load(), 0, guardMs);
    QTRY_COMPARE_WITH_TIMEOUT(stats.openConnections.load(), 0, guardMs);
    // Every handler that outlived its client dropped its answer rather than writing it to a
    // closed socket (checked per batch above). The held upstream calls make the drop path run
    // for certain; how many of the other awaits outlived their client depends on how fast the
    // hang-ups arrive, and is only reported.
    const std::uint64_t dropped = stats.responsesDropped.load() - droppedBefore;
    QVERIFY2(heldPastReset > 0, "no held upstream call lost its client: the drop path never ran");
    QVERIFY(outlivedTheirClient >= heldPastReset);
    QVERIFY(dropped >= outlivedTheirClient && dropped <= std::uint64_t(awaiting));
    qInfo("%d clients left at %d phases; %llu of %d awaiting handlers outlived their client "
          "(%llu held on the upstream), %llu answers dropped, %llu connections accepted",
        clients, phaseCount, qulonglong(outlivedTheirClient), awaiting, qulonglong(heldPastReset),
        qulonglong(dropped), qulonglong(stats.acceptedConnections.load()));
    // And the server serves as before.
    const TestResponse after = fetch(port, "GET", "/async?delay=0");
    QCOMPARE(after.status, 200);
    const TestResponse health = fetch(port, "GET", "/_scope/health");
    QCOMPARE(health.json().object().value(u"in_flight").toInt(), 1); // the health request
    QCOMPARE(health.json().object().value(u"background_tasks").toInt(), 0);
    QVERIFY(stats.acceptedConnections.load() >= std::uint64_t(clients));
    host.stop();
}

void TestFaults::sigtermDuringWriteLoadLosesNoAnsweredPost_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgresql") << QStringLiteral("postgresql");
}

void TestFaults::sigtermDuringWriteLoadLosesNoAnsweredPost()
{
    QFETCH(QString, backend);
    QString database;
    if (backend == u"postgresql") {
        if (!m_postgresUp)
            QSKIP(qPrintable(
                QStringLiteral("PostgreSQL is not available: %1").arg(m_postgres.errorMessage())));
        database = m_postgres.createDatabase(QStringLiteral("sigterm"));
        QVERIFY2(!database.isEmpty(), qPrintable(m_postgres.errorMessage()));
    } else {
        database = QStringLiteral("sqlite:///") + m_dir.filePath(QStringLiteral("sigterm.db"));
    }
    const QString binary = QStringLiteral(LOOPSCOPE_BINARY);
    const QStringList arguments { QStringLiteral("--database"), database };

    QProcess server;
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const quint16 port = startHeadless(server, binary, arguments);
    QVERIFY(port != 0);

    constexpr int writers = 8;
    constexpr int answeredBeforeSignal = 200;
    std::atomic<int> answeredOk { 0 };
    std::atomic<bool> signalled { false };
    std::mutex outcomesMutex;
    std::vector<PostOutcome> outcomes;
    std::vector<std::thread> threads;
    const QDeadlineTimer loadDeadline(hangGuardMs(60000)); // bounded whatever happens to the server
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&, w] {
            for (int n = 0; !loadDeadline.hasExpired(); ++n) {
                const bool sentAfterSignal = signalled.load();
                PostOutcome outcome = postOnce(port, QStringLiteral("sigterm-%1-%2").arg(w).arg(n));
                outcome.afterSignal = sentAfterSignal || signalled.load();
                const bool stopped = outcome.kind == PostOutcome::Refused;
                if (outcome.kind == PostOutcome::Answered && outcome.status == 200)
                    ++answeredOk;
                {
                    const std::lock_guard lock(outcomesMutex);
                    outcomes.push_back(std::move(outcome));
                }
                if (stopped)
                    return;
            }
        });
    }
    const bool loadRunning = waitUntil(
        [&] { return answeredOk.load() >= answeredBeforeSignal || loadDeadline.hasExpired(); },
        hangGuardMs(60000));
    signalled = true;
    ::kill(pid_t(server.processId()), SIGTERM);
    const bool exited = server.waitForFinished(hangGuardMs(30000));
    for (std::thread &thread : threads)
        thread.join();
    QVERIFY2(loadRunning && answeredOk.load() >= answeredBeforeSignal,
        "the write load did not get going before the signal");
    QVERIFY2(exited, "the server did not stop within 30 s of SIGTERM");
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);

    QList<PostOutcome> answered;
    int inFlightAtSignal = 0;
    for (const PostOutcome &outcome : outcomes) {
        QVERIFY2(outcome.kind != PostOutcome::Truncated,
            qPrintable(QStringLiteral("%1: a truncated answer").arg(outcome.title)));
        // Before the signal nothing may fail; after it, a client may find the door closed.
        if (!outcome.afterSignal)
            QCOMPARE(outcome.kind, PostOutcome::Answered);
        if (outcome.kind != PostOutcome::Answered)
            continue;
        QVERIFY2(outcome.status == 200,
            qPrintable(QStringLiteral("%1 answered %2").arg(outcome.title).arg(outcome.status)));
        QVERIFY(outcome.id > 0);
        answered << outcome;
        inFlightAtSignal += outcome.afterSignal ? 1 : 0;
    }
    qInfo("%lld posts answered, %d of them after SIGTERM was sent", qlonglong(answered.size()),
        inFlightAtSignal);

    // Every answered write is there after a restart on the same database.
    QProcess restarted;
    restarted.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const quint16 again = startHeadless(restarted, binary, arguments);
    QVERIFY(again != 0);
    for (const PostOutcome &outcome : std::as_const(answered)) {
        const TestResponse stored = fetch(again, "GET", "/posts/" + QByteArray::number(outcome.id));
        QVERIFY2(stored.status == 200,
            qPrintable(QStringLiteral("post %1 (%2) answered 200 but is gone: %3")
                           .arg(outcome.id)
                           .arg(outcome.title, QString::fromUtf8(stored.body))));
        QCOMPARE(stored.json().object().value(u"title").toString(), outcome.title);
    }
    restarted.terminate();
    QVERIFY(restarted.waitForFinished(hangGuardMs(30000)));
    QCOMPARE(restarted.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
