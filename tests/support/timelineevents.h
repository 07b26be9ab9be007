#pragma once

// Synthetic trace events for the timeline's tests and benchmark: the model is
// fed exactly what the tracing library would deliver, without a server.

#include "trace.h"

#include <QtCore/QByteArray>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace loopscope::testsupport {

inline trace::Event timelineEvent(trace::Kind kind, trace::Nanos time, std::uint64_t span,
    std::uint32_t label = 0, std::uint64_t link = 0, std::int64_t value = 0,
    std::uint32_t thread = 1)
{
    trace::Event e {};
    e.time = time;
    e.span = span;
    e.link = link;
    e.value = value;
    e.label = label;
    e.thread = thread;
    e.kind = kind;
    return e;
}

inline trace::Event timelineRequestId(trace::Nanos time, std::uint64_t span, const QByteArray &id)
{
    trace::Event e = timelineEvent(trace::Kind::RequestId, time, span);
    e.requestIdSize = std::uint8_t(
        std::min<std::size_t>(std::size_t(id.size()), trace::Event::kRequestIdCapacity));
    std::memcpy(e.requestId, id.constData(), e.requestIdSize);
    return e;
}

// A whole request: accept, parse, handler start, optionally one await and one
// blocking call, response, close. Times in ns; 0 = that part is absent.
struct TimelineRequestShape
{
    std::uint64_t span = 0;
    // A RequestArrived event follows the accept when either is set (as the server records it).
    trace::Nanos sent = 0; // the client's send time (X-Loopscope-Sent)
    trace::Nanos arrived = 0; // the kernel's receive time of its first byte
    trace::Nanos accepted = 0;
    trace::Nanos started = 0;
    trace::Nanos awaitBegin = 0, awaitEnd = 0;
    trace::Nanos blockBegin = 0, blockEnd = 0;
    trace::Nanos closed = 0;
    std::uint32_t route = 0;
    std::uint32_t awaitLabel = 0;
    std::uint32_t blockLabel = 0;
    int variant = 0;
    QByteArray requestId; // adds a RequestId event when set
    std::uint64_t jobSpan = 0; // the await runs as a pool/database job on thread 2
};

inline void appendTimelineRequest(std::vector<trace::Event> &out, const TimelineRequestShape &r)
{
    using trace::Kind;
    out.push_back(timelineEvent(Kind::RequestAccepted, r.accepted, r.span, 0, 0, 1));
    if (r.sent || r.arrived)
        out.push_back(timelineEvent(
            Kind::RequestArrived, r.accepted, r.span, 0, std::uint64_t(r.sent), r.arrived));
    out.push_back(timelineEvent(Kind::RequestParsed, r.accepted, r.span, r.route, 0, r.variant));
    if (!r.requestId.isEmpty())
        out.push_back(timelineRequestId(r.accepted, r.span, r.requestId));
    out.push_back(timelineEvent(Kind::HandlerStarted, r.started, r.span));
    if (r.awaitBegin) {
        if (r.jobSpan) {
            // What WorkerPool records: queued on the loop, run on a worker.
            out.push_back(
                timelineEvent(Kind::JobQueued, r.awaitBegin, r.jobSpan, r.awaitLabel, r.span));
            out.push_back(timelineEvent(
                Kind::JobStarted, r.awaitBegin + 5'000, r.jobSpan, r.awaitLabel, 0, 0, 2));
            out.push_back(timelineEvent(
                Kind::JobFinished, r.awaitEnd - 5'000, r.jobSpan, r.awaitLabel, 0, 0, 2));
        }
        out.push_back(
            timelineEvent(Kind::AwaitSuspend, r.awaitBegin, r.span, r.awaitLabel, r.jobSpan));
        out.push_back(timelineEvent(Kind::AwaitResume, r.awaitEnd, r.span, r.awaitLabel));
    }
    if (r.blockBegin) {
        out.push_back(timelineEvent(Kind::BlockingBegin, r.blockBegin, r.span, r.blockLabel));
        out.push_back(timelineEvent(Kind::BlockingEnd, r.blockEnd, r.span, r.blockLabel));
    }
    out.push_back(timelineEvent(Kind::ResponseWritten, r.closed, r.span, 0, 120, 200));
    out.push_back(timelineEvent(Kind::RequestClosed, r.closed, r.span, 0, 0, 200));
}

// Load-like traffic: requests arriving at `rate` per second, each awaiting for
// 1..40 ms (every other one a database job on a worker), one in `blockingEvery`
// blocking the loop for 2 ms instead; each carries an X-Request-Id. About 9.5
// events per request, like the real server. With `socketWait`, each also says it was
// sent that long before the server read it (a RequestArrived event). Events are
// returned time-ordered, as the hub delivers them.
inline std::vector<trace::Event> timelineTraffic(std::size_t requests, double rate,
    trace::Nanos start, std::uint64_t firstSpan, std::size_t blockingEvery = 50, unsigned seed = 1,
    trace::Nanos socketWait = 0)
{
    std::mt19937_64 rng(seed);
    std::exponential_distribution<double> gap(rate);
    std::uniform_int_distribution<trace::Nanos> awaitNs(1'000'000, 40'000'000);
    const std::uint32_t routes[] = { trace::label("GET /async"), trace::label("GET /users/{id}"),
        trace::label("GET /blocking") };
    const std::uint32_t sleepLabel = trace::label("sleep");
    const std::uint32_t fetchLabel = trace::label("db.fetchrow users");
    const std::uint32_t blockLabel = trace::label("time.sleep");
    std::vector<trace::Event> out;
    out.reserve(requests * 9);
    double t = double(start);
    for (std::size_t i = 0; i < requests; ++i) {
        t += gap(rng) * 1e9;
        TimelineRequestShape r;
        r.span = firstSpan + 2 * i;
        r.requestId = QByteArray::number(qulonglong(i));
        r.accepted = trace::Nanos(t);
        r.sent = socketWait ? r.accepted - socketWait : 0;
        r.started = r.accepted + 20'000;
        if (blockingEvery && i % blockingEvery == blockingEvery - 1) {
            r.route = routes[2];
            r.variant = 2;
            r.blockBegin = r.started + 10'000;
            r.blockEnd = r.blockBegin + 2'000'000;
            r.blockLabel = blockLabel;
            r.closed = r.blockEnd + 30'000;
        } else {
            r.route = routes[i % 2];
            r.awaitBegin = r.started + 15'000;
            r.awaitEnd = r.awaitBegin + awaitNs(rng);
            r.awaitLabel = i % 2 ? fetchLabel : sleepLabel;
            if (i % 2)
                r.jobSpan = r.span + 1;
            r.closed = r.awaitEnd + 40'000;
        }
        appendTimelineRequest(out, r);
    }
    std::stable_sort(out.begin(), out.end(),
        [](const trace::Event &a, const trace::Event &b) { return a.time < b.time; });
    return out;
}

} // namespace loopscope::testsupport
