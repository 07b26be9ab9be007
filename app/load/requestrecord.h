#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace loopscope::load {

enum class RequestError : quint8
{
    None,
    Connect, // connect failed or was refused
    Timeout, // no complete response within the plan's timeout
    Reset, // connection reset or closed before the response was complete
    Status, // a complete response with status >= 400
    Protocol, // a response that is not HTTP/1.x we can parse
    Cancelled, // in flight when the run was stopped; not counted as failed
};
inline constexpr int kRequestErrorCount = 7;

const char *requestErrorName(RequestError kind);

// One request, as oha keeps it: everything else is derived from these. Times are
// nanoseconds on the steady clock since the run's start (LoadResult::startSteadyNs),
// -1 for a point the request never reached.
struct RequestRecord
{
    quint64 id = 0; // <n> of X-Request-Id load-<run>-<n>
    qint64 intendedStartNs = 0; // open loop: scheduled send time; closed loop: == startNs
    qint64 startNs = 0; // when the request (connect included) actually began
    qint64 connectNs = -1; // connection established (== startNs on a reused connection)
    qint64 firstByteNs = -1; // first response byte
    qint64 endNs = 0; // response complete or error
    qint64 bytes = 0; // response bytes, headers included
    quint16 status = 0; // 0 without a status line
    quint16 templateIndex = 0; // which LoadPlan::requests entry
    RequestError error = RequestError::None;
    bool reusedConnection = false;

    qint64 latencyNs() const { return endNs - intendedStartNs; } // coordinated omission corrected
    qint64 serviceTimeNs() const { return endNs - startNs; } // uncorrected
    friend bool operator==(const RequestRecord &, const RequestRecord &) = default;
};

QByteArray requestId(const QByteArray &runId, quint64 n);

} // namespace loopscope::load
