// bench_server: the server core against its peers and against the machine's floor, in one run,
// on loopback only.
//  0. The floor: floor_server (floor_server.cpp), one epoll thread answering fixed JSON with no
//     framework at all, takes the same loads first. What it cannot beat is the kernel and the
//     load tools on this machine, so Loopscope's and FastAPI's figures are also given as ratios
//     to it (ratio_*_vs_floor; the longest-request ratios compare the warm bursts, the goal for
//     Loopscope is <= 1.1). The floor also reports how fast it accepted each burst
//     (`floor_*_accept_rate`: its largest run of accepts, each within 100 ms of the one before).
//  1. 10,000 concurrent GET /async (2 s) with `ab -n 10000 -c 10000`, twice (cold, warm):
//     failures, longest request, and server RSS growth per in-flight request; the same against
//     the floor and FastAPI+uvicorn. Around each burst the kernel's TCP counters are read
//     (/proc/net/netstat, /proc/net/snmp) and their deltas printed: listen-queue overflows and
//     drops, SYN retransmits, SYN cookies sent, retransmitted segments (`*_listen_overflows`, ...).
//     A dropped SYN is sent again 1 s later, so nonzero overflows, drops or SYN retransmits mean
//     the kernel's backlog, not the server, set the longest request. The counters cover the whole
//     network namespace: other traffic at the time adds to them.
//  2. GET /products/1 with `wrk -t1 -c64 -d10s` against the floor, Loopscope and FastAPI+uvicorn
//     (uvloop, httptools): requests/s of each and the ratios.
//  3. Loopscope once more with --no-trace, through the same bursts and wrk, for what tracing
//     costs (ratio_products_rps_traced_vs_untraced, ratio_longest_traced_vs_untraced).
// Usage: bench_server [--concurrent N] [--duration S]
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <cstdio>
#include <sys/resource.h>

#include "benchsupport.h"

using namespace loopscope::bench;

