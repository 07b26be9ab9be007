#include "loadplan.h"

#include <cmath>

namespace loopscope::load {

qint64 LoadPlan::plannedRequests() const
{
    if (isOpenLoop() && duration.count() > 0) {
        // Open loop sends at fixed intended times, so a duration is a count.
        const auto byDuration = qint64(std::ceil(double(duration.count()) * rate / 1e9 - 1e-9));
        return totalRequests > 0 ? std::min(totalRequests, byDuration) : byDuration;
    }
    return totalRequests;
}

Result LoadPlan::validate() const
{
    const auto invalid = [](const char *why) {
        return Result::failure(ErrorKind::BadArgument, QString::fromUtf8(why));
    };
    if (host.isEmpty())
        return invalid("no host");
    if (port == 0)
        return invalid("no port");
    if (requests.isEmpty())
        return invalid("no request to send");
    qint64 weights = 0;
    for (const RequestTemplate &r : requests) {
        if (r.weight < 0)
            return invalid("negative weight");
        if (r.method.isEmpty() || r.target.isEmpty() || !r.target.startsWith('/'))
            return invalid("a request needs a method and a target starting with /");
        weights += r.weight;
    }
    if (weights <= 0)
        return invalid("all weights are zero");
    if (totalRequests < 0 || duration.count() < 0)
        return invalid("negative request count or duration");
    if (totalRequests == 0 && duration.count() == 0)
        return invalid("a run needs a request count or a duration");
    if (concurrency < 1 || concurrency > 10000)
        return invalid("concurrency must be between 1 and 10000");
    if (rate < 0 || !std::isfinite(rate))
        return invalid("rate must be positive");
    if (timeout.count() <= 0)
        return invalid("timeout must be positive");
    if (maxRecords < 0)
        return invalid("maxRecords must not be negative");
    return {};
}

} // namespace loopscope::load
