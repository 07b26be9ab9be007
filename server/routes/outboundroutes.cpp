#include "outboundroutes.h"

#include "core/cpuspin.h"
#include "http/validationerror.h"
#include "routing/requestcontext.h"
#include "routing/router.h"
#include "routing/settingtable.h"
#include "trace/trace.h"
#include "upstream/asyncsemaphore.h"
#include "upstream/filebody.h"
#include "upstream/outbound.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonParseError>

namespace loopscope {

using namespace std::chrono_literals;
using http::HttpResponse;
using upstream::FetchResult;
using upstream::Outbound;

namespace {

// The bodies the routes read and answer, as /openapi.json describes them.
const Payload weatherAnswer = Payload::json(QStringLiteral("Weather"),
    schema::object({ { QStringLiteral("city"), schema::string() },
                       { QStringLiteral("temperature"), schema::number() } },
        { QStringLiteral("city"), QStringLiteral("temperature") }));
const Payload dashboardAnswer = Payload::json(QStringLiteral("Dashboard"),
    schema::object({ { QStringLiteral("users_count"), schema::integer() },
        { QStringLiteral("posts_count"), schema::integer() },
        { QStringLiteral("comments_count"), schema::integer() } }));
const Payload scrapeAnswer = Payload::json(QStringLiteral("ScrapeReport"),
    schema::object(
        { { QStringLiteral("total_time"), schema::number(QStringLiteral("seconds")) },
            { QStringLiteral("urls_fetched"), schema::integer() },
            { QStringLiteral("results"),
                schema::arrayOf(schema::object(
                    { { QStringLiteral("url"), schema::string() },
                        { QStringLiteral("status"),
                            schema::string(QStringLiteral("the HTTP status, or \"error\"")) },
                        { QStringLiteral("response_time"), schema::number() },
                        { QStringLiteral("content_length"), schema::integer() },
                        { QStringLiteral("error"), schema::string() } },
                    { QStringLiteral("url"), QStringLiteral("status"),
                        QStringLiteral("response_time") })) } },
        { QStringLiteral("total_time"), QStringLiteral("urls_fetched"),
            QStringLiteral("results") }));
const Payload fileAnswer
    = Payload::text({ QStringLiteral("text/plain"), QStringLiteral("application/octet-stream") });
const Payload upstreamAnswer = Payload::json(QStringLiteral("UpstreamState"),
    schema::object({ { QStringLiteral("upstream"), schema::string() },
        { QStringLiteral("allowed_hosts"), schema::arrayOf(schema::string()) },
        { QStringLiteral("client"), schema::anyObject(QStringLiteral("the client pool")) },
        { QStringLiteral("files_directory"), schema::string() },
        { QStringLiteral("max_body_bytes"), schema::integer() },
        { QStringLiteral("simulator"),
            schema::nullable(schema::anyObject(QStringLiteral("settings and counters"))) } }));
const Payload upstreamChange = Payload::json(QStringLiteral("UpstreamChange"),
    schema::closedObject(
        { { QStringLiteral("latency_ms"), schema::bounded(schema::number(), 0, 600000) },
            { QStringLiteral("jitter_ms"), schema::bounded(schema::number(), 0, 600000) },
            { QStringLiteral("handshake_ms"), schema::bounded(schema::number(), 0, 600000) },
            { QStringLiteral("disk_read_ms"), schema::bounded(schema::number(), 0, 10000) },
            { QStringLiteral("client_setup_ms"), schema::bounded(schema::number(), 0, 10000) },
            { QStringLiteral("failure_rate"), schema::bounded(schema::number(), 0, 1) },
            { QStringLiteral("failure_mode"),
                schema::oneOf(schema::string(), upstream::SimulatorSettings::failureModes()) } }),
    QJsonObject { { QStringLiteral("latency_ms"), 100 }, { QStringLiteral("jitter_ms"), 0 },
        { QStringLiteral("failure_rate"), 0.1 },
        { QStringLiteral("failure_mode"), QStringLiteral("mixed") } });

const Param cityParam = Param::path(QStringLiteral("city"), QStringLiteral("string"));
const Param fileNameParam = Param::path(QStringLiteral("name"), QStringLiteral("string"));
const Param clientParam = Param::oneOf(QStringLiteral("client"),
    { QStringLiteral("shared"), QStringLiteral("per-call") },
    QStringLiteral("per-call (a new client per request) or shared (one pooled client)"));
const Param urlParam = Param::query(QStringLiteral("url"), QStringLiteral("string"), false, {},
    QStringLiteral("repeatable; http:// to loopback, the upstream or --allow-host; a path "
                   "(/posts/1?latency_ms=1000) is on the upstream"));
const Param timeoutParam = Param::query(QStringLiteral("timeout"), QStringLiteral("number"), false,
    QStringLiteral("10"), QStringLiteral("seconds per URL"), 0.001, 120);
const Param concurrencyParam = Param::query(QStringLiteral("concurrency"),
    QStringLiteral("integer"), false, QStringLiteral("10"),
    QStringLiteral("size of the request's own asyncio.Semaphore"), 1, 1000);
const Param semaphoreParam = Param::oneOf(QStringLiteral("semaphore"),
    { QStringLiteral("request"), QStringLiteral("global") },
    QStringLiteral("request: a Semaphore(concurrency) of its own; global: the course's "
                   "module-level Semaphore(10), shared by every request"));
// Indices into the choices above, as ParamReader::choice answers. A per-call client is a new
// client (and connection) per call, as the course's dashboard does; shared is its scraper's one.
constexpr qsizetype kPerCallClient = 1;
constexpr qsizetype kModuleSemaphore = 1;

// The course's `semaphore = asyncio.Semaphore(10)` at module level: one for every request of a
// server loop (a semaphore belongs to one thread; tests run several servers at once).
upstream::AsyncSemaphore &moduleSemaphore()
{
    thread_local upstream::AsyncSemaphore semaphore { 10 };
    return semaphore;
}

// What making an httpx.AsyncClient costs: CPU on the loop, which nobody else is served from
// meanwhile (the simulator's clientSetupMs; nothing against a real upstream).
void setUpClient(upstream::Outbound &outbound, std::uint64_t span)
{
    const upstream::UpstreamSimulator *simulator = outbound.simulator();
    const int setupMs = simulator ? simulator->settings().clientSetupMs : 0;
    if (setupMs <= 0)
        return;
    static const std::uint32_t label = trace::label("httpx.AsyncClient(): SSL context");
    trace::record(trace::Kind::BlockingBegin, span, label);
    spinCpu(std::chrono::milliseconds(setupMs));
    trace::record(trace::Kind::BlockingEnd, span, label);
}

// One GET the way the route's variant does I/O (RequestContext::offload): awaited on the loop
// (async), a blocking call on a pool thread (threadpool), or a blocking call on the loop
// (blocking). Lambdas with non-trivial captures are named locals, never temporaries inside a
// co_await: GCC 12 destroys such temporaries twice.
QCoro::Task<FetchResult> fetch(RequestContext &context, Outbound &outbound, QUrl url,
    std::chrono::milliseconds timeout, bool perCall)
{
    const std::uint32_t label = outbound.label(url);
    const qint64 maxBody = outbound.config().maxBodyBytes;
    const upstream::FetchOptions options { timeout, context.incoming.span, label, maxBody };
    auto blockingGet
        = [url, timeout, maxBody] { return upstream::blockingGet(url, timeout, maxBody); };
    auto asyncGet = [&outbound, url, options, perCall]() -> QCoro::Task<FetchResult> {
        if (perCall) {
            setUpClient(outbound, options.span);
            upstream::HttpClient client(outbound.config().connectionsPerHost);
            FetchResult result = co_await client.get(url, options);
            co_return result;
        }
        FetchResult result = co_await outbound.client().get(url, options);
        co_return result;
    };
    // The course's fetch_users: `response = await client.get(...)`, then `response.json()`.
    const PythonAwaitable python { QLatin1StringView("AsyncClient.get"),
        QLatin1StringView("AttributeError: 'coroutine' object has no attribute 'json'") };
    auto task = context.offload(label, std::move(blockingGet), std::move(asyncGet), python);
    FetchResult result = co_await task;
    co_return result;
}

QString failureText(const FetchResult &result)
{
    return result ? QStringLiteral("HTTP %1").arg(result.status) : result.error;
}

QCoro::Task<HttpResponse> weather(RequestContext &context, Outbound &outbound)
{
    ParamReader params = context.params();
    const auto city = params.string(cityParam);
    if (!params.ok())
        co_return params.errorResponse();
    const std::optional<QString> citySegment = Outbound::pathSegment(*city);
    if (!citySegment) {
        co_return http::validationError({ QStringLiteral("path"), QStringLiteral("city") },
            QStringLiteral("a city cannot be a dot segment"), QStringLiteral("value_error"));
    }
    const QUrl url = outbound.endpoint(QStringLiteral("/v1/") + *citySegment);
    const FetchResult result = co_await fetch(context, outbound, url, 10s, false);
    if (!result || result.status != 200)
        co_return HttpResponse::detail(
            502, QStringLiteral("weather service failed: %1").arg(failureText(result)));
    const QJsonValue temp
        = QJsonDocument::fromJson(result.body).object().value(QStringLiteral("temp"));
    if (!temp.isDouble())
        co_return HttpResponse::detail(
            502, QStringLiteral("weather service answered without a temperature"));
    co_return HttpResponse::json(
        QJsonObject { { QStringLiteral("city"), *city }, { QStringLiteral("temperature"), temp } });
}

QCoro::Task<HttpResponse> dashboard(RequestContext &context, Outbound &outbound)
{
    ParamReader params = context.params();
    const auto client = params.choice(clientParam);
    if (!params.ok())
        co_return params.errorResponse();
    const bool perCall = *client == kPerCallClient;
    const QStringList names { QStringLiteral("users"), QStringLiteral("posts"),
        QStringLiteral("comments") };
    // asyncio.gather: in the async variant all three are in flight before the first await.
    auto fetchNamed = [&context, &outbound, &names, perCall](qsizetype i) {
        return fetch(context, outbound, outbound.endpoint(u'/' + names[i]), 10s, perCall);
    };
    auto gathered = context.gather(names.size(), std::move(fetchNamed));
    const std::vector<FetchResult> results = co_await gathered;
    QJsonObject body;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const FetchResult &result = results[i];
        if (!result || result.status != 200)
            co_return HttpResponse::detail(502,
                QStringLiteral("upstream GET /%1 failed: %2")
                    .arg(names[int(i)], failureText(result)));
        const QJsonDocument document = QJsonDocument::fromJson(result.body);
        if (!document.isArray())
            co_return HttpResponse::detail(
                502, QStringLiteral("upstream GET /%1 did not answer a list").arg(names[int(i)]));
        body.insert(names[int(i)] + QStringLiteral("_count"), document.array().size());
    }
    co_return HttpResponse::json(body);
}

double rounded(double seconds)
{
    return std::round(seconds * 1000.0) / 1000.0;
}

// A URL fails when no response came or the server failed (5xx, as httpx's raise_for_status
// reports it); a 4xx is the server's answer about that URL and is shown as its status.
QJsonObject scrapeResult(const QString &url, const FetchResult &result)
{
    if (!result || result.status >= 500) {
        const QString error = result
            ? QStringLiteral("HTTPStatusError: server error %1 for url '%2'")
                  .arg(result.status)
                  .arg(url)
            : result.error;
        return { { QStringLiteral("url"), url },
            { QStringLiteral("status"), QStringLiteral("error") },
            { QStringLiteral("response_time"), rounded(result.seconds) },
            { QStringLiteral("error"), error } };
    }
    return { { QStringLiteral("url"), url }, { QStringLiteral("status"), result.status },
        { QStringLiteral("response_time"), rounded(result.seconds) },
        { QStringLiteral("content_length"), QString::fromUtf8(result.body).size() } };
}

QCoro::Task<QJsonObject> scrapeOne(RequestContext &context, Outbound &outbound, QUrl url,
    std::chrono::milliseconds timeout, bool perCall, upstream::AsyncSemaphore &semaphore)
{
    static const std::uint32_t waitLabel = trace::label("semaphore.acquire");
    const bool waits = semaphore.wouldWait();
    if (waits)
        context.awaitBegins(waitLabel);
    co_await semaphore.acquire();
    // Given back however the call ends: the module-level semaphore outlives the request.
    const upstream::AsyncSemaphore::Permit permit { semaphore };
    if (waits)
        context.awaitEnds(waitLabel);
    const FetchResult result = co_await fetch(context, outbound, url, timeout, perCall);
    co_return scrapeResult(url.toString(), result);
}

QCoro::Task<HttpResponse> scrape(RequestContext &context, Outbound &outbound)
{
    ParamReader params = context.params();
    const auto timeout = params.number(timeoutParam);
    const auto concurrency = params.integer(concurrencyParam);
    const auto client = params.choice(clientParam);
    const auto semaphoreScope = params.choice(semaphoreParam);
    if (!params.ok())
        co_return params.errorResponse();
    const bool perCall = *client == kPerCallClient;
    const bool moduleLevel = *semaphoreScope == kModuleSemaphore;

    QList<QUrl> urls;
    const QStringList given = context.query.values(urlParam.name);
    if (given.isEmpty()) {
        // The course's five jsonplaceholder URLs, on the upstream.
        for (const char *path : { "/posts/1", "/posts/2", "/posts/3", "/comments/1", "/albums/1" })
            urls << outbound.endpoint(QString::fromLatin1(path));
    }
    for (int i = 0; i < given.size(); ++i) {
        QUrl url(given[i], QUrl::StrictMode);
        // A bare path names the upstream, so a lesson can list its services without its port.
        if (url.isRelative() && given[i].startsWith(u'/') && !given[i].startsWith(u"//"))
            url = outbound.base().resolved(url);
        if (const Result allowed = outbound.checkAllowed(url); !allowed)
            co_return http::validationError({ QStringLiteral("query"), QStringLiteral("url"), i },
                QStringLiteral("%1: '%2'").arg(allowed.message(), given[i]),
                QStringLiteral("value_error.url"));
        urls << url;
    }

    const auto perUrl = std::chrono::milliseconds(qMax<qint64>(1, qRound64(*timeout * 1000.0)));
    QElapsedTimer total;
    total.start();
    // Bounded by the semaphore where the variant awaits; the `requests` version, one after
    // another, holds one permit at a time (it waits only for other requests' permits, global).
    upstream::AsyncSemaphore ownSemaphore { int(*concurrency) };
    upstream::AsyncSemaphore &semaphore = moduleLevel ? moduleSemaphore() : ownSemaphore;
    auto scrapeAt = [&, perCall](qsizetype i) {
        return scrapeOne(context, outbound, urls[i], perUrl, perCall, semaphore);
    };
    auto gathered = context.gather(urls.size(), std::move(scrapeAt));
    const std::vector<QJsonObject> scraped = co_await gathered;
    QJsonArray results;
    for (const QJsonObject &result : scraped)
        results.append(result);
    co_return HttpResponse::json(
        QJsonObject { { QStringLiteral("total_time"), rounded(total.nsecsElapsed() / 1e9) },
            { QStringLiteral("urls_fetched"), int(urls.size()) },
            { QStringLiteral("results"), results } });
}

QCoro::Task<HttpResponse> serveFile(RequestContext &context, Outbound &outbound)
{
    ParamReader params = context.params();
    const auto name = params.string(fileNameParam);
    if (!params.ok())
        co_return params.errorResponse();
    upstream::DataFiles &files = outbound.files();
    const auto path = files.resolve(*name);
    if (!path)
        co_return HttpResponse::detail(404, QStringLiteral("File not found"));
    // Generating a missing file is setup, not the lesson: always off the loop.
    static const std::uint32_t generateLabel = trace::label("generate data file");
    auto generate = [&files, n = *name] { return files.ensure(n); };
    const bool present = co_await context.services.pool.run(
        std::move(generate), context.incoming.span, generateLabel);
    if (!present)
        co_return HttpResponse::detail(404, QStringLiteral("File not found"));

    // Only the size is learnt here, where the variant does its I/O; the body is read a chunk at
    // a time while it is sent (FileBody), so no variant holds a whole file.
    const std::uint32_t readLabel = upstream::FileBody::readLabel(context.waits);
    const upstream::UpstreamSimulator *simulator = outbound.simulator();
    const std::chrono::milliseconds diskTime(simulator ? simulator->settings().diskReadMs : 0);
    auto file = std::make_shared<upstream::FileHandle>(*path, diskTime);
    auto measure = [file] { return file->size(); };
    auto measuring = context.offload(readLabel, std::move(measure), AwaitOnPool {});
    const qint64 size = co_await measuring;
    if (size < 0)
        co_return HttpResponse::detail(404, QStringLiteral("File not found"));
    const QByteArray type = path->endsWith(QLatin1StringView(".txt"))
        ? QByteArrayLiteral("text/plain; charset=utf-8")
        : QByteArrayLiteral("application/octet-stream");
    co_return HttpResponse::streamed(
        std::make_shared<upstream::FileBody>(std::move(file), size, context.waits), type);
}

// The simulator's settings, in the shape of a PUT /_scope/upstream body.
QJsonObject readSimulator(const upstream::UpstreamSimulator &simulator)
{
    const upstream::SimulatorSettings settings = simulator.settings();
    return { { QStringLiteral("latency_ms"), settings.latencyMs },
        { QStringLiteral("jitter_ms"), settings.jitterMs },
        { QStringLiteral("handshake_ms"), settings.handshakeMs },
        { QStringLiteral("disk_read_ms"), settings.diskReadMs },
        { QStringLiteral("client_setup_ms"), settings.clientSetupMs },
        { QStringLiteral("failure_rate"), settings.failureRate },
        { QStringLiteral("failure_mode"), settings.failureMode } };
}

QJsonObject describeUpstream(Outbound &outbound)
{
    QJsonObject out { { QStringLiteral("upstream"), outbound.base().toString() },
        { QStringLiteral("allowed_hosts"), QJsonArray::fromStringList(outbound.allowedHosts()) },
        { QStringLiteral("client"),
            QJsonObject {
                { QStringLiteral("connections_per_host"), outbound.client().connectionsPerHost() },
                { QStringLiteral("open"), outbound.client().openConnections() },
                { QStringLiteral("idle"), outbound.client().idleConnections() },
                { QStringLiteral("opened_total"),
                    qint64(outbound.client().connectionsOpened()) } } },
        { QStringLiteral("files_directory"), outbound.files().directory() },
        { QStringLiteral("max_body_bytes"), outbound.config().maxBodyBytes } };
    upstream::UpstreamSimulator *simulator = outbound.simulator();
    if (!simulator) {
        out.insert(QStringLiteral("simulator"), QJsonValue::Null);
        return out;
    }
    QJsonObject state = readSimulator(*simulator);
    state.insert(QStringLiteral("url"), simulator->url().toString());
    state.insert(QStringLiteral("failure_modes"),
        QJsonArray::fromStringList(upstream::SimulatorSettings::failureModes()));
    state.insert(QStringLiteral("requests"), qint64(simulator->requestsServed()));
    state.insert(QStringLiteral("connections"), qint64(simulator->connectionsAccepted()));
    out.insert(QStringLiteral("simulator"), state);
    return out;
}

// A change that fits upstreamChange: the fields it names, the others kept.
void writeSimulator(upstream::UpstreamSimulator &simulator, const QJsonObject &body)
{
    upstream::SimulatorSettings settings = simulator.settings();
    if (body.contains(QStringLiteral("latency_ms")))
        settings.latencyMs = qRound(body.value(QStringLiteral("latency_ms")).toDouble());
    if (body.contains(QStringLiteral("jitter_ms")))
        settings.jitterMs = qRound(body.value(QStringLiteral("jitter_ms")).toDouble());
    if (body.contains(QStringLiteral("handshake_ms")))
        settings.handshakeMs = qRound(body.value(QStringLiteral("handshake_ms")).toDouble());
    if (body.contains(QStringLiteral("disk_read_ms")))
        settings.diskReadMs = qRound(body.value(QStringLiteral("disk_read_ms")).toDouble());
    if (body.contains(QStringLiteral("client_setup_ms")))
        settings.clientSetupMs = qRound(body.value(QStringLiteral("client_setup_ms")).toDouble());
    if (body.contains(QStringLiteral("failure_rate")))
        settings.failureRate = body.value(QStringLiteral("failure_rate")).toDouble();
    if (body.contains(QStringLiteral("failure_mode")))
        settings.failureMode = body.value(QStringLiteral("failure_mode")).toString();
    simulator.setSettings(settings);
}

HttpResponse putUpstream(RequestContext &context, Outbound &outbound, SettingTable &settings)
{
    upstream::UpstreamSimulator *simulator = outbound.simulator();
    if (!simulator)
        return HttpResponse::detail(409, QStringLiteral("the simulator is not running"));
    BodyReader reader(context.route, context.incoming.request);
    const QJsonObject body = reader.object(); // its fields, bounds and modes checked
    if (!reader.ok())
        return reader.errorResponse();
    if (const Result written = settings.setGroup(QStringLiteral("upstream"), body); !written)
        return HttpResponse::detail(503, written.message());
    return HttpResponse::json(describeUpstream(outbound));
}

} // namespace

