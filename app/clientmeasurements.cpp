#include "clientmeasurements.h"

#include <algorithm>
#include <charconv>

namespace loopscope {

namespace {

QString errorText(load::RequestError error)
{
    switch (error) {
    case load::RequestError::None:
    case load::RequestError::Status: // an answer: its status says it
        return {};
    case load::RequestError::Cancelled:
        return QStringLiteral("cancelled: its run was stopped");
    case load::RequestError::Connect:
    case load::RequestError::Timeout:
    case load::RequestError::Reset:
    case load::RequestError::Protocol:
        break;
    }
    return QString::fromLatin1(load::requestErrorName(error));
}

viz::ClientMeasurement measurementOf(const load::RequestRecord &r, trace::Nanos runStart)
{
    const auto at = [runStart](qint64 ns) { return ns < 0 ? 0 : runStart + ns; };
    viz::ClientMeasurement m;
    m.scheduled = at(r.intendedStartNs);
    m.started = at(r.startNs);
    m.connected = r.reusedConnection ? 0 : at(r.connectNs);
    m.firstByte = at(r.firstByteNs);
    m.ended = at(r.endNs);
    m.status = r.status;
    m.error = errorText(r.error);
    return m;
}

} // namespace

std::optional<viz::ClientMeasurement> clientMeasurement(
    const QList<RunSummary> &runs, QByteArrayView requestId)
{
    constexpr QByteArrayView prefix("load-");
    const qsizetype dash = requestId.lastIndexOf('-');
    if (!requestId.startsWith(prefix) || dash <= prefix.size())
        return std::nullopt;
    const QByteArrayView runId = requestId.sliced(prefix.size(), dash - prefix.size());
    const QByteArrayView number = requestId.sliced(dash + 1);
    quint64 n = 0;
    const auto [end, error] = std::from_chars(number.begin(), number.end(), n);
    if (error != std::errc() || end != number.end())
        return std::nullopt;
    for (const RunSummary &run : runs) {
        if (run.result.runId != runId)
            continue;
        const QList<load::RequestRecord> &records = run.result.records;
        const auto record = std::find_if(records.begin(), records.end(),
            [n](const load::RequestRecord &r) { return r.id == n; });
        if (record != records.end())
            return measurementOf(*record, run.startedAt);
    }
    return std::nullopt;
}

viz::ClientMeasurementLookup clientMeasurements(const QList<RunSummary> &runs)
{
    return [&runs](QByteArrayView requestId) { return clientMeasurement(runs, requestId); };
}

} // namespace loopscope
