#include "loadstats.h"

#include <algorithm>

namespace loopscope::load {

namespace {
constexpr qint64 kSecond = 1'000'000'000;

bool isFailure(RequestError kind)
{
    return kind == RequestError::Connect || kind == RequestError::Timeout
        || kind == RequestError::Reset || kind == RequestError::Protocol;
}
} // namespace

LoadStats::LoadStats(qint64 maxRecords)
    : m_maxRecords(maxRecords)
{
    m_result.records.reserve(qsizetype(std::min<qint64>(maxRecords, 1 << 16)));
}

void LoadStats::add(const RequestRecord &r, qint64 writtenNs, qint64 bodyBytes)
{
    if (qint64(m_result.records.size()) < m_maxRecords)
        m_result.records.append(r);
    else
        ++m_result.recordsDropped;

    ++m_result.errors[size_t(r.error)];
    if (r.error == RequestError::Cancelled)
        return; // never finished: not a latency, not a failure of the target

    ++m_result.completed;
    m_result.totalBytes += r.bytes;
    const bool failed = isFailure(r.error);
    if (failed) {
        ++m_result.failed;
    } else {
        ++m_result.responses;
        m_result.bodyBytes += bodyBytes;
        if (!m_sawResponse) {
            m_sawResponse = true;
            m_result.documentLength = bodyBytes;
        }
        if (r.status < 200 || r.status >= 300)
            ++m_result.non2xx;
        m_result.latency.record(r.latencyNs());
        m_result.serviceTime.record(r.serviceTimeNs());
        const qint64 connectEnd = r.connectNs >= 0 ? r.connectNs : r.startNs;
        m_result.connect.record(connectEnd - r.startNs);
        m_result.processing.record(r.endNs - connectEnd);
        m_result.waiting.record(r.firstByteNs - (writtenNs >= 0 ? writtenNs : connectEnd));
    }

    // Completions arrive in time order on the single engine thread, so the
    // series only ever moves forward.
    const qint64 second = std::max<qint64>(0, r.endNs / kSecond);
    if (second != m_currentSecond)
        closeSecondsBefore(second);
    ++m_secondRequests;
    if (failed || r.error == RequestError::Status)
        ++m_secondErrors;
    if (!failed)
        m_secondLatency.record(r.latencyNs());
}

void LoadStats::closeSecondsBefore(qint64 second)
{
    while (m_currentSecond < second) {
        const auto p = m_secondLatency.valuesAtPercentiles(std::array { 50.0, 95.0, 99.0 });
        m_result.series.append(
            SeriesPoint { m_currentSecond, m_secondRequests, m_secondErrors, p[0], p[2], p[1] });
        m_lastFullSecondRequests = m_secondRequests;
        m_secondLatency.reset();
        m_secondRequests = m_secondErrors = 0;
        ++m_currentSecond;
    }
}

LoadSnapshot LoadStats::snapshot(qint64 nowNs, qint64 planned, double durationSeconds) const
{
    LoadSnapshot s;
    s.running = true;
    s.sent = m_result.sent;
    s.done = m_result.completed;
    s.total = planned;
    s.errors = m_result.failed + m_result.errors[size_t(RequestError::Status)];
    s.elapsedSeconds = double(nowNs) / 1e9;
    // Whichever bound comes first ends the run: a count that would take hours does not outlast
    // a 15 s duration.
    if (planned > 0 && s.done > 0)
        s.etaSeconds = s.elapsedSeconds * double(planned - s.done) / double(s.done);
    if (durationSeconds > 0) {
        const double byDuration = std::max(0.0, durationSeconds - s.elapsedSeconds);
        s.etaSeconds = s.etaSeconds < 0 ? byDuration : std::min(s.etaSeconds, byDuration);
    }
    // Until a second has passed, extrapolate from what there is.
    s.currentRps = m_result.series.isEmpty() && s.elapsedSeconds > 0
        ? double(m_secondRequests) / s.elapsedSeconds
        : double(m_lastFullSecondRequests);
    const auto p = m_result.latency.valuesAtPercentiles(std::array { 50.0, 90.0, 99.0 });
    s.p50Ns = p[0];
    s.p90Ns = p[1];
    s.p99Ns = p[2];
    s.maxNs = m_result.latency.max();
    if (!m_result.series.isEmpty()) {
        s.lastSecondP50Ns = m_result.series.last().p50Ns;
        s.lastSecondP99Ns = m_result.series.last().p99Ns;
        s.lastSecondP95Ns = m_result.series.last().p95Ns;
    }
    return s;
}

void LoadStats::closePartialSecond()
{
    if (m_secondRequests > 0)
        closeSecondsBefore(m_currentSecond + 1);
}

LoadResult LoadStats::take(qint64 elapsedNs)
{
    closePartialSecond();
    m_result.elapsedNs = elapsedNs;
    return std::move(m_result);
}

} // namespace loopscope::load
