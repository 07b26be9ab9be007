#include "route.h"

namespace loopscope {

Route needing(Route route, QString service, bool present, http::HttpResponse unavailable)
{
    route.needs = std::move(service);
    if (!present) {
        // A copy per request: QCoro 0.8 moves whatever lvalue is co_returned, and the captured
        // answer must stay whole for the next one.
        route.handler = [unavailable = std::move(unavailable)](
                            RequestContext &) -> QCoro::Task<http::HttpResponse> {
            co_return http::HttpResponse(unavailable);
        };
    }
    return route;
}

} // namespace loopscope
