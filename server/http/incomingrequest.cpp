#include "incomingrequest.h"

#include "clienttimes.h"
#include "requestids.h"

namespace loopscope::http {

IncomingRequest admitRequest(HttpRequest request, quint64 connectionId, trace::Nanos arrived)
{
    IncomingRequest incoming;
    incoming.requestId = requestIdFor(request.header("x-request-id"));
    incoming.span = trace::newSpanId();
    incoming.connectionId = connectionId;
    incoming.request = std::move(request);
    trace::record(
        trace::Kind::RequestAccepted, incoming.span, 0, 0, static_cast<qint64>(connectionId));
    const ClientTimes before
        = plausibleClientTimes(incoming.request.header(kSentHeader), arrived, trace::nowNs());
    if (before.known())
        trace::record(trace::Kind::RequestArrived, incoming.span, 0,
            static_cast<std::uint64_t>(before.sent), before.arrived);
    trace::recordRequestId(incoming.span, incoming.requestId);
    return incoming;
}

} // namespace loopscope::http
