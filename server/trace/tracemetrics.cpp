#include "tracemetrics.h"

#include "eventdecoder.h"

#include <algorithm>

namespace loopscope::trace {

namespace {

void appendLabelValue(QByteArray &out, std::string_view value)
{
    // Exposition format: backslash, double quote and newline are escaped.
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
}

void appendHeader(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

QByteArray number(double v)
{
    return QByteArray::number(v, 'g', 12);
}

} // namespace

void TraceMetrics::add(std::span<const Event> events)
{
    for (const Event &e : events) {
        const DecodedEvent d = decode(e);
        // Tasks and jobs have their own ids and no latency of their own here.
        const bool request = d.span == SpanKind::Request;
        switch (d.step) {
        case Step::Open:
            if (request)
                m_open[e.span].accepted = e.time;
            break;
        case Step::Parse:
            if (const auto it = m_open.find(e.span); it != m_open.end())
                it->second.route = e.label;
            break;
        case Step::Respond: {
            const auto it = m_open.find(e.span);
            if (it == m_open.end())
                break; // accepted before the retained history began: no latency to report
            ++m_requests[{ it->second.route, status(e) }];
            const double seconds = double(std::max<Nanos>(0, e.time - it->second.accepted)) / 1e9;
            const auto bucket = std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds);
            if (bucket != kBuckets.end())
                ++m_buckets[std::size_t(bucket - kBuckets.begin())];
            ++m_durationCount;
            m_durationSum += seconds;
            m_open.erase(it);
            break;
        }
        case Step::Close:
            if (request)
                m_open.erase(e.span); // client gone before an answer
            break;
        case Step::StallEnd:
            ++m_stalls;
            m_stallNs += stallDuration(e);
            break;
        case Step::Lag:
            m_lastLagNs = lag(e);
            m_maxLagNs = std::max(m_maxLagNs, lag(e));
            break;
        case Step::RequestId:
        case Step::Arrive:
        case Step::StartHandler:
        case Step::StartOnWorker:
        case Step::Suspend:
        case Step::Resume:
        case Step::BlockBegin:
        case Step::BlockEnd:
        case Step::StallBegin:
        case Step::ServerStop:
        case Step::ServerStart:
            break; // nothing the metrics count
        }
    }
}

void TraceMetrics::setDroppedEvents(std::uint64_t ringDropped, std::uint64_t subscriberDropped)
{
    m_ringDropped = ringDropped;
    m_subscriberDropped = subscriberDropped;
}

std::uint64_t TraceMetrics::requests(std::uint32_t route, int status) const
{
    const auto it = m_requests.find({ route, status });
    return it == m_requests.end() ? 0 : it->second;
}

QByteArray TraceMetrics::prometheusText() const
{
    QByteArray out;
    out.reserve(4096);

    appendHeader(
        out, "loopscope_requests_total", "counter", "Requests answered, by route and status.");
    for (const auto &[key, count] : m_requests) {
        out += "loopscope_requests_total{route=\"";
        const std::string_view route = labelView(key.first);
        appendLabelValue(out, route.empty() ? std::string_view("<unknown>") : route);
        out += "\",status=\"" + QByteArray::number(key.second) + "\"} " + QByteArray::number(count)
            + '\n';
    }

    appendHeader(out, "loopscope_request_duration_seconds", "histogram",
        "Time from accepting a request to writing its response.");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += m_buckets[i];
        out += "loopscope_request_duration_seconds_bucket{le=\"" + number(kBuckets[i]) + "\"} "
            + QByteArray::number(cumulative) + '\n';
    }
    out += "loopscope_request_duration_seconds_bucket{le=\"+Inf\"} "
        + QByteArray::number(m_durationCount) + '\n';
    out += "loopscope_request_duration_seconds_sum " + number(m_durationSum) + '\n';
    out += "loopscope_request_duration_seconds_count " + QByteArray::number(m_durationCount) + '\n';

    appendHeader(
        out, "loopscope_in_flight_requests", "gauge", "Requests accepted and not yet answered.");
    out += "loopscope_in_flight_requests " + QByteArray::number(qint64(m_open.size())) + '\n';

    appendHeader(out, "loopscope_loop_stalls_total", "counter",
        "Server loop stalls seen by the watchdog (heartbeat late by more than the threshold).");
    out += "loopscope_loop_stalls_total " + QByteArray::number(m_stalls) + '\n';

    appendHeader(out, "loopscope_loop_stall_seconds_total", "counter",
        "Total time the server loop was stalled.");
    out += "loopscope_loop_stall_seconds_total " + number(double(m_stallNs) / 1e9) + '\n';

    appendHeader(out, "loopscope_loop_lag_seconds", "gauge",
        "Latest sampled heartbeat lag of the server loop.");
    out += "loopscope_loop_lag_seconds " + number(double(m_lastLagNs) / 1e9) + '\n';

    appendHeader(out, "loopscope_loop_lag_max_seconds", "gauge",
        "Largest sampled heartbeat lag since start.");
    out += "loopscope_loop_lag_max_seconds " + number(double(m_maxLagNs) / 1e9) + '\n';

    appendHeader(out, "loopscope_trace_events_dropped_total", "counter",
        "Trace events lost because a producer ring was full.");
    out += "loopscope_trace_events_dropped_total " + QByteArray::number(m_ringDropped) + '\n';

    appendHeader(out, "loopscope_trace_subscriber_events_dropped_total", "counter",
        "Trace events a live view missed because it fell behind.");
    out += "loopscope_trace_subscriber_events_dropped_total "
        + QByteArray::number(m_subscriberDropped) + '\n';
    return out;
}

} // namespace loopscope::trace
