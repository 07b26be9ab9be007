// bench_server: the server core against its peers, in one run, on loopback only.
//  1. 10,000 concurrent GET /async (2 s) with `ab -n 10000 -c 10000`: failures, longest
//     request, and server RSS growth per in-flight request; the same against FastAPI+uvicorn.
//  2. GET /products/1 with `wrk -t1 -c64 -d10s` against Loopscope and FastAPI+uvicorn
//     (uvloop, httptools): requests/s of both and the ratio.
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

bool startLoopscope(Server &server)
{
    server.name = QStringLiteral("loopscope");
    server.port = freePort();
    server.process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.process.start(QStringLiteral(LOOPSCOPE_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--port"), QString::number(server.port) });
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

// ab -n N -c N against /async while sampling the server's RSS: the peak is N requests in flight.
// `round` names the figures: the first round includes one-time heap growth, the second shows
// what a server that has seen such a burst before needs for another.
void concurrentAsync(Server &server, int concurrent, const QByteArray &prefix)
{
    const qint64 pid = server.process.processId();
    // Warm up so allocator pools and the thread pool exist before the baseline.
    run(QStringLiteral("ab"),
        { QStringLiteral("-n"), QStringLiteral("200"), QStringLiteral("-c"), QStringLiteral("50"),
            QStringLiteral("http://127.0.0.1:%1/async?delay=0.01").arg(server.port) },
        30000);
    QThread::msleep(300);
    const qint64 baseline = rssKb(pid);

    QProcess ab;
    ab.setProcessChannelMode(QProcess::MergedChannels);
    ab.start(QStringLiteral("ab"),
        { QStringLiteral("-n"), QString::number(concurrent), QStringLiteral("-c"),
            QString::number(concurrent), QStringLiteral("-s"), QStringLiteral("60"),
            QStringLiteral("http://127.0.0.1:%1/async").arg(server.port) });
    qint64 peak = baseline;
    while (!ab.waitForFinished(20))
        peak = std::max(peak, rssKb(pid));
    const QString output = QString::fromLocal8Bit(ab.readAll());
    const double complete = captureNumber(output, QStringLiteral("Complete requests:\\s+(\\d+)"));
    const double failed = captureNumber(output, QStringLiteral("Failed requests:\\s+(\\d+)"));
    const double longest = captureNumber(output, QStringLiteral("100%\\s+(\\d+)"));
    if (complete < 0) {
        note(QStringLiteral("%1: ab failed: %2")
                 .arg(QString::fromLatin1(prefix), output.right(400)));
        return;
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

    Server loopscope;
    if (!startLoopscope(loopscope)) {
        std::fprintf(stderr, "bench_server: loopscope did not start\n");
        return 1;
    }
    concurrentAsync(loopscope, concurrent, "loopscope_cold");
    concurrentAsync(loopscope, concurrent, "loopscope_warm");
    const double loopscopeRps = wrkProducts(loopscope, seconds);
    figure("loopscope_products_wrk_rps", loopscopeRps, "req/s");
    stopProcess(loopscope.process);

    Server fastapi;
    if (!startFastApi(fastapi)) {
        note(QStringLiteral("FastAPI+uvicorn did not start (python3-fastapi, python3-uvicorn, "
                            "python3-uvloop, python3-httptools): no peer figures"));
        return 0;
    }
    const double fastapiRps = wrkProducts(fastapi, seconds);
    figure("fastapi_products_wrk_rps", fastapiRps, "req/s");
    concurrentAsync(fastapi, concurrent, "fastapi_cold");
    concurrentAsync(fastapi, concurrent, "fastapi_warm");
    stopProcess(fastapi.process);
    if (fastapiRps > 0 && loopscopeRps > 0)
        figure("ratio_products_rps_loopscope_vs_fastapi", loopscopeRps / fastapiRps, "x");
    return 0;
}