namespace {

struct Server
{
    QString name;
    QProcess process;
    quint16 port = 0;
};

bool startLoopscope(Server &server, const QString &name = QStringLiteral("loopscope"),
    const QStringList &extraArguments = {})
{
    server.name = name;
    server.port = freePort();
    server.process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.process.start(QStringLiteral(LOOPSCOPE_BINARY),
        QStringList {
            QStringLiteral("--headless"), QStringLiteral("--port"), QString::number(server.port) }
            + extraArguments);
    return server.process.waitForStarted() && waitForPort(server.port, 10000);
}

bool startFloor(Server &server)
{
    server.name = QStringLiteral("floor");
    server.port = freePort();
    server.process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.process.start(QStringLiteral(FLOOR_SERVER_BINARY),
        { QStringLiteral("--port"), QString::number(server.port) });
    return server.process.waitForStarted() && waitForPort(server.port, 10000);
}

bool startFastApi(Server &server)
{
    server.name = QStringLiteral("fastapi");
    server.port = freePort();
    const QFileInfo app(QStringLiteral(FASTAPI_COURSE_APP));
    server.process.setWorkingDirectory(app.absolutePath());
    server.process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // Debian's python3 has the Debian packages; a python3 earlier on PATH may not.
    server.process.start(QStringLiteral("/usr/bin/python3"),
        { QStringLiteral("-m"), QStringLiteral("uvicorn"),
            app.completeBaseName() + QStringLiteral(":app"), QStringLiteral("--port"),
            QString::number(server.port), QStringLiteral("--loop"), QStringLiteral("uvloop"),
            QStringLiteral("--http"), QStringLiteral("httptools"), QStringLiteral("--log-level"),
            QStringLiteral("warning") });
    return server.process.waitForStarted() && waitForPort(server.port, 15000);
}

// The kernel's TCP counters by name ("TcpExtListenOverflows", "TcpRetransSegs"): both files hold
// pairs of lines, "Prefix: Name1 Name2 ..." then "Prefix: value1 value2 ...".
QMap<QByteArray, qint64> tcpCounters()
{
    QMap<QByteArray, qint64> counters;
    for (const char *path : { "/proc/net/netstat", "/proc/net/snmp" }) {
        QFile file(QString::fromLatin1(path));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = file.readAll().split('\n');
        for (qsizetype i = 0; i + 1 < lines.size(); i += 2) {
            const QList<QByteArray> names = lines[i].simplified().split(' ');
            const QList<QByteArray> values = lines[i + 1].simplified().split(' ');
            if (names.size() != values.size() || !names[0].endsWith(':'))
                continue;
            const QByteArray prefix = names[0].chopped(1);
            for (qsizetype j = 1; j < names.size(); ++j)
                counters[prefix + names[j]] = values[j].toLongLong();
        }
    }
    return counters;
}

// What the kernel did to the connections of one burst: the deltas of the counters that show a
// full listen queue (overflows, drops), SYNs sent again after one, and SYN cookies.
void tcpCounterFigures(const QByteArray &prefix, const QMap<QByteArray, qint64> &before,
    const QMap<QByteArray, qint64> &after)
{
    static const std::pair<const char *, const char *> reported[] = {
        { "TcpExtListenOverflows", "_listen_overflows" },
        { "TcpExtListenDrops", "_listen_drops" },
        { "TcpExtTCPSynRetrans", "_syn_retrans" },
        { "TcpExtSyncookiesSent", "_syncookies_sent" },
        { "TcpRetransSegs", "_retrans_segs" },
    };
    for (const auto &[counter, suffix] : reported) {
        if (before.contains(counter) && after.contains(counter))
            figure(QByteArray(prefix + suffix), double(after[counter] - before[counter]), "count");
    }
}

// The floor's largest run of accepts since the previous call (each within 100 ms of the one
// before, so ab's lone first request and SYNs retried a second later stay out): how many
// connections, and the time from the first to the last of them; -1 when it did not answer.
// A first call starts the count afresh.
std::pair<double, double> floorAccepts(const Server &server)
{
    const QString answer = run(QStringLiteral("curl"),
        { QStringLiteral("-s"),
            QStringLiteral("http://127.0.0.1:%1/_floor/accepts").arg(server.port) },
        10000);
    return { captureNumber(answer, QStringLiteral("\"accepted\":(\\d+)")),
        captureNumber(answer, QStringLiteral("\"span_s\":([\\d.]+)")) };
}

// ab -n N -c N against /async while sampling the server's RSS: the peak is N requests in flight.
// `prefix` names the figures: the first round includes one-time heap growth, the second shows
// what a server that has seen such a burst before needs for another. The longest request in
// seconds; -1 when ab failed.
double concurrentAsync(Server &server, int concurrent, const QByteArray &prefix)
{
    const qint64 pid = server.process.processId();
    // Warm up so allocator pools and the thread pool exist before the baseline.
    run(QStringLiteral("ab"),
        { QStringLiteral("-n"), QStringLiteral("200"), QStringLiteral("-c"), QStringLiteral("50"),
            QStringLiteral("http://127.0.0.1:%1/async?delay=0.01").arg(server.port) },
        30000);
    QThread::msleep(300);
    const qint64 baseline = rssKb(pid);
    const bool isFloor = server.name == u"floor";
    if (isFloor)
        floorAccepts(server);

    const QMap<QByteArray, qint64> countersBefore = tcpCounters();
    QProcess ab;
    ab.setProcessChannelMode(QProcess::MergedChannels);
    ab.start(QStringLiteral("ab"),
        { QStringLiteral("-n"), QString::number(concurrent), QStringLiteral("-c"),
            QString::number(concurrent), QStringLiteral("-s"), QStringLiteral("60"),
            QStringLiteral("http://127.0.0.1:%1/async").arg(server.port) });
    qint64 peak = baseline;
    while (!ab.waitForFinished(20))
        peak = std::max(peak, rssKb(pid));
    const QMap<QByteArray, qint64> countersAfter = tcpCounters();
    const QString output = QString::fromLocal8Bit(ab.readAll());
    const double complete = captureNumber(output, QStringLiteral("Complete requests:\\s+(\\d+)"));
    const double failed = captureNumber(output, QStringLiteral("Failed requests:\\s+(\\d+)"));
    const double longest = captureNumber(output, QStringLiteral("100%\\s+(\\d+)"));
    if (complete < 0) {
        note(QStringLiteral("%1: ab failed: %2")
                 .arg(QString::fromLatin1(prefix), output.right(400)));
        return -1;
    }
    const QByteArray &p = prefix;
    figure(QByteArray(p + "_concurrent_async_requests"), concurrent, "requests");
    figure(QByteArray(p + "_concurrent_async_complete"), complete, "requests");
    figure(QByteArray(p + "_concurrent_async_failed"), failed, "requests");
    figure(QByteArray(p + "_concurrent_async_longest"), longest / 1000.0, "s");
    figure(QByteArray(p + "_rss_baseline"), baseline / 1024.0, "MiB");
    figure(QByteArray(p + "_rss_peak"), peak / 1024.0, "MiB");
    figure(QByteArray(p + "_rss_per_inflight_request"),
        double(peak - baseline) * 1024.0 / concurrent, "bytes");
    tcpCounterFigures(p, countersBefore, countersAfter);
    if (isFloor) {
        const auto [accepted, spanS] = floorAccepts(server);
        if (accepted >= 0 && spanS >= 0) {
            figure(QByteArray(p + "_accept_run"), accepted, "connections");
            figure(QByteArray(p + "_accept_run_span"), spanS, "s");
            if (spanS > 0)
                figure(QByteArray(p + "_accept_rate"), accepted / spanS, "connections/s");
        }
    }
    return longest < 0 ? -1 : longest / 1000.0;
}

double wrkProducts(Server &server, int seconds)
{
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(server.port);
    run(QStringLiteral("curl"),
        { QStringLiteral("-s"), QStringLiteral("-X"), QStringLiteral("POST"),
            url + QStringLiteral("/products/?name=lamp&price=9.5") },
        10000);
    const QString output = run(QStringLiteral("wrk"),
        { QStringLiteral("-t1"), QStringLiteral("-c64"), QStringLiteral("-d%1s").arg(seconds),
            url + QStringLiteral("/products/1") },
        (seconds + 30) * 1000);
    const double rps = captureNumber(output, QStringLiteral("Requests/sec:\\s+([\\d.]+)"));
    const double errors
        = captureNumber(output, QStringLiteral("Non-2xx or 3xx responses:\\s+(\\d+)"));
    if (rps < 0)
        note(QStringLiteral("%1: wrk failed: %2").arg(server.name, output.right(400)));
    if (errors > 0)
        note(QStringLiteral("%1: %2 non-2xx responses").arg(server.name).arg(errors));
    return rps;
}

// The longest requests of a cold and a warm burst, and wrk's req/s.
struct Measured
{
    double coldLongest = -1;
    double warmLongest = -1;
    double rps = -1;
};

// The bursts, then wrk, each figure prefixed with the server's name; stops the server after.
Measured burstsThenWrk(Server &server, int concurrent, int seconds)
{
    const QByteArray name = server.name.toLatin1();
    Measured m;
    m.coldLongest = concurrentAsync(server, concurrent, name + "_cold");
    m.warmLongest = concurrentAsync(server, concurrent, name + "_warm");
    m.rps = wrkProducts(server, seconds);
    figure(name + "_products_wrk_rps", m.rps, "req/s");
    stopProcess(server.process);
    return m;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int concurrent = 10000;
    int seconds = 10;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--concurrent")
            concurrent = args[i + 1].toInt();
        else if (args[i] == u"--duration")
            seconds = args[i + 1].toInt();
    }
    for (const char *tool : { "ab", "wrk", "curl" }) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty()) {
            std::fprintf(stderr, "bench_server: %s is missing (make deps installs it)\n", tool);
            return 1;
        }
    }
    // 10,000 connections need a descriptor each on both sides; children inherit the limit.
    rlimit limit {};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    note(QStringLiteral("open-file limit %1; concurrent %2; wrk duration %3 s")
             .arg(limit.rlim_cur)
             .arg(concurrent)
             .arg(seconds));

    // A ratio of two figures, printed only when both were measured.
    const auto ratio = [](const char *name, double value, double floorValue) {
        if (value > 0 && floorValue > 0)
            figure(name, value / floorValue, "x");
    };

    Server floor;
    if (!startFloor(floor)) {
        std::fprintf(stderr, "bench_server: floor_server did not start\n");
        return 1;
    }
    const Measured floorFigures = burstsThenWrk(floor, concurrent, seconds);

    Server loopscope;
    if (!startLoopscope(loopscope)) {
        std::fprintf(stderr, "bench_server: loopscope did not start\n");
        return 1;
    }
    const Measured loopscopeFigures = burstsThenWrk(loopscope, concurrent, seconds);
    ratio(
        "ratio_longest_loopscope_vs_floor", loopscopeFigures.warmLongest, floorFigures.warmLongest);
    ratio("ratio_longest_cold_loopscope_vs_floor", loopscopeFigures.coldLongest,
        floorFigures.coldLongest);
    ratio("ratio_products_rps_loopscope_vs_floor", loopscopeFigures.rps, floorFigures.rps);

    // The same bursts and wrk with nothing recorded: what the trace costs. The same history
    // before wrk for both, so that only the trace differs (the traced server's window holds the
    // bursts' events when wrk begins).
    Server untraced;
    if (startLoopscope(
            untraced, QStringLiteral("loopscope_untraced"), { QStringLiteral("--no-trace") })) {
        const Measured untracedFigures = burstsThenWrk(untraced, concurrent, seconds);
        ratio("ratio_products_rps_traced_vs_untraced", loopscopeFigures.rps, untracedFigures.rps);
        ratio("ratio_longest_traced_vs_untraced", loopscopeFigures.warmLongest,
            untracedFigures.warmLongest);
    }

    Server fastapi;
    if (!startFastApi(fastapi)) {
        note(QStringLiteral("FastAPI+uvicorn did not start (python3-fastapi, python3-uvicorn, "
                            "python3-uvloop, python3-httptools): no peer figures"));
        return 0;
    }
    const double fastapiRps = wrkProducts(fastapi, seconds);
    figure("fastapi_products_wrk_rps", fastapiRps, "req/s");
    const double fastapiColdLongest = concurrentAsync(fastapi, concurrent, "fastapi_cold");
    const double fastapiLongest = concurrentAsync(fastapi, concurrent, "fastapi_warm");
    stopProcess(fastapi.process);
    ratio("ratio_longest_fastapi_vs_floor", fastapiLongest, floorFigures.warmLongest);
    ratio("ratio_longest_cold_fastapi_vs_floor", fastapiColdLongest, floorFigures.coldLongest);
    ratio("ratio_products_rps_fastapi_vs_floor", fastapiRps, floorFigures.rps);
    if (fastapiRps > 0 && loopscopeFigures.rps > 0)
        figure("ratio_products_rps_loopscope_vs_fastapi", loopscopeFigures.rps / fastapiRps, "x");
    return 0;
}
