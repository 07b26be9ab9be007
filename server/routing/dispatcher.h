#pragma once

#include "controlaccess.h"
#include "http/exchangelog.h"
#include "http/requesthandler.h"
#include "requestcontext.h"
#include "router.h"

namespace loopscope {
namespace trace {
class LoopWatchdog;
}

// Turns parsed requests into route handler calls: matching, FastAPI's 404/405/307, the route's
// current variant, and the safety net that turns a throwing handler into a 500.
class Dispatcher : public http::RequestHandler
{
public:
    Dispatcher(const Router &router, ServerServices &services, std::vector<int> modeIndexByRoute,
        ControlAccess controlAccess = {});

    QCoro::Task<http::HttpResponse> handle(http::IncomingRequest &request) override;
    std::optional<http::HttpResponse> refusalBeforeBody(const http::HttpRequest &head) override;
    http::HttpResponse unhandledException(
        const http::IncomingRequest &request, const QString &what) override;
    void responseReady(
        const http::IncomingRequest &request, const http::HttpResponse &response) override;
    // Where answered exchanges are kept for the inspector (when it is enabled).
    void setExchangeLog(http::ExchangeLog *log) { m_exchanges = log; }
    // Told of every request while it runs, so it watches the loop only while one does.
    void setLoopWatchdog(trace::LoopWatchdog *watchdog) { m_watchdog = watchdog; }

private:
    // The route's handler, with its context, for as long as it runs.
    QCoro::Task<http::HttpResponse> runHandler(
        http::IncomingRequest &incoming, int routeIndex, PathParams params);
    // A route used a result the no-await variant never awaited (NeverAwaited).
    http::HttpResponse neverAwaitedUsed(const http::IncomingRequest &request, const QString &error);

    const Router &m_router;
    ServerServices &m_services;
    std::vector<int> m_modeIndexByRoute; // -1 for routes without variants
    std::vector<std::uint32_t> m_routeLabels; // interned trace labels, one per route
    std::uint32_t m_unmatchedLabel = 0;
    http::ExchangeLog *m_exchanges = nullptr;
    trace::LoopWatchdog *m_watchdog = nullptr;
    const ControlAccess m_controlAccess;
};

} // namespace loopscope
