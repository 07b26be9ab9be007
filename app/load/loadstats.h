#pragma once

#include "latencyhistogram.h"
#include "loadresult.h"
#include "loadsnapshot.h"
#include "requestrecord.h"

namespace loopscope::load {

// Folds records into the result as they complete, on the engine thread: the
// histograms, error counters and the per-second series. Memory stays constant
// apart from one series point per second and the capped record list.
class LoadStats
{
public:
    explicit LoadStats(qint64 maxRecords);

    // `writtenNs`: when the request's last byte was handed to the kernel (-1 if never).
    void add(const RequestRecord &record, qint64 writtenNs, qint64 bodyBytes);
    void addRequestBytes(qint64 bytes) { m_result.requestBytes += bytes; }
    void noteSent() { ++m_result.sent; }

    LoadSnapshot snapshot(qint64 nowNs, qint64 planned, double durationSeconds) const;
    // At the run's end: its last, partial second joins the series, so the final snapshot's
    // "last second" figures are those of its last completions (a run shorter than a second,
    // or one whose slow requests all end at once, has no other).
    void closePartialSecond();
    // Moves everything into a result; the stats are spent afterwards.
    LoadResult take(qint64 elapsedNs);

private:
    void closeSecondsBefore(qint64 second);

    LoadResult m_result;
    qint64 m_maxRecords;
    bool m_sawResponse = false;
    LatencyHistogram m_secondLatency; // completions of the current second only
    qint64 m_currentSecond = 0;
    qint64 m_secondRequests = 0;
    qint64 m_secondErrors = 0;
    qint64 m_lastFullSecondRequests = 0;
};

} // namespace loopscope::load
