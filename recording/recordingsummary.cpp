#include "recordingsummary.h"

#include "eventdecoder.h"
#include "stallattribution.h"

#include <algorithm>

namespace loopscope::recording {

QJsonObject summarize(const Recording &recording, qint64 fileBytes)
{
    qint64 requests = 0;
    qint64 tasks = 0;
    trace::Nanos first = 0;
    trace::Nanos last = 0;
    qint64 clientRequests = 0;
    for (const RunRequests &run : recording.clientRequests)
        clientRequests += run.requests.size();
    for (const trace::Event &e : recording.events) {
        const trace::DecodedEvent d = trace::decode(e);
        if (d.step == trace::Step::Open && d.span == trace::SpanKind::Request)
            ++requests;
        else if (d.step == trace::Step::Open && d.span == trace::SpanKind::Task)
            ++tasks;
        first = first == 0 ? e.time : std::min(first, e.time);
        last = std::max(last, e.time);
    }
    return {
        { QStringLiteral("format_version"), recording.formatVersion },
        { QStringLiteral("span_ns"), qint64(last - first) },
        { QStringLiteral("requests"), requests },
        { QStringLiteral("stalls"), qint64(trace::watchedStalls(recording.events).size()) },
        { QStringLiteral("tasks"), tasks },
        { QStringLiteral("events"), qint64(recording.events.size()) },
        { QStringLiteral("bytes"), fileBytes },
        { QStringLiteral("lost_events"), qint64(recording.lostEvents) },
        { QStringLiteral("records"), qint64(recording.records.size()) },
        { QStringLiteral("client_requests"), clientRequests },
    };
}

} // namespace loopscope::recording
