// bench_soak: the real server under a bounded mixed load, watched from /proc for growth.
// Closed-loop clients on this one thread cover every route family — the course's sleep routes
// on the loop and on the thread pool, the in-memory ProductService, posts and items in SQLite,
// outbound calls to the built-in upstream simulator, background tasks — on keep-alive and on
// one-request connections, plus clients that leave early (no request, half a request, or a
// whole one without waiting for the answer). The server keeps a trace window of a tenth of the
// run (10 to 60 s, --trace-retention): memory it fills by design, so the warm-up lasts until the
// window is full. After the warm-up and at the end the load pauses until /_scope/health shows
// the server idle, and the server's RSS and open descriptors are read: the goal is RSS flat
// within 10%, no fd growth. Each recording thread's trace ring is resident whole from its first
// event; RSS is also given net of the trace's own memory (rings and window), which
// /_scope/metrics reports, because a thread that starts recording late adds its ring.
// Usage: bench_soak [--duration S]   (default 600 s)
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "benchsupport.h"
#include "soakclient.h"
#include "support/httptestclient.h"

using namespace loopscope::bench;

namespace {

constexpr int sampleIntervalMs = 5000;

// Turns the event loop until `done` holds or the timeout passes; false on timeout.
bool runUntil(const std::function<bool()> &done, qint64 timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done() || deadline.hasExpired())
            loop.quit();
    });
    poll.start(20);
    if (!done())
        loop.exec();
    return done();
}

QJsonObject getJson(quint16 port, const QByteArray &target)
{
    return loopscope::testing::fetch(port, "GET", target).json().object();
}

struct IdleState
{
    bool reached = false;
    QJsonObject health;
};

// Idle: no request in flight and no connection besides the probe itself, no background task.
IdleState waitForIdleServer(quint16 port)
{
    IdleState state;
    runUntil(
        [&] {
            state.health = getJson(port, "/_scope/health");
            state.reached = state.health.value(QStringLiteral("in_flight")).toInt(-1) == 1
                && state.health.value(QStringLiteral("open_connections")).toInt(-1) == 1
                && state.health.value(QStringLiteral("background_tasks")).toInt(-1) == 0;
            return state.reached;
        },
        20000);
    return state;
}

// The trace's own memory (the rings of the threads recording, its retained window) from
// /_scope/metrics.
qint64 traceMemoryKb(quint16 port)
{
    const QByteArray metrics = loopscope::testing::fetch(port, "GET", "/_scope/metrics").body;
    qint64 bytes = 0;
    for (const QByteArray &line : metrics.split('\n')) {
        if (line.startsWith("loopscope_trace_memory_bytes{"))
            bytes += line.mid(line.lastIndexOf(' ') + 1).toLongLong();
    }
    return bytes / 1024;
}

QString pools(quint16 port)
{
    const QJsonObject database = getJson(port, "/_scope/database");
    const QJsonObject client
        = getJson(port, "/_scope/upstream").value(QStringLiteral("client")).toObject();
    return QStringLiteral("database workers %1, upstream client connections %2 (%3 idle)")
        .arg(database.value(QStringLiteral("workers")).toInt())
        .arg(client.value(QStringLiteral("open")).toInt())
        .arg(client.value(QStringLiteral("idle")).toInt());
}

void printServerLogTail(const QString &path)
{
    QFile log(path);
    if (!log.open(QIODevice::ReadOnly))
        return;
    const QList<QByteArray> lines = log.readAll().trimmed().split('\n');
    note(QStringLiteral("server log, last lines:"));
    for (qsizetype i = std::max<qsizetype>(0, lines.size() - 20); i < lines.size(); ++i)
        note(QStringLiteral("  ") + QString::fromLocal8Bit(lines[i]));
}

