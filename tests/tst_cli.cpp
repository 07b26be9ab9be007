// The `loopscope` executable as a user runs it: arguments, the listening line, signals.
#include "support/hangguard.h"
#include "support/headlessserver.h"
#include "support/httptestclient.h"
#include "support/rawsocket.h"

#include "recordingformat.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <memory>
#include <vector>

using namespace loopscope::testing;

namespace {

const QString binary = QStringLiteral(LOOPSCOPE_BINARY);

// The suite's server: an in-memory database, so no test touches the user's data.
quint16 startHeadless(QProcess &process, const QStringList &extra = {})
{
    return loopscope::testing::startHeadless(process, binary,
        QStringList { QStringLiteral("--database"), QStringLiteral("sqlite::memory:") } + extra);
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void invalidArgumentsExitWithUsage_data();
    void invalidArgumentsExitWithUsage();
    void helpListsOnlyOptionsTheParserKnows();
    void portInUseFails();
    void headlessServesAndStopsOnSignal_data();
    void headlessServesAndStopsOnSignal();
    void modeAndSetFlagsApply();
    void limitAndTokenOptionsApply();
    void backgroundTaskCapRefusesWholeRequests();
    void departedClientsCpuWorkFreesThePool();
    void stuckWorkerThreadDoesNotHoldTheExit();
    void blockedLoopDoesNotHoldTheExit();
    void traceOutWritesTheTraceOnExit();
    void traceOutThatCannotBeWrittenFailsTheExit();
    void recordUnderSigtermGivesACompleteFile();
    void infoRefusesWhatIsNotARecording();
    void checkPrintsEachClaimAndItsVerdict();
    void traceExportOpensInTheWindow();
};

void TestCli::invalidArgumentsExitWithUsage_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("unknown flag") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--frobnicate") };
    QTest::newRow("bad port") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--port"), QStringLiteral("http") };
    QTest::newRow("port too large") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--port"), QStringLiteral("70000") };
    QTest::newRow("bad bind") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--bind"), QStringLiteral("nowhere") };
    QTest::newRow("mode without =") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--mode"), QStringLiteral("/async") };
    QTest::newRow("unknown route")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--port"),
               QStringLiteral("0"), QStringLiteral("--mode"), QStringLiteral("/nope=async") };
    QTest::newRow("unknown variant")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--port"),
               QStringLiteral("0"), QStringLiteral("--mode"), QStringLiteral("*=fast") };
    QTest::newRow("set without =") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--set"), QStringLiteral("gil.enabled") };
    QTest::newRow("unknown setting")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--port"),
               QStringLiteral("0"), QStringLiteral("--set"), QStringLiteral("gil.speed=2") };
    QTest::newRow("setting out of its bounds") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--set"),
        QStringLiteral("upstream.failure_rate=2") };
    QTest::newRow("byte count with unknown suffix") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--max-body-bytes"), QStringLiteral("12Q") };
    QTest::newRow("zero upstream body cap") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--max-upstream-body-bytes"), QStringLiteral("0") };
    QTest::newRow("zero connections") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--max-connections"), QStringLiteral("0") };
    QTest::newRow("negative timeout") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--keep-alive-timeout"), QStringLiteral("-1") };
    QTest::newRow("request line above the head limit")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--max-request-line"),
               QStringLiteral("32K"), QStringLiteral("--max-header-bytes"), QStringLiteral("16K") };
    QTest::newRow("trace retention below 10 s") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--trace-retention"), QStringLiteral("5") };
    QTest::newRow("trace ring budget below 1M") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--trace-ring-budget"), QStringLiteral("512K") };
    QTest::newRow("empty control token") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--control-token"), QString() };
    QTest::newRow("zero background tasks") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--max-background-tasks"), QStringLiteral("0") };
    QTest::newRow("stray argument")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("extra") };
    QTest::newRow("record without the trace") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--no-trace"), QStringLiteral("--record"), QStringLiteral("x.loopscope") };
    QTest::newRow("record without headless")
        << QStringList { QStringLiteral("--record"), QStringLiteral("x.loopscope") };
    QTest::newRow("play head without a recording")
        << QStringList { QStringLiteral("--at"), QStringLiteral("3") };
    QTest::newRow("select without a recording")
        << QStringList { QStringLiteral("--select"), QStringLiteral("load-1-1") };
    QTest::newRow("replay speed beyond 4x") << QStringList { QStringLiteral("x.loopscope"),
        QStringLiteral("--speed"), QStringLiteral("9") };
    QTest::newRow("check without a scenario") << QStringList { QStringLiteral("--check") };
    QTest::newRow("unknown theme")
        << QStringList { QStringLiteral("--theme"), QStringLiteral("sepia") };
    QTest::newRow("size without x")
        << QStringList { QStringLiteral("--size"), QStringLiteral("1024") };
    QTest::newRow("size below 640x480")
        << QStringList { QStringLiteral("--size"), QStringLiteral("320x200") };
    QTest::newRow("theme with headless") << QStringList { QStringLiteral("--headless"),
        QStringLiteral("--theme"), QStringLiteral("dark") };
    QTest::newRow("two recordings to open")
        << QStringList { QStringLiteral("a.loopscope"), QStringLiteral("b.loopscope") };
}

