#include "route.h"

namespace loopscope {

namespace {

QCoro::Task<http::HttpResponse> answer(http::HttpResponse response)
{
    co_return response;
}

} // namespace

Route needing(Route route, QString service, bool present, http::HttpResponse unavailable)
{
    route.needs = std::move(service);
    if (!present) {
        route.handler = [unavailable = std::move(unavailable)](
                            RequestContext &) { return answer(unavailable); };
    }
    return route;
}

} // namespace loopscope
