#include "dispatcher.h"

#include "core/gil.h"
#include "core/modetable.h"
#include "core/serverlog.h"
#include "serverlogging.h"
#include "trace/loopwatchdog.h"
#include "trace/trace.h"

namespace loopscope {

using http::HttpResponse;

namespace {

// FastAPI's answers to a request no route takes: 404, or 405 with the methods allowed.
std::optional<HttpResponse> unroutedAnswer(const Router::Match &match)
{
    switch (match.kind) {
    case Router::Match::Kind::NotFound:
        return HttpResponse::detail(404, QStringLiteral("Not Found"));
    case Router::Match::Kind::MethodNotAllowed: {
        HttpResponse response = HttpResponse::detail(405, QStringLiteral("Method Not Allowed"));
        response.headers.emplace_back(QByteArrayLiteral("allow"), match.allow);
        return response;
    }
    case Router::Match::Kind::Redirect:
    case Router::Match::Kind::Found:
        break;
    }
    return std::nullopt;
}

// A request answered without a handler: the task is done when made.
QCoro::Task<HttpResponse> answered(HttpResponse response)
{
    co_return response;
}

} // namespace

Dispatcher::Dispatcher(const Router &router, ServerServices &services,
    std::vector<int> modeIndexByRoute, ControlAccess controlAccess)
    : m_router(router)
    , m_services(services)
    , m_modeIndexByRoute(std::move(modeIndexByRoute))
    , m_controlAccess(std::move(controlAccess))
{
    for (const Route &route : router.routes())
        m_routeLabels.push_back(trace::label(route.key().toStdString()));
    m_unmatchedLabel = trace::label("<unmatched>");
}

QCoro::Task<HttpResponse> Dispatcher::handle(http::IncomingRequest &incoming)
{
    // Not a coroutine itself: what routing decides keeps no frame while the handler runs, only
    // runHandler's (a request in flight costs its frames' bytes, 10,000 at once).
    const trace::LoopWork work(m_watchdog);
    Router::Match match = m_router.match(incoming.request.method, incoming.request.path);
    // Decided on what routing found, for every spelling of a target: a closed API answers 404
    // whether its path exists or not, before a 405 or a 307 could tell.
    if (auto refusal = m_controlAccess.admit(incoming.request, match)) {
        trace::record(trace::Kind::RequestParsed, incoming.span, m_unmatchedLabel);
        return answered(std::move(*refusal));
    }
    if (match.kind != Router::Match::Kind::Found)
        trace::record(trace::Kind::RequestParsed, incoming.span, m_unmatchedLabel);
    switch (match.kind) {
    case Router::Match::Kind::NotFound:
    case Router::Match::Kind::MethodNotAllowed:
        return answered(*unroutedAnswer(match));
    case Router::Match::Kind::Redirect: {
        HttpResponse response = HttpResponse::text({}, {}, 307);
        QByteArray location = match.location;
        if (!incoming.request.query.isEmpty())
            location += '?' + incoming.request.query;
        response.headers.emplace_back(QByteArrayLiteral("location"), location);
        return answered(std::move(response));
    }
    case Router::Match::Kind::Found:
        break;
    }
    return runHandler(incoming, match.routeIndex, std::move(match.params));
}

QCoro::Task<HttpResponse> Dispatcher::runHandler(
    http::IncomingRequest &incoming, int routeIndex, PathParams params)
{
    const trace::LoopWork work(m_watchdog); // until the handler is done, even for a departed client
    const Route &route = m_router.route(routeIndex);
    const int modeIndex = m_modeIndexByRoute[routeIndex];
    RequestContext context { incoming, route, std::move(params),
        QueryParams(incoming.request.query),
        modeIndex < 0 ? route.defaultVariant : m_services.modes.variant(modeIndex), m_services };
    trace::record(trace::Kind::RequestParsed, incoming.span, m_routeLabels[routeIndex], 0,
        static_cast<std::int64_t>(context.variant));
    // Python code runs on the loop from here: it needs the GIL (let go before the next poll).
    Gil::process().loopTakes(incoming.span);
    trace::record(trace::Kind::HandlerStarted, incoming.span);
    qCDebug(lcRoutes).noquote() << incoming.requestId << route.key() << "as"
                                << variantName(context.variant);
    try {
        auto handling = route.handler(context); // named: see Offloader::offload on GCC 12
        HttpResponse response = co_await handling;
        co_return response;
    } catch (const NeverAwaited &used) {
        co_return neverAwaitedUsed(incoming, QString::fromUtf8(used.what()));
    }
}

HttpResponse Dispatcher::neverAwaitedUsed(
    const http::IncomingRequest &request, const QString &error)
{
    // What uvicorn logs and Starlette's ServerErrorMiddleware answers for an exception a route
    // raises: the Python error, and a plain-text 500.
    m_services.log.error(QStringLiteral("Exception in ASGI application (%1 %2, request %3): %4")
                             .arg(QString::fromLatin1(request.request.method),
                                 QString::fromUtf8(request.request.path),
                                 QString::fromLatin1(request.requestId), error));
    return HttpResponse::text(QByteArrayLiteral("Internal Server Error"),
        QByteArrayLiteral("text/plain; charset=utf-8"), 500);
}

std::optional<HttpResponse> Dispatcher::refusalBeforeBody(const http::HttpRequest &head)
{
    // What handle() would answer without running a handler, decided on the head alone: the one
    // place for every refusal a client waiting to send its body should get at once.
    const Router::Match match = m_router.match(head.method, head.path);
    if (auto refusal = m_controlAccess.admit(head, match))
        return refusal;
    return unroutedAnswer(match);
}

HttpResponse Dispatcher::unhandledException(
    const http::IncomingRequest &request, const QString &what)
{
    m_services.log.error(QStringLiteral("%1 %2 (request %3) raised: %4")
                             .arg(QString::fromLatin1(request.request.method),
                                 QString::fromUtf8(request.request.path),
                                 QString::fromLatin1(request.requestId), what));
    return HttpResponse::detail(500, QStringLiteral("Internal Server Error"));
}

void Dispatcher::responseReady(const http::IncomingRequest &request, const HttpResponse &response)
{
    if (m_exchanges && m_exchanges->isEnabled())
        m_exchanges->add(request.span, request.requestId, request.request, response);
}

} // namespace loopscope