// The mix: a few hundred requests/s in all, so two cores serve it without queueing.
std::vector<Workload> soakMix(qint64 &lastPostId)
{
    // Every target lambda names its QByteArray result: with QT_USE_QSTRINGBUILDER a deduced
    // type would be a builder referring to temporaries that are gone when it is read.
    auto fixed = [](const char *target) { return [target]() -> QByteArray { return target; }; };
    auto random
        = [](int from, int to) { return QRandomGenerator::global()->bounded(from, to + 1); };
    auto counter = std::make_shared<qint64>(0);
    static const char *const cities[] = { "London", "Paris", "Tokyo", "Lagos", "Lima" };
    auto city = [random]() -> QByteArray {
        return QByteArray("/weather/") + cities[random(0, int(std::size(cities)) - 1)];
    };
    auto item
        = [random]() -> QByteArray { return "/items/" + QByteArray::number(random(1, 1000)); };
    return {
        { QStringLiteral("GET /async?delay=0.05"), "GET", fixed("/async?delay=0.05"), true, 6, 50 },
        { QStringLiteral("GET /async?delay=0.05"), "GET", fixed("/async?delay=0.05"), false, 2,
            50 },
        { QStringLiteral("GET /sync?delay=0.01"), "GET", fixed("/sync?delay=0.01"), true, 2, 20 },
        { QStringLiteral("GET /sync?delay=0.01"), "GET", fixed("/sync?delay=0.01"), false, 1, 20 },
        { QStringLiteral("GET /products/1"), "GET", fixed("/products/1"), true, 1, 20 },
        // ProductService keeps every product in memory, as the course's dict does: a slow
        // rate, so the store's intended growth (~1 KiB/s) stays well below the 10% goal.
        { QStringLiteral("POST /products/"), "POST", fixed("/products/?name=soak&price=1"), true, 1,
            1000 },
        { QStringLiteral("POST /posts/"), "POST",
            [counter]() -> QByteArray {
                return "/posts/?title=soak%20" + QByteArray::number(++*counter)
                    + "&content=a%20soak%20post&author=bench_soak";
            },
            true, 1, 200,
            [&lastPostId](const QByteArray &body) {
                const qint64 id = QJsonDocument::fromJson(body)
                                      .object()
                                      .value(QStringLiteral("id"))
                                      .toInteger();
                lastPostId = std::max(lastPostId, id);
            } },
        { QStringLiteral("GET /posts/{id}"), "GET",
            [&lastPostId]() -> QByteArray {
                const qint64 id = 1 + QRandomGenerator::global()->bounded(lastPostId);
                return "/posts/" + QByteArray::number(id);
            },
            true, 1, 20 },
        { QStringLiteral("GET /items/{id}"), "GET", item, true, 1, 20 },
        { QStringLiteral("GET /items/{id}"), "GET", item, false, 1, 20 },
        { QStringLiteral("GET /dashboard"), "GET", fixed("/dashboard"), true, 2, 100 },
        { QStringLiteral("GET /weather/{city}"), "GET", city, true, 1, 100 },
        { QStringLiteral("GET /weather/{city}"), "GET", city, false, 1, 100 },
        { QStringLiteral("POST /signup"), "POST",
            [counter]() -> QByteArray {
                const QByteArray user = "soak" + QByteArray::number(++*counter);
                return "/signup?username=" + user + "&email=" + user + "%40example.com";
            },
            true, 1, 500 },
    };
}

// Every client of the mix and the early leaver, started and stopped together.
class SoakLoad
{
public:
    SoakLoad(quint16 port, qint64 &lastPostId)
        : m_mix(soakMix(lastPostId))
        , m_tallies(m_mix.size())
        , m_leaver(port, 100)
    {
        for (std::size_t w = 0; w < m_mix.size(); ++w) {
            for (int c = 0; c < m_mix[w].clients; ++c)
                m_clients.push_back(std::make_unique<SoakClient>(m_mix[w], m_tallies[w], port));
        }
    }

    void start()
    {
        for (auto &client : m_clients)
            client->start();
        m_leaver.start();
    }

    // Lets every request in flight finish; false when some did not within the answer timeout.
    bool stop()
    {
        for (auto &client : m_clients)
            client->stop();
        m_leaver.stop();
        return runUntil(
            [this] {
                return !m_leaver.isRunning()
                    && std::none_of(m_clients.begin(), m_clients.end(),
                        [](const auto &client) { return client->isRunning(); });
            },
            soakAnswerTimeoutMs + 5000);
    }

