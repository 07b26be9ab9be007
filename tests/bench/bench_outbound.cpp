// bench_outbound: GET /dashboard (three upstream calls gathered) against its peer, in one run,
// on loopback only. Loopscope starts with its upstream simulator at a fixed latency; FastAPI +
// uvicorn + httpx (Debian packages) runs the course's same gather against that same simulator.
// Each server gets `ab -n N -c C` with a shared client and with a client per call (the course's
// dashboard code); figures are ab's mean latency and requests/s, and the ratios.
// Usage: bench_outbound [--requests N] [--concurrency C] [--latency MS]
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <cstdio>

#include "benchsupport.h"

using namespace loopscope::bench;

namespace {

struct AbResult
{
    double meanMs = -1;
    double rps = -1;
    double failed = -1;
    double non2xx = 0;
};

AbResult ab(const QString &url, int requests, int concurrency)
{
    // Warm-up: connection pools, allocator, Python's imports of the first request.
    run(QStringLiteral("ab"),
        { QStringLiteral("-q"), QStringLiteral("-n"), QString::number(concurrency * 2),
            QStringLiteral("-c"), QString::number(concurrency), url },
        60000);
    const QString output = run(QStringLiteral("ab"),
        { QStringLiteral("-n"), QString::number(requests), QStringLiteral("-c"),
            QString::number(concurrency), QStringLiteral("-s"), QStringLiteral("30"), url },
        180000);
    AbResult result;
    result.meanMs = captureNumber(
        output, QStringLiteral("Time per request:\\s+([\\d.]+) \\[ms\\] \\(mean\\)"));
    result.rps = captureNumber(output, QStringLiteral("Requests per second:\\s+([\\d.]+)"));
    result.failed = captureNumber(output, QStringLiteral("Failed requests:\\s+(\\d+)"));
    const double non2xx = captureNumber(output, QStringLiteral("Non-2xx responses:\\s+(\\d+)"));
    result.non2xx = non2xx < 0 ? 0 : non2xx;
    if (result.rps < 0)
        note(QStringLiteral("ab failed on %1: %2").arg(url, output.right(400)));
    return result;
}

void report(const QByteArray &prefix, const AbResult &result)
{
    figure(prefix + "_mean_latency", result.meanMs, "ms");
    figure(prefix + "_rps", result.rps, "req/s");
    figure(prefix + "_failed", result.failed + result.non2xx, "requests");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int requests = 200;
    int concurrency = 20;
    int latency = 100;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--requests")
            requests = args[i + 1].toInt();
        else if (args[i] == u"--concurrency")
            concurrency = args[i + 1].toInt();
        else if (args[i] == u"--latency")
            latency = args[i + 1].toInt();
    }
    for (const char *tool : { "ab", "curl" }) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty()) {
            std::fprintf(stderr, "bench_outbound: %s is missing (make deps installs it)\n", tool);
            return 1;
        }
    }
    note(QStringLiteral("GET /dashboard, upstream latency %1 ms, ab -n %2 -c %3, loopback only")
             .arg(latency)
             .arg(requests)
             .arg(concurrency));

    QProcess loopscope;
    const quint16 port = freePort();
    loopscope.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    loopscope.start(QStringLiteral(LOOPSCOPE_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--port"), QString::number(port),
            QStringLiteral("--database"), QStringLiteral("sqlite::memory:"),
            QStringLiteral("--upstream-latency"), QString::number(latency) });
    if (!loopscope.waitForStarted() || !waitForPort(port, 10000)) {
        std::fprintf(stderr, "bench_outbound: loopscope did not start\n");
        return 1;
    }
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);
    const QJsonObject upstream = QJsonDocument::fromJson(
        run(QStringLiteral("curl"),
            { QStringLiteral("-s"), base + QStringLiteral("/_scope/upstream") }, 10000)
            .toUtf8())
                                     .object();
    const QString simulator = upstream.value(QStringLiteral("simulator"))
                                  .toObject()
                                  .value(QStringLiteral("url"))
                                  .toString();
    if (simulator.isEmpty()) {
        std::fprintf(stderr, "bench_outbound: no simulator URL from /_scope/upstream\n");
        stopProcess(loopscope);
        return 1;
    }
    note(QStringLiteral("simulator %1 (in the loopscope process, serving both servers)")
             .arg(simulator));

    const AbResult loopShared = ab(base + QStringLiteral("/dashboard"), requests, concurrency);
    report("loopscope_dashboard_shared", loopShared);
    const AbResult loopPerCall
        = ab(base + QStringLiteral("/dashboard?client=per-call"), requests, concurrency);
    report("loopscope_dashboard_per_call", loopPerCall);

    QProcess fastapi;
    const quint16 fastapiPort = freePort();
    const QFileInfo appFile(QStringLiteral(FASTAPI_OUTBOUND_APP));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("UPSTREAM"), simulator);
    fastapi.setProcessEnvironment(environment);
    fastapi.setWorkingDirectory(appFile.absolutePath());
    fastapi.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // Debian's python3 has the Debian packages; a python3 earlier on PATH may not.
    fastapi.start(QStringLiteral("/usr/bin/python3"),
        { QStringLiteral("-m"), QStringLiteral("uvicorn"),
            appFile.completeBaseName() + QStringLiteral(":app"), QStringLiteral("--port"),
            QString::number(fastapiPort), QStringLiteral("--loop"), QStringLiteral("uvloop"),
            QStringLiteral("--http"), QStringLiteral("httptools"), QStringLiteral("--log-level"),
            QStringLiteral("warning") });
    if (!fastapi.waitForStarted() || !waitForPort(fastapiPort, 15000)) {
        note(QStringLiteral(
            "FastAPI+uvicorn did not start (python3-fastapi, python3-uvicorn, python3-uvloop, "
            "python3-httptools, python3-httpx): no peer figures"));
        stopProcess(fastapi);
        stopProcess(loopscope);
        return 0;
    }
    const QString fastapiBase = QStringLiteral("http://127.0.0.1:%1").arg(fastapiPort);
    const AbResult fastShared
        = ab(fastapiBase + QStringLiteral("/dashboard-shared"), requests, concurrency);
    report("fastapi_dashboard_shared", fastShared);
    const AbResult fastPerCall
        = ab(fastapiBase + QStringLiteral("/dashboard"), requests, concurrency);
    report("fastapi_dashboard_per_call", fastPerCall);
    stopProcess(fastapi);
    stopProcess(loopscope);

    if (loopShared.rps > 0 && fastShared.rps > 0) {
        figure("ratio_dashboard_shared_rps_loopscope_vs_fastapi", loopShared.rps / fastShared.rps,
            "x");
        figure("ratio_dashboard_shared_mean_latency_loopscope_vs_fastapi",
            loopShared.meanMs / fastShared.meanMs, "x");
    }
    if (loopPerCall.rps > 0 && fastPerCall.rps > 0) {
        figure("ratio_dashboard_per_call_rps_loopscope_vs_fastapi",
            loopPerCall.rps / fastPerCall.rps, "x");
        figure("ratio_dashboard_per_call_mean_latency_loopscope_vs_fastapi",
            loopPerCall.meanMs / fastPerCall.meanMs, "x");
    }
    if (fastShared.rps > 0 && fastPerCall.rps > 0)
        figure("ratio_fastapi_shared_vs_per_call_rps", fastShared.rps / fastPerCall.rps, "x");
    return 0;
}