void TestCli::invalidArgumentsExitWithUsage()
{
    QFETCH(QStringList, arguments);
    QProcess process;
    process.start(binary, arguments);
    QVERIFY(process.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 2);
    const QByteArray error = process.readAllStandardError();
    QVERIFY2(error.contains("Usage: loopscope"), error.constData());
}

void TestCli::helpListsOnlyOptionsTheParserKnows()
{
    QProcess help;
    help.start(binary, { QStringLiteral("--help") });
    QVERIFY(help.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(help.exitCode(), 0);
    const QString text = QString::fromUtf8(help.readAllStandardOutput());
    // "  --port N   ...", "  -h, --help   ...": every option line, with its value's name if any.
    static const QRegularExpression optionLine(
        QStringLiteral("^  (?:-\\w, )?--([a-z-]+)( [A-Za-z=|]+)?"),
        QRegularExpression::MultilineOption);
    QStringList everyOption { QStringLiteral("--version") }; // answers before any value is checked
    int listed = 0;
    for (auto it = optionLine.globalMatch(text); it.hasNext(); ++listed) {
        const QRegularExpressionMatch match = it.next();
        everyOption << u"--" + match.captured(1);
        if (match.hasCaptured(2))
            everyOption << QStringLiteral("1");
    }
    QVERIFY2(listed >= 30, qPrintable(text));
    // One run with all of them: an option the help names but the parser does not know is a
    // usage error (exit 2) before --version is looked at.
    QProcess all;
    all.start(binary, everyOption);
    QVERIFY(all.waitForFinished(hangGuardMs(15000)));
    QVERIFY2(all.exitCode() == 0, all.readAllStandardError().constData());
}

void TestCli::portInUseFails()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    QProcess process;
    process.start(binary,
        { QStringLiteral("--headless"), QStringLiteral("--port"),
            QString::number(occupier.serverPort()) });
    QVERIFY(process.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(process.readAllStandardError().contains("cannot listen"));
}

void TestCli::headlessServesAndStopsOnSignal_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::newRow("SIGTERM") << SIGTERM;
    QTest::newRow("SIGINT") << SIGINT;
}

