#pragma once

#include "trace.h"

#include <QtCore/QByteArray>

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <unordered_map>
#include <utility>

namespace loopscope::trace {

// Aggregates drained events into the counters /_scope/metrics exposes. Not
// thread-safe: the hub feeds it on the collector thread under its own lock.
class TraceMetrics
{
public:
    // Prometheus' default buckets, plus finer ones below 5 ms (most non-blocking
    // routes answer in well under a millisecond) and 30 s for the slow examples.
    static constexpr std::array<double, 14> kBuckets { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0 };

    void add(std::span<const Event> events);

    // Counters kept outside the event stream (events that were lost cannot count themselves).
    void setDroppedEvents(std::uint64_t ringDropped, std::uint64_t subscriberDropped);

    std::uint64_t requests(std::uint32_t route, int status) const;
    std::uint64_t requestCount() const { return m_durationCount; }
    std::int64_t inFlight() const { return std::int64_t(m_open.size()); }
    std::uint64_t stallCount() const { return m_stalls; }
    Nanos stallNs() const { return m_stallNs; }
    Nanos lastLagNs() const { return m_lastLagNs; }
    Nanos maxLagNs() const { return m_maxLagNs; }

    QByteArray prometheusText() const;

private:
    struct Open
    {
        Nanos accepted = 0;
        std::uint32_t route = 0;
    };

    std::unordered_map<std::uint64_t, Open> m_open; // accepted, not yet answered or closed
    std::map<std::pair<std::uint32_t, int>, std::uint64_t> m_requests; // (route, status)
    std::array<std::uint64_t, kBuckets.size()> m_buckets {}; // non-cumulative
    std::uint64_t m_durationCount = 0;
    double m_durationSum = 0;
    std::uint64_t m_stalls = 0;
    Nanos m_stallNs = 0;
    Nanos m_lastLagNs = 0;
    Nanos m_maxLagNs = 0;
    std::uint64_t m_ringDropped = 0;
    std::uint64_t m_subscriberDropped = 0;
};

} // namespace loopscope::trace
