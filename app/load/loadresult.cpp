#include "loadresult.h"

#include <QJsonArray>

namespace loopscope::load {

namespace {

double ms(double ns)
{
    return ns / 1e6;
}

QJsonObject histogramJson(const LatencyHistogram &h)
{
    static constexpr std::array<double, 12> kPercentiles { 50, 66, 75, 80, 90, 95, 98, 99, 99.9,
        99.99, 99.999, 100 };
    const auto values = h.valuesAtPercentiles(kPercentiles);
    QJsonObject percentiles;
    for (size_t i = 0; i < kPercentiles.size(); ++i)
        percentiles.insert(QString::number(kPercentiles[i]), ms(double(values[i])));
    return QJsonObject {
        { QStringLiteral("count"), double(h.count()) },
        { QStringLiteral("min_ms"), ms(double(h.min())) },
        { QStringLiteral("mean_ms"), ms(h.mean()) },
        { QStringLiteral("sd_ms"), ms(h.stddev()) },
        { QStringLiteral("max_ms"), ms(double(h.max())) },
        { QStringLiteral("percentiles_ms"), percentiles },
    };
}

} // namespace

double LoadResult::requestsPerSecond() const
{
    return elapsedNs > 0 ? double(completed) * 1e9 / double(elapsedNs) : 0.0;
}

QJsonObject LoadResult::toJson() const
{
    QJsonObject errorsByKind;
    for (int i = 1; i < kRequestErrorCount; ++i)
        errorsByKind.insert(
            QString::fromLatin1(requestErrorName(RequestError(i))), double(errors[size_t(i)]));

    QJsonArray seriesJson;
    for (const SeriesPoint &p : series) {
        seriesJson.append(QJsonObject {
            { QStringLiteral("second"), double(p.second) },
            { QStringLiteral("requests"), double(p.requests) },
            { QStringLiteral("errors"), double(p.errors) },
            { QStringLiteral("p50_ms"), ms(double(p.p50Ns)) },
            { QStringLiteral("p95_ms"), ms(double(p.p95Ns)) },
            { QStringLiteral("p99_ms"), ms(double(p.p99Ns)) },
        });
    }

    const double seconds = elapsedSeconds();
    QJsonObject planJson {
        { QStringLiteral("host"), plan.host },
        { QStringLiteral("port"), plan.port },
        { QStringLiteral("requests"), double(plan.totalRequests) },
        { QStringLiteral("duration_s"), double(plan.duration.count()) / 1e9 },
        { QStringLiteral("concurrency"), plan.concurrency },
        { QStringLiteral("keep_alive"), plan.keepAlive },
        { QStringLiteral("rate"), plan.rate },
        { QStringLiteral("timeout_s"), double(plan.timeout.count()) / 1e9 },
        { QStringLiteral("mode"),
            plan.isOpenLoop() ? QStringLiteral("open") : QStringLiteral("closed") },
    };
    QJsonArray templates;
    for (const RequestTemplate &t : plan.requests) {
        templates.append(QJsonObject {
            { QStringLiteral("method"), QString::fromLatin1(t.method) },
            { QStringLiteral("target"), QString::fromUtf8(t.target) },
            { QStringLiteral("weight"), t.weight },
        });
    }
    planJson.insert(QStringLiteral("mix"), templates);

    QJsonObject summary {
        { QStringLiteral("elapsed_s"), seconds },
        { QStringLiteral("sent"), double(sent) },
        { QStringLiteral("completed"), double(completed) },
        { QStringLiteral("responses"), double(responses) },
        { QStringLiteral("failed"), double(failed) },
        { QStringLiteral("non_2xx"), double(non2xx) },
        { QStringLiteral("cancelled"), double(errorCount(RequestError::Cancelled)) },
        { QStringLiteral("stopped"), stopped },
        { QStringLiteral("requests_per_second"), requestsPerSecond() },
        { QStringLiteral("time_per_request_ms"),
            completed > 0 ? seconds * 1e3 * plan.concurrency / double(completed) : 0.0 },
        { QStringLiteral("time_per_request_across_ms"),
            completed > 0 ? seconds * 1e3 / double(completed) : 0.0 },
        { QStringLiteral("total_bytes"), double(totalBytes) },
        { QStringLiteral("body_bytes"), double(bodyBytes) },
        { QStringLiteral("request_bytes"), double(requestBytes) },
        { QStringLiteral("document_length"), double(documentLength) },
        { QStringLiteral("transfer_rate_kbytes_s"),
            seconds > 0 ? double(totalBytes) / 1024.0 / seconds : 0.0 },
        { QStringLiteral("records_kept"), double(records.size()) },
        { QStringLiteral("records_dropped"), double(recordsDropped) },
    };

    QJsonObject out {
        { QStringLiteral("run_id"), QString::fromLatin1(runId) },
        { QStringLiteral("start_steady_ns"), double(startSteadyNs) },
        { QStringLiteral("plan"), planJson },
        { QStringLiteral("summary"), summary },
        { QStringLiteral("errors"), errorsByKind },
        { QStringLiteral("latency"), histogramJson(latency) },
        { QStringLiteral("latency_uncorrected"), histogramJson(serviceTime) },
        { QStringLiteral("connect"), histogramJson(connect) },
        { QStringLiteral("waiting"), histogramJson(waiting) },
        { QStringLiteral("processing"), histogramJson(processing) },
        { QStringLiteral("series"), seriesJson },
    };
    if (!*this)
        out.insert(QStringLiteral("error"), message());
    return out;
}

} // namespace loopscope::load
