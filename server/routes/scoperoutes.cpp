#include "scoperoutes.h"

#include "core/modetable.h"
#include "core/taskregistry.h"
#include "core/workerpool.h"
#include "gilroutes.h"
#include "http/connectionstats.h"
#include "http/httplimits.h"
#include "http/validationerror.h"
#include "openapi.h"
#include "routing/requestcontext.h"
#include "routing/router.h"
#include "stallreport.h"
#include "trace/tracehub.h"
#include "traceexport.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <limits>

namespace loopscope {

using http::HttpResponse;

namespace {

QJsonObject describeMode(const ModeTable::Entry &entry)
{
    return { { QStringLiteral("route"), entry.route },
        { QStringLiteral("variant"), variantName(entry.current.load()) },
        { QStringLiteral("default"), variantName(entry.defaultVariant) },
        { QStringLiteral("variants"), QJsonArray::fromStringList(variantNames(entry.allowed)) } };
}

// The bodies the routes read and answer, as /openapi.json describes them.
const QJsonObject variantSchema
    = schema::string(variantNames(allVariants).join(QStringLiteral(", ")));
const Payload modeAnswer = Payload::json(QStringLiteral("RouteMode"),
    schema::object({ { QStringLiteral("route"), schema::string(QStringLiteral("\"GET /async\"")) },
                       { QStringLiteral("variant"), variantSchema },
                       { QStringLiteral("default"), variantSchema },
                       { QStringLiteral("variants"), schema::arrayOf(variantSchema) } },
        { QStringLiteral("route"), QStringLiteral("variant"), QStringLiteral("default"),
            QStringLiteral("variants") }));
const Payload modesAnswer = Payload::json(QStringLiteral("RouteModes"),
    schema::object(
        { { QStringLiteral("routes"), schema::arrayOf(schema::reference(modeAnswer.name)) } },
        { QStringLiteral("routes") }));
// The variant is checked by the handler: it says which variants the route offers.
const Payload modeChange = Payload::json(QStringLiteral("ModeChange"),
    schema::object({ { QStringLiteral("route"),
                         schema::string(QStringLiteral("a route as \"METHOD /path\"")) },
                       { QStringLiteral("variant"), variantSchema } },
        { QStringLiteral("route"), QStringLiteral("variant") }),
    QJsonObject { { QStringLiteral("route"), QStringLiteral("GET /async") },
        { QStringLiteral("variant"), QStringLiteral("blocking") } });
const Payload healthAnswer = Payload::json(QStringLiteral("Health"),
    schema::object({ { QStringLiteral("status"), schema::string() },
        { QStringLiteral("uptime_s"), schema::number() },
        { QStringLiteral("in_flight"), schema::integer() },
        { QStringLiteral("open_connections"), schema::integer() },
        { QStringLiteral("requests"), schema::integer() },
        { QStringLiteral("background_tasks"), schema::integer() } }));
const Payload traceAnswer = Payload::json(QStringLiteral("ChromeTrace"),
    schema::object({ { QStringLiteral("traceEvents"),
        schema::arrayOf(schema::anyObject(QStringLiteral("a Chrome Trace Event"))) } }));
const Payload metricsAnswer = Payload::text({ QStringLiteral("text/plain") });
const Payload stallsAnswer = Payload::json(QStringLiteral("StallReport"),
    schema::object(
        { { QStringLiteral("stalls"),
            schema::arrayOf(schema::object({ { QStringLiteral("start_ns"), schema::integer() },
                { QStringLiteral("end_ns"), schema::integer() },
                { QStringLiteral("open"), schema::boolean() },
                { QStringLiteral("cause"), schema::string() },
                { QStringLiteral("culprit"),
                    schema::nullable(
                        schema::anyObject(QStringLiteral("the request that held the loop"))) },
                { QStringLiteral("arrivals"), schema::integer() },
                { QStringLiteral("waited_ns"), schema::integer() },
                { QStringLiteral("victims"), schema::arrayOf(schema::anyObject()) } })) } },
        { QStringLiteral("stalls") }));
const Payload tasksAnswer = Payload::json(QStringLiteral("BackgroundTasks"),
    schema::object({ { QStringLiteral("running"), schema::integer() },
        { QStringLiteral("tasks"),
            schema::arrayOf(
                schema::anyObject(QStringLiteral("one task: id, name, state, parent"))) } }));

HttpResponse putMode(RequestContext &context, ModeTable &modes)
{
    BodyReader reader(context.route, context.incoming.request);
    const QJsonObject body = reader.object();
    if (!reader.ok())
        return reader.errorResponse();
    const QString route = body.value(QStringLiteral("route")).toString();
    const QString variant = body.value(QStringLiteral("variant")).toString();
    switch (modes.set(route, variant)) {
    case ModeTable::SetResult::UnknownRoute:
        return http::validationError(http::bodyLocation(QStringLiteral("route")),
            QStringLiteral("unknown route '%1'").arg(route), QStringLiteral("value_error"));
    case ModeTable::SetResult::UnknownVariant:
        return http::validationError(http::bodyLocation(QStringLiteral("variant")),
            QStringLiteral("unknown variant '%1' (%2)")
                .arg(variant, variantNames(allVariants).join(QStringLiteral(", "))),
            QStringLiteral("value_error"));
    case ModeTable::SetResult::NotAllowed:
        return http::validationError(http::bodyLocation(QStringLiteral("variant")),
            QStringLiteral("route '%1' offers only: %2")
                .arg(route,
                    variantNames(modes.entry(modes.indexOf(route)).allowed)
                        .join(QStringLiteral(", "))),
            QStringLiteral("value_error"));
    case ModeTable::SetResult::Ok:
        break;
    }
    return HttpResponse::json(describeMode(modes.entry(modes.indexOf(route))));
}

QByteArray serverCounters(
    const http::ConnectionStats &stats, const http::HttpLimits &limits, const TaskRegistry &tasks)
{
    QByteArray text;
    auto header = [&text](const char *name, const char *type, const char *help) {
        text += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
    };
    auto counter = [&](const char *name, const char *type, const char *help, qint64 value) {
        header(name, type, help);
        text += QByteArray(name) + ' ' + QByteArray::number(value) + '\n';
    };
    counter("loopscope_connections_open", "gauge", "Open client connections.",
        stats.openConnections.load());
    counter("loopscope_connections_accepted_total", "counter", "Connections accepted.",
        qint64(stats.acceptedConnections.load()));
    counter("loopscope_connections_refused_total", "counter",
        "Connections refused at the connection limit or during shutdown.",
        qint64(stats.refusedConnections.load()));
    counter("loopscope_accept_errors_total", "counter",
        "Failed accepts (out of file descriptors); accepting resumes 100 ms later.",
        qint64(stats.acceptErrors.load()));
    counter("loopscope_connections_idle_closed_total", "counter",
        "Keep-alive connections closed after idling past the keep-alive timeout.",
        qint64(stats.idleTimeouts.load()));
    header("loopscope_requests_rejected_total", "counter",
        "Requests answered before routing, by reason (malformed 400/501/505, uri_too_long 414, "
        "headers_too_large 431, body_too_large 413, request_timeout 408).");
    for (std::size_t i = 0; i < std::size_t(http::Rejection::Count); ++i) {
        const auto reason = http::Rejection(i);
        text += QByteArray("loopscope_requests_rejected_total{reason=\"")
            + http::rejectionName(reason) + "\"} " + QByteArray::number(stats.rejected(reason))
            + '\n';
    }
    counter("loopscope_responses_dropped_total", "counter",
        "Answers not delivered because the client had left.",
        qint64(stats.responsesDropped.load()));
    counter("loopscope_background_tasks_refused_total", "counter",
        "Requests answered 503 because the background-task cap was reached.",
        qint64(tasks.refusedCount()));
    header("loopscope_limit", "gauge", "The server's configured limits (bytes, seconds, count).");
    const std::pair<const char *, double> limitValues[] = {
        { "max_connections", limits.maxConnections },
        { "max_request_line_bytes", double(limits.maxRequestLineBytes) },
        { "max_header_bytes", double(limits.maxHeaderBytes) },
        { "max_body_bytes", double(limits.maxBodyBytes) },
        { "keep_alive_timeout_seconds", limits.keepAliveTimeout.count() / 1000.0 },
        { "request_timeout_seconds", limits.requestTimeout.count() / 1000.0 },
        { "max_background_tasks", tasks.maxRunning() },
    };
    for (const auto &[name, value] : limitValues) {
        text += QByteArray("loopscope_limit{name=\"") + name + "\"} "
            + QByteArray::number(value, 'g', 12) + '\n';
    }
    return text;
}

const Param lastParam = Param::query(QStringLiteral("last"), QStringLiteral("number"), false, {},
    QStringLiteral("only the last S seconds"), 0.001, 86400);
const Param sinceParam = Param::query(QStringLiteral("since"), QStringLiteral("integer"), false, {},
    QStringLiteral("from this trace-clock time (ns, as in the trace's events)"), 0);
const Param untilParam = Param::query(QStringLiteral("until"), QStringLiteral("integer"), false, {},
    QStringLiteral("up to this trace-clock time (ns)"), 0);

// GET /_scope/trace: which part of the window (FastAPI's 422 for bad values), then a stream.
HttpResponse exportTrace(RequestContext &context, ScopeState &state)
{
    ParamReader params = context.params();
    const std::optional<double> last = params.number(lastParam);
    const std::optional<qint64> since = params.integer(sinceParam);
    const std::optional<qint64> until = params.integer(untilParam);
    if (params.ok() && last && (since || until))
        params.rejectQuery(
            QStringLiteral("last"), QStringLiteral("give either last or since/until, not both"));
    if (params.ok() && since && until && *until < *since)
        params.rejectQuery(QStringLiteral("until"), QStringLiteral("until is before since"));
    if (!params.ok())
        return params.errorResponse();
    trace::Nanos from = since.value_or(0);
    const trace::Nanos to = until.value_or(std::numeric_limits<trace::Nanos>::max());
    if (last)
        from = trace::nowNs() - trace::Nanos(*last * 1e9);
    HttpResponse response = HttpResponse::streamed(
        std::make_shared<TraceExportBody>(state.pool, from, to), "application/json");
    response.headers.emplace_back(QByteArrayLiteral("content-disposition"),
        QByteArrayLiteral("inline; filename=\"loopscope-trace.json\""));
    return response;
}

} // namespace

void addScopeRoutes(Router &router, ScopeState &state)
{
    auto internal = [&router](QByteArray method, QString path, QString summary, Payload answer,
                        Route::Handler handler) {
        router.add(Route::control(
            std::move(method), std::move(path), std::move(summary), std::move(handler))
                       .answering(std::move(answer)));
    };

    addDocsRoutes(router);
    addGilRoutes(router, state.settings);
    internal("GET", QStringLiteral("/_scope/health"), QStringLiteral("Liveness and load figures"),
        healthAnswer, [&state](RequestContext &) -> QCoro::Task<HttpResponse> {
            co_return HttpResponse::json(
                QJsonObject { { QStringLiteral("status"), QStringLiteral("ok") },
                    { QStringLiteral("uptime_s"),
                        (QDateTime::currentMSecsSinceEpoch() - state.startedMs) / 1000.0 },
                    { QStringLiteral("in_flight"), state.stats.inFlightRequests.load() },
                    { QStringLiteral("open_connections"), state.stats.openConnections.load() },
                    { QStringLiteral("requests"), qint64(state.stats.requests.load()) },
                    { QStringLiteral("background_tasks"), state.tasks.runningCount() } });
        });
    internal("GET", QStringLiteral("/_scope/modes"),
        QStringLiteral("Every route with its variant and the variants it offers"), modesAnswer,
        [&state](RequestContext &) -> QCoro::Task<HttpResponse> {
            QJsonArray routes;
            for (int i = 0; i < state.modes.size(); ++i)
                routes.append(describeMode(state.modes.entry(i)));
            co_return HttpResponse::json(QJsonObject { { QStringLiteral("routes"), routes } });
        });
    router.add(Route::control("PUT", QStringLiteral("/_scope/modes"),
        QStringLiteral(
            "Switch one route's variant: {\"route\": \"GET /async\", \"variant\": \"blocking\"}"),
        [&state](RequestContext &context) -> QCoro::Task<HttpResponse> {
            co_return putMode(context, state.modes);
        })
                   .accepting(modeChange)
                   .answering(modeAnswer));
    Route traceRoute = Route::control("GET", QStringLiteral("/_scope/trace"),
        QStringLiteral("Chrome Trace Event JSON of the retained window (open in Perfetto), "
                       "streamed; ?last=S or ?since=NS&until=NS for a part of it"),
        [&state](RequestContext &context) -> QCoro::Task<HttpResponse> {
            co_return exportTrace(context, state);
        });
    traceRoute.params = { lastParam, sinceParam, untilParam };
    traceRoute.answer = traceAnswer;
    router.add(std::move(traceRoute));
    internal("GET", QStringLiteral("/_scope/metrics"),
        QStringLiteral("Prometheus text: requests, latency histogram, loop stalls, drops"),
        metricsAnswer, [&state](RequestContext &) -> QCoro::Task<HttpResponse> {
            QByteArray text = co_await state.pool.run(
                [] {
                    trace::TraceHub::instance().flush();
                    return trace::TraceHub::instance().prometheusText();
                },
                0, trace::label("export metrics"));
            text += serverCounters(state.stats, state.limits, state.tasks);
            co_return HttpResponse::text(
                std::move(text), "text/plain; version=0.0.4; charset=utf-8");
        });
    internal("GET", QStringLiteral("/_scope/stalls"),
        QStringLiteral("Loop stalls of the retained window: cause, culprit, every victim's wait"),
        stallsAnswer, [&state](RequestContext &) -> QCoro::Task<HttpResponse> {
            // Attributing a whole window walks every span: never on the loop.
            QByteArray json = co_await state.pool.run(
                [] {
                    trace::TraceHub::instance().flush();
                    return QJsonDocument(
                        stallReport(trace::TraceHub::instance().retained(), trace::nowNs()))
                        .toJson(QJsonDocument::Compact);
                },
                0, trace::label("export stalls"));
            co_return HttpResponse::text(std::move(json), "application/json");
        });
    internal("GET", QStringLiteral("/_scope/tasks"),
        QStringLiteral("Background tasks: running first, then the last 1000 ended"), tasksAnswer,
        [&state](RequestContext &) -> QCoro::Task<HttpResponse> {
            co_return HttpResponse::json(
                QJsonObject { { QStringLiteral("running"), state.tasks.runningCount() },
                    { QStringLiteral("tasks"), state.tasks.toJson() } });
        });
}

} // namespace loopscope
