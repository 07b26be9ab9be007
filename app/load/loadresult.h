#pragma once

#include "latencyhistogram.h"
#include "loadplan.h"
#include "requestrecord.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <array>

namespace loopscope::load {

// One second of a run, by completion time.
struct SeriesPoint
{
    qint64 second = 0;
    qint64 requests = 0;
    qint64 errors = 0; // failed plus status >= 400
    qint64 p50Ns = 0; // of latency from intended start
    qint64 p99Ns = 0;
    qint64 p95Ns = 0;
};

// What a run produced. Errors without exceptions: a run that could not happen at all fails, as a
// BadArgument for a bad plan and Io for an unresolvable host or a refused target.
struct LoadResult : Result
{
    LoadPlan plan;
    QByteArray runId;
    qint64 startSteadyNs = 0; // steady clock at the run's time zero, to align with server traces
    qint64 elapsedNs = 0; // time zero to the last completion
    bool stopped = false; // ended by stop() rather than by its bounds

    qint64 sent = 0; // requests begun
    qint64 completed = 0; // requests ended, in any way except cancelled
    qint64 responses = 0; // complete HTTP responses (any status)
    qint64 failed = 0; // connect + timeout + reset + protocol
    qint64 non2xx = 0;
    std::array<qint64, kRequestErrorCount> errors {};
    qint64 errorCount(RequestError kind) const { return errors[size_t(kind)]; }

    qint64 totalBytes = 0; // response bytes, headers included
    qint64 bodyBytes = 0;
    qint64 requestBytes = 0;
    qint64 documentLength = 0; // body length of the first response, as ab shows it

    // Over successful responses (status errors included, transport errors not).
    LatencyHistogram latency; // end - intended start (coordinated omission corrected)
    LatencyHistogram serviceTime; // end - actual start (uncorrected)
    LatencyHistogram connect; // ab "Connect"
    LatencyHistogram waiting; // ab "Waiting": request written .. first byte
    LatencyHistogram processing; // ab "Processing": connected .. end

    QList<SeriesPoint> series;
    QList<RequestRecord> records; // at most plan.maxRecords, in completion order
    qint64 recordsDropped = 0;

    double elapsedSeconds() const { return double(elapsedNs) / 1e9; }
    double requestsPerSecond() const;

    QJsonObject toJson() const;
};

} // namespace loopscope::load

Q_DECLARE_METATYPE(loopscope::load::LoadResult)