    struct Totals
    {
        qint64 requests = 0; // the early leavers' departures are not requests
        qint64 failed = 0; // failed requests and refused early leavers
    };
    Totals totals() const
    {
        Totals totals { 0, m_leaver.failed() };
        for (const WorkloadTally &tally : m_tallies) {
            totals.requests += tally.answered + tally.failed;
            totals.failed += tally.failed;
        }
        return totals;
    }

    QString describe() const
    {
        return QStringLiteral("%1 clients over %2 workloads plus an early leaver every 100 ms")
            .arg(m_clients.size())
            .arg(m_mix.size());
    }

    void noteEachWorkload() const
    {
        for (std::size_t w = 0; w < m_mix.size(); ++w) {
            const Workload &workload = m_mix[w];
            const WorkloadTally &tally = m_tallies[w];
            const qint64 requests = tally.answered + tally.failed;
            note(
                QStringLiteral("%1 %2 x%3: %4 answered, %5 failed, mean %6 ms, %7 connections%8")
                    .arg(workload.name,
                        workload.keepAlive ? QStringLiteral("keep-alive") : QStringLiteral("close"))
                    .arg(workload.clients)
                    .arg(tally.answered)
                    .arg(tally.failed)
                    .arg(requests ? tally.latencySumMs / double(requests) : 0.0, 0, 'f', 1)
                    .arg(tally.connections)
                    .arg(tally.firstFailure.isEmpty()
                            ? QString()
                            : QString(QStringLiteral("; first failure: ") + tally.firstFailure)));
        }
        note(QStringLiteral("early leavers: %1 departures, %2 refused%3")
                 .arg(m_leaver.departures())
                 .arg(m_leaver.failed())
                 .arg(m_leaver.firstFailure().isEmpty()
                         ? QString()
                         : QString(QStringLiteral(": ") + m_leaver.firstFailure())));
    }

    qint64 earlyDisconnects() const { return m_leaver.departures(); }

private:
    const std::vector<Workload> m_mix; // the clients refer to its entries: never resized
    std::vector<WorkloadTally> m_tallies;
    std::vector<std::unique_ptr<SoakClient>> m_clients;
    EarlyLeaver m_leaver;
};

// The server's RSS and descriptors while the load runs.
struct LoadSample
{
    qint64 rssKb;
    int fds;
};

