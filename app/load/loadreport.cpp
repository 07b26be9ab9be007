#include "loadreport.h"

#include <QStringList>

#include <array>

namespace loopscope::load {

namespace {

QString line(const char *label, const QString &value)
{
    return QString::fromLatin1(label).leftJustified(24) + value + u'\n';
}

QString connectionRow(const char *label, const LatencyHistogram &h)
{
    return QString::asprintf("%-12s%9.3f %9.3f %7.3f %9.3f %9.3f\n", label, double(h.min()) / 1e6,
        h.mean() / 1e6, h.stddev() / 1e6, double(h.valueAtPercentile(50)) / 1e6,
        double(h.max()) / 1e6);
}

QString percentileTable(const LatencyHistogram &h)
{
    static constexpr std::array<double, 9> kPercentiles { 50, 66, 75, 80, 90, 95, 98, 99, 100 };
    const auto values = h.valuesAtPercentiles(kPercentiles);
    QString out;
    for (size_t i = 0; i < kPercentiles.size(); ++i) {
        out += QString::asprintf(" %3d%% %10.3f", int(kPercentiles[i]), double(values[i]) / 1e6);
        out += i + 1 == kPercentiles.size() ? QStringLiteral(" (longest request)\n")
                                            : QStringLiteral("\n");
    }
    return out;
}

} // namespace

QString formatLoadReport(const LoadResult &r)
{
    const LoadPlan &plan = r.plan;
    const double seconds = r.elapsedSeconds();
    const RequestTemplate first = plan.requests.value(0);
    QString out;
    out += QStringLiteral("This is loopscope load (ab-like summary, run %1)\n\n")
               .arg(QString::fromLatin1(r.runId));
    out += line("Server Hostname:", plan.host);
    out += line("Server Port:", QString::number(plan.port));
    out += u'\n';
    out += line("Document Path:",
        QString::fromUtf8(first.target)
            + (plan.requests.size() > 1
                    ? QStringLiteral(" (+%1 more in the mix)").arg(plan.requests.size() - 1)
                    : QString()));
    out += line("Document Length:", QStringLiteral("%1 bytes").arg(r.documentLength));
    out += u'\n';
    out += line("Concurrency Level:", QString::number(plan.concurrency));
    if (plan.isOpenLoop())
        out += line("Target rate:", QStringLiteral("%1 [#/sec] (open loop)").arg(plan.rate));
    out += line("Time taken for tests:",
        QStringLiteral("%1 seconds").arg(QString::number(seconds, 'f', 3)));
    out += line("Complete requests:", QString::number(r.completed));
    out += line("Failed requests:", QString::number(r.failed));
    if (r.failed > 0) {
        out += QStringLiteral("   (Connect: %1, Timeout: %2, Reset: %3, Protocol: %4)\n")
                   .arg(r.errorCount(RequestError::Connect))
                   .arg(r.errorCount(RequestError::Timeout))
                   .arg(r.errorCount(RequestError::Reset))
                   .arg(r.errorCount(RequestError::Protocol));
    }
    out += line("Non-2xx responses:", QString::number(r.non2xx));
    if (r.errorCount(RequestError::Cancelled) > 0)
        out += line("Cancelled requests:", QString::number(r.errorCount(RequestError::Cancelled)));
    out += line("Total transferred:", QStringLiteral("%1 bytes").arg(r.totalBytes));
    out += line("HTML transferred:", QStringLiteral("%1 bytes").arg(r.bodyBytes));
    const double rps = r.requestsPerSecond();
    out += line("Requests per second:",
        QStringLiteral("%1 [#/sec] (mean)").arg(QString::number(rps, 'f', 2)));
    const double perRequestMs = r.completed > 0 ? seconds * 1e3 / double(r.completed) : 0.0;
    out += line("Time per request:",
        QStringLiteral("%1 [ms] (mean)")
            .arg(QString::number(perRequestMs * plan.concurrency, 'f', 3)));
    out += line("Time per request:",
        QStringLiteral("%1 [ms] (mean, across all concurrent requests)")
            .arg(QString::number(perRequestMs, 'f', 3)));
    const double kbps = seconds > 0 ? double(r.totalBytes) / 1024.0 / seconds : 0.0;
    out += line("Transfer rate:",
        QStringLiteral("%1 [Kbytes/sec] received").arg(QString::number(kbps, 'f', 2)));

    out += QStringLiteral("\nConnection Times (ms)\n");
    out += QStringLiteral("                  min      mean[+/-sd]   median       max\n");
    out += connectionRow("Connect:", r.connect);
    out += connectionRow("Processing:", r.processing);
    out += connectionRow("Waiting:", r.waiting);
    out += connectionRow("Total:", r.serviceTime);

    out += QStringLiteral("\nPercentage of the requests served within a certain time (ms)\n");
    if (plan.isOpenLoop()) {
        // Open loop: what a user waits for is measured from the intended send
        // time; the uncorrected figures hide queueing behind a slow server.
        out += QStringLiteral("  (latency from intended start, coordinated omission corrected)\n");
        out += percentileTable(r.latency);
        out += QStringLiteral("  (uncorrected, from actual send)\n");
        out += percentileTable(r.serviceTime);
    } else {
        out += percentileTable(r.latency);
    }
    if (r.stopped)
        out += QStringLiteral("\nThe run was stopped before its end.\n");
    return out;
}

} // namespace loopscope::load
