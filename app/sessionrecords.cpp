#include "sessionrecords.h"

#include "appsettings.h"
#include "core/modetable.h"
#include "trace/realtimeclock.h"
#include "trace/sessionclock.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>

namespace loopscope::sessionrecords {

namespace {

const QString kKind = QStringLiteral("kind");
const QString kAt = QStringLiteral("at");
const QString kRealtimeOffset = QStringLiteral("realtime_offset_ns");
const QString kTheme = QStringLiteral("theme");
const QString kRunId = QStringLiteral("run_id");

// Session nanoseconds of a trace-clock time, and back onto a clock whose session began at origin.
qint64 sessionNs(trace::Nanos at)
{
    return qint64(at - trace::sessionOrigin());
}
trace::Nanos fromSessionNs(const QJsonValue &value, trace::Nanos origin)
{
    return origin + trace::Nanos(value.toInteger());
}

bool isKind(const QJsonObject &record, QLatin1StringView kind)
{
    return record.value(kKind).toString() == kind;
}

} // namespace

QJsonObject meta(const QString &source, const QString &serverUrl, const ModeTable &modes)
{
    QJsonArray routes;
    for (int i = 0; i < modes.size(); ++i) {
        routes.append(QJsonObject { { QStringLiteral("route"), modes.entry(i).route },
            { QStringLiteral("variant"), variantName(modes.variant(i)) } });
    }
    return {
        { QStringLiteral("app_version"), QCoreApplication::applicationVersion() },
        { QStringLiteral("created"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
        { QStringLiteral("source"), source },
        { QStringLiteral("server_url"), serverUrl },
        { QStringLiteral("routes_at_start"), routes },
        { kRealtimeOffset, QString::number(trace::realtimeOffsetNs()) },
        { kTheme, AppSettings::load().theme },
    };
}

QString theme(const QJsonObject &meta)
{
    const QString recorded = meta.value(kTheme).toString();
    return recorded.isEmpty() ? AppSettings::load().theme : recorded;
}

QJsonObject logLine(const QString &level, const QString &line, trace::Nanos at)
{
    return { { kKind, QString(kLog) }, { kAt, qint64(at - trace::sessionOrigin()) },
        { QStringLiteral("level"), level }, { QStringLiteral("text"), line } };
}

QJsonObject run(const RunSummary &summary)
{
    QJsonArray changes;
    for (const ModeTable::VariantChange &change : summary.variantChanges) {
        changes.append(QJsonObject { { QStringLiteral("from"), variantName(change.from) },
            { QStringLiteral("to"), variantName(change.to) }, { kAt, sessionNs(change.at) } });
    }
    const load::LoadPlan &plan = summary.result.plan;
    const QJsonObject planObject {
        { QStringLiteral("requests"), plan.totalRequests },
        { QStringLiteral("duration_ns"), qint64(plan.duration.count()) },
        { QStringLiteral("concurrency"), plan.concurrency },
        { QStringLiteral("keep_alive"), plan.keepAlive },
        { QStringLiteral("rate"), plan.rate },
    };
    return { { kKind, QString(kRun) }, { kAt, sessionNs(summary.startedAt) },
        { QStringLiteral("label"), summary.label }, { QStringLiteral("route"), summary.route },
        { QStringLiteral("variant"), summary.variant },
        { QStringLiteral("variant_changes"), changes },
        { QStringLiteral("stopped"), summary.stopped },
        { QStringLiteral("completed"), summary.completed },
        { QStringLiteral("failures"), summary.failures },
        { QStringLiteral("requests_per_second"), summary.requestsPerSecond },
        { QStringLiteral("p50_ms"), summary.p50Ms }, { QStringLiteral("p99_ms"), summary.p99Ms },
        { QStringLiteral("max_ms"), summary.maxMs },
        { QStringLiteral("elapsed_ns"), summary.result.elapsedNs },
        { kRunId, QString::fromLatin1(summary.result.runId) },
        { QStringLiteral("plan"), planObject } };
}

QJsonObject sample(const ServerSample &sample, const load::LoadSnapshot &load)
{
    // Only what the charts draw: the load's figures of the last second while it runs.
    return { { kKind, QString(kSample) }, { kAt, sessionNs(sample.at) },
        { QStringLiteral("requests"), qint64(sample.requests) },
        { QStringLiteral("in_flight"), sample.inFlight },
        { QStringLiteral("lag_ns"), sample.loopLagNs },
        { QStringLiteral("stalled"), sample.loopStalled },
        { QStringLiteral("load_running"), load.running },
        { QStringLiteral("load_sent"), load.sent }, { QStringLiteral("load_done"), load.done },
        { QStringLiteral("load_p50_ns"), load.lastSecondP50Ns },
        { QStringLiteral("load_p95_ns"), load.lastSecondP95Ns },
        { QStringLiteral("load_p99_ns"), load.lastSecondP99Ns } };
}

trace::Nanos realtimeOffset(const QJsonObject &meta, trace::Nanos shift)
{
    bool ok = false;
    const trace::Nanos recorded = meta.value(kRealtimeOffset).toString().toLongLong(&ok);
    return ok ? recorded - shift : trace::realtimeOffsetNs();
}

std::optional<LogLine> readLogLine(const QJsonObject &record, trace::Nanos origin)
{
    if (record.value(kKind).toString() != kLog)
        return std::nullopt;
    return LogLine { record.value(QStringLiteral("level")).toString(),
        record.value(QStringLiteral("text")).toString(),
        origin + trace::Nanos(record.value(kAt).toDouble()) };
}

std::optional<RunSummary> readRun(const QJsonObject &record, trace::Nanos origin,
    const std::vector<recording::RunRequests> &clientRequests)
{
    if (!isKind(record, kRun))
        return std::nullopt;
    RunSummary summary;
    summary.label = record.value(QStringLiteral("label")).toString();
    summary.route = record.value(QStringLiteral("route")).toString();
    summary.variant = record.value(QStringLiteral("variant")).toString();
    for (const QJsonValue &value : record.value(QStringLiteral("variant_changes")).toArray()) {
        const QJsonObject change = value.toObject();
        const auto from = variantFromName(change.value(QStringLiteral("from")).toString());
        const auto to = variantFromName(change.value(QStringLiteral("to")).toString());
        if (from && to)
            summary.variantChanges.push_back(
                { *from, *to, fromSessionNs(change.value(kAt), origin) });
    }
    summary.startedAt = fromSessionNs(record.value(kAt), origin);
    summary.stopped = record.value(QStringLiteral("stopped")).toBool();
    summary.completed = record.value(QStringLiteral("completed")).toInteger();
    summary.failures = record.value(QStringLiteral("failures")).toInteger();
    summary.requestsPerSecond = record.value(QStringLiteral("requests_per_second")).toDouble();
    summary.p50Ms = record.value(QStringLiteral("p50_ms")).toDouble();
    summary.p99Ms = record.value(QStringLiteral("p99_ms")).toDouble();
    summary.maxMs = record.value(QStringLiteral("max_ms")).toDouble();
    summary.result.elapsedNs = record.value(QStringLiteral("elapsed_ns")).toInteger();
    summary.result.stopped = summary.stopped;
    summary.result.runId = record.value(kRunId).toString().toLatin1();
    for (const recording::RunRequests &run : clientRequests) {
        if (!summary.result.runId.isEmpty() && run.runId == summary.result.runId)
            summary.result.records = run.requests;
    }
    const QJsonObject plan = record.value(QStringLiteral("plan")).toObject();
    load::LoadPlan &p = summary.result.plan;
    p.totalRequests = plan.value(QStringLiteral("requests")).toInteger();
    p.duration = std::chrono::nanoseconds(plan.value(QStringLiteral("duration_ns")).toInteger());
    p.concurrency = plan.value(QStringLiteral("concurrency")).toInt(1);
    p.keepAlive = plan.value(QStringLiteral("keep_alive")).toBool();
    p.rate = plan.value(QStringLiteral("rate")).toDouble();
    return summary;
}

std::optional<Sample> readSample(const QJsonObject &record, trace::Nanos origin)
{
    if (!isKind(record, kSample))
        return std::nullopt;
    Sample s;
    s.server.at = fromSessionNs(record.value(kAt), origin);
    s.server.requests = quint64(record.value(QStringLiteral("requests")).toInteger());
    s.server.inFlight = record.value(QStringLiteral("in_flight")).toInt();
    s.server.loopLagNs = record.value(QStringLiteral("lag_ns")).toInteger();
    s.server.loopStalled = record.value(QStringLiteral("stalled")).toBool();
    s.load.running = record.value(QStringLiteral("load_running")).toBool();
    s.load.sent = record.value(QStringLiteral("load_sent")).toInteger();
    s.load.done = record.value(QStringLiteral("load_done")).toInteger();
    s.load.lastSecondP50Ns = record.value(QStringLiteral("load_p50_ns")).toInteger();
    s.load.lastSecondP95Ns = record.value(QStringLiteral("load_p95_ns")).toInteger();
    s.load.lastSecondP99Ns = record.value(QStringLiteral("load_p99_ns")).toInteger();
    return s;
}

} // namespace loopscope::sessionrecords