double percentGrowth(qint64 from, qint64 to)
{
    return from > 0 ? 100.0 * double(to - from) / double(from) : 0.0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qint64 durationS = 600;
    const QStringList args = app.arguments();
    if (const qsizetype i = args.indexOf(QStringLiteral("--duration"));
        i > 0 && i + 1 < args.size())
        durationS = std::max<qint64>(1, args.at(i + 1).toLongLong());
    const qint64 durationMs = durationS * 1000;
    // The trace window grows with the load until it spans its retention: RSS read before then
    // would count it as growth.
    const qint64 retentionS = std::clamp<qint64>(durationS / 10, 10, 60);
    const qint64 warmUpMs = (retentionS + 10) * 1000;
    if (warmUpMs >= durationMs) {
        note(QStringLiteral("--duration must exceed the %1 s warm-up").arg(warmUpMs / 1000));
        return 1;
    }

    QTemporaryDir dir;
    const QString logPath = dir.filePath(QStringLiteral("server.log"));
    const quint16 port = freePort();
    QProcess server;
    // The server logs every background task; a file keeps them out of the figures.
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.setStandardOutputFile(logPath);
    server.start(QStringLiteral(LOOPSCOPE_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--port"), QString::number(port),
            QStringLiteral("--trace-retention"), QString::number(retentionS),
            QStringLiteral("--database"),
            QStringLiteral("sqlite:///") + dir.filePath(QStringLiteral("soak.db")) });
    if (!server.waitForStarted() || !waitForPort(port, 30000)) {
        note(QStringLiteral("loopscope did not start"));
        printServerLogTail(logPath);
        return 1;
    }
    const qint64 pid = server.processId();
    auto serverAlive = [&server] { return server.state() == QProcess::Running; };

    // What the mix reads must exist: product 1 and post 1.
    const auto product = loopscope::testing::fetch(port, "POST", "/products/?name=soak&price=1");
    const auto post = loopscope::testing::fetch(
        port, "POST", "/posts/?title=first&content=soak&author=bench_soak");
    if (product.status != 200 || post.status != 200) {
        note(QStringLiteral("setup failed: POST /products/ %1, POST /posts/ %2")
                 .arg(product.status)
                 .arg(post.status));
        return 1;
    }
    qint64 lastPostId = post.json().object().value(QStringLiteral("id")).toInteger();
    SoakLoad load(port, lastPostId);
    note(QStringLiteral("pid %1, port %2, before load: rss %3 KiB, %4 fds")
             .arg(pid)
             .arg(port)
             .arg(rssKb(pid))
             .arg(openFdCount(pid)));
    note(QStringLiteral("%1 s of load, the first %2 s warm-up (trace window %3 s): %4; RSS and "
                        "fds every %5 s")
             .arg(durationS)
             .arg(warmUpMs / 1000)
             .arg(retentionS)
             .arg(load.describe())
             .arg(sampleIntervalMs / 1000));

    std::vector<LoadSample> samples;
    QElapsedTimer phaseClock;
    qint64 loadMsBefore = 0; // load time of the phases before this one, the idle pauses excluded
    const qint64 samplesPerNote
        = std::clamp<qint64>(durationMs / 10, sampleIntervalMs, 60000) / sampleIntervalMs;
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, [&] {
        samples.push_back({ rssKb(pid), openFdCount(pid) });
        // One line a minute at most: a long run shows progress without burying the figures.
        if (qint64(samples.size()) % samplesPerNote != 0)
            return;
        const SoakLoad::Totals totals = load.totals();
        note(QStringLiteral("%1 s: rss %2 KiB, %3 fds, %4 requests (%5 failed)")
                 .arg((loadMsBefore + phaseClock.elapsed() + 500) / 1000)
                 .arg(samples.back().rssKb)
                 .arg(samples.back().fds)
                 .arg(totals.requests)
                 .arg(totals.failed));
    });

    // Runs the load for `ms` (less if the server dies), then waits until the server is idle:
    // connections come and go under load, so descriptors compare only between idle moments.
    auto runLoad = [&](qint64 ms) {
        phaseClock.start();
        load.start();
        sampler.start(sampleIntervalMs);
        runUntil([&] { return !serverAlive(); }, ms);
        sampler.stop();
        const bool stopped = load.stop();
        loadMsBefore += phaseClock.elapsed();
        if (!stopped)
            note(QStringLiteral("clients still waiting for answers %1 s after the load stopped")
                     .arg(soakAnswerTimeoutMs / 1000 + 5));
        IdleState idle = stopped && serverAlive() ? waitForIdleServer(port) : IdleState {};
        if (idle.reached)
            note(QStringLiteral("idle at %1 s: %2").arg(loadMsBefore / 1000).arg(pools(port)));
        else if (serverAlive())
            note(QStringLiteral("server not idle after the load: %1")
                     .arg(QString::fromUtf8(
                         QJsonDocument(idle.health).toJson(QJsonDocument::Compact))));
        return idle;
    };

    const double cpuBefore = cpuSeconds(pid);
    const IdleState afterWarmUp = runLoad(warmUpMs);
    const qint64 rssStartKb = rssKb(pid);
    const qint64 traceStartKb = traceMemoryKb(port);
    const int fdsStart = openFdCount(pid);
    const QMap<QString, int> fdKindsStart = openFdKinds(pid);
    const IdleState atEnd = afterWarmUp.reached ? runLoad(durationMs - warmUpMs) : IdleState {};
    const qint64 rssEndKb = rssKb(pid);
    const qint64 traceEndKb = serverAlive() ? traceMemoryKb(port) : 0;
    const int fdsEnd = openFdCount(pid);
    const QMap<QString, int> fdKindsEnd = openFdKinds(pid);
    const double cpuUsed = cpuSeconds(pid) - cpuBefore;
    const bool diedEarly = !serverAlive();

    load.noteEachWorkload();
    const SoakLoad::Totals totals = load.totals();
    figure("soak_duration", loadMsBefore / 1000.0, "s");
    figure("requests_total", double(totals.requests), "requests");
    figure("requests_failed", double(totals.failed), "requests");
    figure("requests_per_s", double(totals.requests) * 1000.0 / double(loadMsBefore), "req/s");
    figure("early_disconnects", double(load.earlyDisconnects()), "connections");
    if (diedEarly) {
        figure("server_exit_code",
            server.exitStatus() == QProcess::NormalExit ? server.exitCode() : -1, "code");
        note(QStringLiteral("the server died during the soak"));
        printServerLogTail(logPath);
        return 1;
    }
    note(QStringLiteral("server CPU: %1 s in %2 s of load (%3% of one core)")
             .arg(cpuUsed, 0, 'f', 1)
             .arg(loadMsBefore / 1000.0, 0, 'f', 1)
             .arg(100.0 * cpuUsed / std::max(1e-3, loadMsBefore / 1000.0), 0, 'f', 0));

    qint64 rssMaxKb = std::max(rssStartKb, rssEndKb);
    for (const LoadSample &sample : samples)
        rssMaxKb = std::max(rssMaxKb, sample.rssKb);
    figure("rss_start_kib", double(rssStartKb), "KiB");
    figure("rss_end_kib", double(rssEndKb), "KiB");
    figure("rss_max_kib", double(rssMaxKb), "KiB");
    figure("rss_growth_percent", percentGrowth(rssStartKb, rssEndKb), "%");
    figure("trace_memory_start_kib", double(traceStartKb), "KiB");
    figure("trace_memory_end_kib", double(traceEndKb), "KiB");
    // What a leak would show: the growth of everything but the trace's bounded buffers.
    const double growthBeyondTrace
        = percentGrowth(rssStartKb - traceStartKb, rssEndKb - traceEndKb);
    figure("rss_growth_beyond_trace_percent", growthBeyondTrace, "%");
    figure("fds_start", fdsStart, "fds");
    figure("fds_end", fdsEnd, "fds");
    figure("fds_growth", fdsEnd - fdsStart, "fds");
    QStringList fdChanges;
    QMap<QString, int> fdChange = fdKindsEnd;
    for (auto it = fdKindsStart.cbegin(); it != fdKindsStart.cend(); ++it)
        fdChange[it.key()] -= it.value();
    for (auto it = fdChange.cbegin(); it != fdChange.cend(); ++it) {
        if (it.value() != 0)
            fdChanges << it.key()
                    + QStringLiteral(" %1%2").arg(it.value() > 0 ? u"+" : u"").arg(it.value());
    }
    if (!fdChanges.isEmpty())
        note(QStringLiteral("descriptors that came or went: ") + fdChanges.join(u", "));
    // The probe is itself a request in flight on an open connection.
    figure("idle_in_flight_besides_probe",
        atEnd.health.value(QStringLiteral("in_flight")).toInt() - 1, "requests");
    figure("idle_open_connections_besides_probe",
        atEnd.health.value(QStringLiteral("open_connections")).toInt() - 1, "connections");
    figure("idle_background_tasks", atEnd.health.value(QStringLiteral("background_tasks")).toInt(),
        "tasks");

    stopProcess(server);
    const int exitCode = server.exitStatus() == QProcess::NormalExit ? server.exitCode() : -1;
    figure("server_exit_code", exitCode, "code");
    if (exitCode != 0)
        printServerLogTail(logPath);
    const double growth = percentGrowth(rssStartKb, rssEndKb);
    auto verdict = [](bool met) { return met ? QStringLiteral("met") : QStringLiteral("missed"); };
    note(QStringLiteral("goal RSS flat within 10%: %1 for the whole process (%2%), %3 beyond the "
                        "trace's bounded buffers (%4%); goal no fd growth: %5 (%6 fds)")
             .arg(verdict(std::abs(growth) <= 10.0))
             .arg(growth, 0, 'f', 1)
             .arg(verdict(std::abs(growthBeyondTrace) <= 10.0))
             .arg(growthBeyondTrace, 0, 'f', 1)
             .arg(verdict(fdsEnd <= fdsStart))
             .arg(fdsEnd - fdsStart));
    // Not a timing test: only a dead server, failed requests or a server that never went idle
    // (leaked connections, requests or tasks) fail it.
    return exitCode == 0 && totals.failed == 0 && atEnd.reached ? 0 : 1;
}