void addOutboundRoutes(Router &router, Outbound *outbound, SettingTable &settings)
{
    if (upstream::UpstreamSimulator *simulator = outbound ? outbound->simulator() : nullptr) {
        settings.add({ QStringLiteral("upstream"), upstreamChange.schema,
            [simulator] { return readSimulator(*simulator); },
            [simulator](const QJsonObject &change) { writeSimulator(*simulator, change); } });
    }
    auto needsOutbound = [outbound](Route route) {
        return needing(std::move(route), QStringLiteral("outbound"), outbound != nullptr,
            HttpResponse::detail(503, QStringLiteral("outbound I/O is not running")));
    };
    router.add(needsOutbound(Route { "GET", QStringLiteral("/weather/{city}"),
        QStringLiteral("httpx.AsyncClient().get(weather API); 502 when the upstream fails"),
        standardVariants, HandlerVariant::Async, { cityParam },
        [outbound](RequestContext &c) { return weather(c, *outbound); } }
                                 .answering(weatherAnswer)
                                 .failing(502,
                                     QStringLiteral("Bad Gateway: the weather service failed or "
                                                    "answered without a temperature"))));
    router.add(needsOutbound(Route { "GET", QStringLiteral("/dashboard"),
        QStringLiteral(
            "asyncio.gather of /users, /posts, /comments (async); one after another otherwise"),
        standardVariants | variantBit(HandlerVariant::NoAwait), HandlerVariant::Async,
        { clientParam }, [outbound](RequestContext &c) { return dashboard(c, *outbound); } }
                                 .answering(dashboardAnswer)
                                 .failing(502,
                                     QStringLiteral("Bad Gateway: an upstream call failed or did "
                                                    "not answer a list"))));
    router.add(needsOutbound(Route { "GET", QStringLiteral("/scrape"),
        QStringLiteral(
            "The async scraper exercise: concurrent fetches with timings, per-URL timeout "
            "and errors, bounded semaphore; blocking fetches one by one like requests"),
        standardVariants, HandlerVariant::Async,
        { urlParam, timeoutParam, concurrencyParam, semaphoreParam, clientParam },
        [outbound](RequestContext &c) {
            return scrape(c, *outbound);
        } }.answering(scrapeAnswer)));
    router.add(needsOutbound(Route { "GET", QStringLiteral("/files/{name}"),
        QStringLiteral(
            "aiofiles: read a data file in chunks off the loop (async), whole on a pool thread, "
            "or on the loop (blocking); 1mb.txt, 10mb.txt, 100mb.txt"),
        standardVariants, HandlerVariant::Async, { fileNameParam }, [outbound](RequestContext &c) {
            return serveFile(c, *outbound);
        } }.answering(fileAnswer)));

    const QString control = QStringLiteral("/_scope/upstream");
    router.add(needsOutbound(Route::control("GET", control,
        QStringLiteral(
            "The upstream simulator's settings and counters, the client pool, the allow list"),
        [outbound](RequestContext &) -> QCoro::Task<HttpResponse> {
            co_return HttpResponse::json(describeUpstream(*outbound));
        }).answering(upstreamAnswer)));
    router.add(needsOutbound(Route::control("PUT", control,
        QStringLiteral("Change the simulator: {\"latency_ms\", \"jitter_ms\", \"handshake_ms\", "
                       "\"disk_read_ms\", \"client_setup_ms\", \"failure_rate\", "
                       "\"failure_mode\"}"),
        [outbound, &settings](RequestContext &context) -> QCoro::Task<HttpResponse> {
            co_return putUpstream(context, *outbound, settings);
        })
                                 .accepting(upstreamChange)
                                 .answering(upstreamAnswer)));
}

} // namespace loopscope