void TestCli::headlessServesAndStopsOnSignal()
{
    QFETCH(int, signalNumber);
    QProcess process;
    const quint16 port = startHeadless(process);
    QVERIFY(port != 0);
    QCOMPARE(fetch(port, "GET", "/_scope/health").status, 200);

    // A request in flight when the signal arrives is still answered.
    QTcpSocket inFlight;
    inFlight.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(inFlight.waitForConnected(hangGuardMs(5000)));
    inFlight.write("GET /async?delay=0.5 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QVERIFY(inFlight.waitForBytesWritten(hangGuardMs(5000)));
    // The request is in its handler before the signal: the server counts it with the probe.
    QTRY_VERIFY(
        fetch(port, "GET", "/_scope/health").json().object().value(u"in_flight").toInt() == 2);
    ::kill(static_cast<pid_t>(process.processId()), signalNumber);

    QByteArray answer;
    while (inFlight.waitForReadyRead(hangGuardMs(5000)))
        answer += inFlight.readAll();
    answer += inFlight.readAll();
    const auto responses = splitResponses(answer);
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.at(0).status, 200);

    QVERIFY(process.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(process.readAllStandardOutput().contains("stopped"));
}

void TestCli::modeAndSetFlagsApply()
{
    QProcess process;
    const quint16 port = startHeadless(process,
        { QStringLiteral("--mode"), QStringLiteral("*=blocking"), QStringLiteral("--mode"),
            QStringLiteral("GET /sync=async"), QStringLiteral("--set"),
            QStringLiteral("upstream.latency_ms=7"), QStringLiteral("--set"),
            QStringLiteral("gil.enabled=off") });
    QVERIFY(port != 0);
    const QByteArray modes = fetch(port, "GET", "/_scope/modes").body;
    QVERIFY(modes.contains(R"("route":"GET /async","variant":"blocking")"));
    QVERIFY(modes.contains(R"("route":"GET /sync","variant":"async")"));
    QVERIFY(
        modes.contains(R"("route":"GET /products/","variant":"async")")); // has no blocking variant
    const QJsonObject upstream = fetch(port, "GET", "/_scope/upstream").json().object();
    QCOMPARE(upstream.value(QStringLiteral("simulator"))
                 .toObject()
                 .value(QStringLiteral("latency_ms"))
                 .toDouble(),
        7.0);
    const QJsonObject gil = fetch(port, "GET", "/_scope/gil").json().object();
    QCOMPARE(gil.value(QStringLiteral("enabled")), QJsonValue(false));
    process.terminate();
    QVERIFY(process.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(process.exitCode(), 0);
}

void TestCli::limitAndTokenOptionsApply()
{
    QProcess process;
    const quint16 port = startHeadless(process,
        { QStringLiteral("--max-body-bytes"), QStringLiteral("1K"),
            QStringLiteral("--max-upstream-body-bytes"), QStringLiteral("512K"),
            QStringLiteral("--control-token"), QStringLiteral("tok"),
            QStringLiteral("--trace-ring-budget"), QStringLiteral("24M") });
    QVERIFY(port != 0);
    QCOMPARE(fetch(port, "POST", "/items/import", QByteArray(2048, 'x')).status, 413);
    QCOMPARE(fetch(port, "GET", "/_scope/metrics").status, 401);
    const RawExchange metrics = exchange(port,
        "GET /_scope/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        "tok\r\nConnection: "
        "close\r\n\r\n",
        1);
    QCOMPARE(metrics.responses.value(0).status, 200);
    const QByteArray metricsText = metrics.responses.value(0).body;
    QVERIFY(metricsText.contains("loopscope_limit{name=\"max_body_bytes\"} 1024\n"));
    QVERIFY(metricsText.contains("loopscope_trace_ring_budget_bytes 25165824\n"));
    // Within the budget but for the smallest rings (64 KiB) of threads that found it spent.
    const QRegularExpression rings(
        QStringLiteral("loopscope_trace_memory_bytes\\{part=\"rings\"\\} (\\d+)"));
    const QRegularExpressionMatch held = rings.match(QString::fromLatin1(metricsText));
    QVERIFY(held.hasMatch());
    QVERIFY2(held.captured(1).toLongLong() <= (24 << 20) + 64 * (64 << 10),
        qPrintable(held.captured(0)));
    const RawExchange upstream = exchange(port,
        "GET /_scope/upstream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        "tok\r\nConnection: close\r\n\r\n",
        1);
    QCOMPARE(upstream.responses.value(0).json().object().value(QStringLiteral("max_body_bytes")),
        QJsonValue(512 * 1024));
    process.terminate();
    QVERIFY(process.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(process.exitCode(), 0);
}

void TestCli::backgroundTaskCapRefusesWholeRequests()
{
    QProcess process;
    const quint16 port
        = startHeadless(process, { QStringLiteral("--max-background-tasks"), QStringLiteral("2") });
    QVERIFY(port != 0);
    // Two 5 s tasks fill the cap; every request that would start another is refused whole.
    QCOMPARE(fetch(port, "GET", "/start-task").status, 200);
    QCOMPARE(fetch(port, "GET", "/start-task").status, 200);
    const TestResponse refused = fetch(port, "GET", "/start-task");
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.json().object().value(u"detail").toString(),
        QStringLiteral("Too many background tasks (at most 2 at once); try again later"));
    QCOMPARE(fetch(port, "POST", "/signup?username=al&email=al%40example.com").status, 503);
    QCOMPARE(fetch(port, "POST", "/products/?name=lamp&price=9.5").status, 503);
    QCOMPARE(
        fetch(port, "GET", "/products/").body, QByteArray("[]")); // no product without its task
    const QJsonObject tasks = fetch(port, "GET", "/_scope/tasks").json().object();
    QCOMPARE(tasks.value(u"tasks").toArray().size(), 2);
    const QByteArray metrics = fetch(port, "GET", "/_scope/metrics").body;
    QVERIFY(metrics.contains("loopscope_background_tasks_refused_total 3\n"));
    QVERIFY(metrics.contains("loopscope_limit{name=\"max_background_tasks\"} 2\n"));
    // The cap is on tasks at once: once they end, requests start tasks again.
    QTRY_COMPARE_WITH_TIMEOUT(
        fetch(port, "GET", "/_scope/tasks").json().object().value(u"running").toInt(), 0,
        hangGuardMs(30000));
    QCOMPARE(fetch(port, "GET", "/start-task").status, 200);
    process.terminate();
    QVERIFY(process.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(process.exitCode(), 0);
}

void TestCli::departedClientsCpuWorkFreesThePool()
{
    QProcess process;
    const quint16 port = startHeadless(process);
    QVERIFY(port != 0);
    auto inFlight = [port] {
        return fetch(port, "GET", "/_scope/health").json().object().value(u"in_flight").toInt();
    };
    // As many /cpu requests at the largest n as the pool has threads: minutes of CPU together.
    constexpr int poolThreads = 40;
    std::vector<std::unique_ptr<RawSocket>> clients;
    for (int i = 0; i < poolThreads; ++i) {
        auto client = std::make_unique<RawSocket>(port);
        QVERIFY(client->isConnected());
        QVERIFY(client->send("GET /cpu?n=20000000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        clients.push_back(std::move(client));
    }
    QTRY_COMPARE_WITH_TIMEOUT(
        inFlight(), poolThreads + 1, hangGuardMs(30000)); // and the probe itself
    // Every client leaves at once. A reset, not a FIN: a FIN may be a half-close from a client
    // still reading, whose answer is due.
    for (auto &client : clients)
        client->reset();

    // Their work stops: every handler ends, and a `def` route finds a free pool thread.
    QTRY_COMPARE_WITH_TIMEOUT(inFlight(), 1, hangGuardMs(120000));
    const TestResponse sync = fetch(port, "GET", "/sync?delay=0.05", {}, hangGuardMs(120000));
    QCOMPARE(sync.status, 200);

    ::kill(static_cast<pid_t>(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(hangGuardMs(120000)));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(process.readAllStandardOutput().contains("stopped"));
}

void TestCli::stuckWorkerThreadDoesNotHoldTheExit()
{
    QProcess process;
    const quint16 port = startHeadless(process);
    QVERIFY(port != 0);
    // A minute of time.sleep on a pool thread: nothing can cancel it, and its client is gone.
    {
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(client.waitForConnected(hangGuardMs(5000)));
        client.write("GET /sync?delay=60 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QVERIFY(client.waitForBytesWritten(hangGuardMs(5000)));
        QTRY_COMPARE(
            fetch(port, "GET", "/_scope/health").json().object().value(u"in_flight").toInt(), 2);
    }
    ::kill(static_cast<pid_t>(process.processId()), SIGTERM);
    // The pool gets its grace, then is abandoned: the process ends cleanly, long before 60 s
    // (the suite's time limit is the bound; the log line says why it ended).
    QVERIFY(process.waitForFinished(hangGuardMs(120000)));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(process.readAllStandardError().contains("worker thread(s) still busy"));
    QVERIFY(process.readAllStandardOutput().contains("stopped"));
}

void TestCli::blockedLoopDoesNotHoldTheExit()
{
    QProcess process;
    const quint16 port
        = startHeadless(process, { QStringLiteral("--mode"), QStringLiteral("/sync=blocking") });
    QVERIFY(port != 0);
    // time.sleep(60) on the server loop itself: not even the shutdown can run until it ends.
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(client.waitForConnected(hangGuardMs(5000)));
    // Pipelined behind a probe: the loop parses both in one go, so once the probe's answer
    // arrives the loop has gone on into the sleep (nothing else can tell: it answers no more).
    client.write("GET /_scope/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                 "GET /sync?delay=60 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY(client.waitForReadyRead(hangGuardMs(20000)));
    ::kill(static_cast<pid_t>(process.processId()), SIGTERM);
    // The process keeps its promise to stop: past the stop deadline it exits, and says why.
    QVERIFY(process.waitForFinished(hangGuardMs(120000)));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(process.readAllStandardError().contains("the server did not stop within 17 s"));
}

void TestCli::traceOutWritesTheTraceOnExit()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("trace.json"));
    QProcess process;
    const quint16 port = startHeadless(process, { QStringLiteral("--trace-out"), path });
    QVERIFY(port != 0);
    const RawExchange answered = exchange(port,
        "GET /async?delay=0.05 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "X-Request-Id: cli-trace\r\n\r\n",
        1);
    QCOMPARE(answered.responses.size(), 1);
    process.terminate();
    QVERIFY(process.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(process.exitCode(), 0);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonDocument trace = QJsonDocument::fromJson(file.readAll());
    QVERIFY(trace.isObject());
    bool found = false;
    for (const QJsonValue &event : trace.object().value(QStringLiteral("traceEvents")).toArray()) {
        if (event.toObject()
                .value(QStringLiteral("args"))
                .toObject()
                .value(QStringLiteral("request_id"))
                .toString()
            == u"cli-trace")
            found = true;
    }
    QVERIFY(found);
}

// The trace asked for is not there: the exit code says so (a script must not go on as if it
// were), and stderr says which file and why.
void TestCli::traceOutThatCannotBeWrittenFailsTheExit()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("missing-folder/trace.json"));
    QProcess process;
    const quint16 port = startHeadless(process, { QStringLiteral("--trace-out"), path });
    QVERIFY(port != 0);
    process.terminate();
    QVERIFY(process.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(!QFile::exists(path));
    const QByteArray error = process.readAllStandardError();
    QVERIFY2(error.contains(QByteArray("cannot write " + path.toUtf8())), error.constData());
}

void TestCli::recordUnderSigtermGivesACompleteFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("session.loopscope"));
    QProcess process;
    const quint16 port = startHeadless(process, { QStringLiteral("--record"), path });
    QVERIFY(port != 0);
    // Answered before the signal: each must be in the file, however soon the signal follows.
    const QList<TestResponse> answers = fetchConcurrently(port, "GET", "/async?delay=0.05", 12);
    QCOMPARE(answers.size(), 12);
    QCOMPARE(fetch(port, "GET", "/start-task").status, 200);
    ::kill(static_cast<pid_t>(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    const QByteArray out = process.readAllStandardOutput();
    QVERIFY2(out.contains("recording written to"), out.constData());

    QProcess info;
    info.start(binary, { QStringLiteral("info"), path });
    QVERIFY(info.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(info.exitCode(), 0);
    const QJsonObject summary = QJsonDocument::fromJson(info.readAllStandardOutput()).object();
    QCOMPARE(summary.value(QStringLiteral("format_version")).toInt(),
        loopscope::recording::format::kVersion);
    QCOMPARE(summary.value(QStringLiteral("requests")).toInt(), 13);
    QCOMPARE(summary.value(QStringLiteral("tasks")).toInt(), 1);
    QCOMPARE(summary.value(QStringLiteral("lost_events")).toInt(), 0);
    QVERIFY(summary.value(QStringLiteral("events")).toInt() > 13 * 6);
    QCOMPARE(summary.value(QStringLiteral("bytes")).toInteger(), QFileInfo(path).size());
    QVERIFY(summary.value(QStringLiteral("span_ns")).toInteger() > 50'000'000);
    QVERIFY(summary.value(QStringLiteral("records")).toInt() >= 1); // the task's log line

    // Opened in the window, drawn whole and saved, with no server started.
    const QString shot = dir.filePath(QStringLiteral("shot.png"));
    QProcess window;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    window.setProcessEnvironment(environment);
    window.start(binary, { path, QStringLiteral("--screenshot"), shot });
    QVERIFY(window.waitForFinished(hangGuardMs(30000)));
    QCOMPARE(window.exitCode(), 0);
    QVERIFY(!window.readAllStandardOutput().contains("listening on"));
    QFile png(shot);
    QVERIFY(png.open(QIODevice::ReadOnly));
    QVERIFY(png.size() > 10'000);
    QVERIFY(png.read(8) == QByteArray("\x89PNG\r\n\x1a\n", 8));
}

void TestCli::infoRefusesWhatIsNotARecording()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("trace.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"traceEvents\": []}");
    file.close();
    QProcess info;
    info.start(binary, { QStringLiteral("info"), path });
    QVERIFY(info.waitForFinished(hangGuardMs(15000)));
    QCOMPARE(info.exitCode(), 1);
    const QByteArray error = info.readAllStandardError();
    QVERIFY2(error.contains(QByteArray(path.toUtf8() + ": not a Loopscope recording")),
        error.constData());
    QVERIFY(info.readAllStandardOutput().isEmpty());
}

// --check plays the scenario in the window and prints one line per claim, then the counts; its
// exit status says whether every claim held (a failing claim's status: tst_scenarioclaims).
void TestCli::checkPrintsEachClaimAndItsVerdict()
{
    QProcess window;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    window.setProcessEnvironment(environment);
    window.start(binary,
        { QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--database"),
            QStringLiteral("sqlite::memory:"), QStringLiteral("--scenario"),
            QStringLiteral("background-tasks"), QStringLiteral("--check") });
    QVERIFY(window.waitForFinished(hangGuardMs(90000)));
    const QString output = QString::fromUtf8(window.readAllStandardOutput());
    QCOMPARE(window.exitStatus(), QProcess::NormalExit);
    const QStringList lines = output.split(u'\n', Qt::SkipEmptyParts);
    // After the listening and window lines: the claims, then the counts.
    const QRegularExpression claimLine(
        QStringLiteral("^.+ \\| expected .+ \\| measured .+ \\| (PASS|FAIL)$"));
    qsizetype claims = 0;
    qsizetype failed = 0;
    for (const QString &line : lines) {
        if (const auto match = claimLine.match(line); match.hasMatch()) {
            ++claims;
            failed += match.captured(1) == u"FAIL" ? 1 : 0;
        }
    }
    QVERIFY2(claims >= 1, qPrintable(output));
    QCOMPARE(
        lines.constLast(), QStringLiteral("%1 passed, %2 failed").arg(claims - failed).arg(failed));
    QCOMPARE(window.exitCode(), failed ? 1 : 0);
    // The lesson's claim holds here: the endpoint answers long before its 3 s task.
    QVERIFY2(failed == 0, qPrintable(output));
}

void TestCli::traceExportOpensInTheWindow()
{
    QTemporaryDir dir;
    QProcess process;
    const quint16 port = startHeadless(process);
    QVERIFY(port != 0);
    QCOMPARE(fetchConcurrently(port, "GET", "/async?delay=0.05", 4).size(), 4);
    const TestResponse exported = fetch(port, "GET", "/_scope/trace");
    QCOMPARE(exported.status, 200);
    ::kill(static_cast<pid_t>(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(hangGuardMs(15000)));
    const QString path = dir.filePath(QStringLiteral("trace.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(exported.body);
    file.close();

    // `loopscope TRACE.json` draws it in the recording window, with no server started.
    const QString shot = dir.filePath(QStringLiteral("shot.png"));
    QProcess window;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    window.setProcessEnvironment(environment);
    window.start(binary, { path, QStringLiteral("--screenshot"), shot });
    QVERIFY(window.waitForFinished(hangGuardMs(30000)));
    QCOMPARE(window.exitCode(), 0);
    QVERIFY(!window.readAllStandardOutput().contains("listening on"));
    QVERIFY(QFileInfo(shot).size() > 10'000);

    // JSON that is not the export: one line naming the file and the problem, exit status 1.
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("{\"traceEvents\": []}");
    file.close();
    window.start(binary, { path });
    QVERIFY(window.waitForFinished(hangGuardMs(30000)));
    QCOMPARE(window.exitCode(), 1);
    const QByteArray error = window.readAllStandardError();
    QVERIFY2(error.contains(QByteArray(path.toUtf8() + ": not a Loopscope trace export")),
        error.constData());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
