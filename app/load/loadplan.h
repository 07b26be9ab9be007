#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <chrono>
#include <utility>

namespace loopscope::load {

// One kind of request in a run. A plan with several templates sends a weighted
// mix of them (smooth weighted round-robin, so 1:1 weights alternate exactly).
struct RequestTemplate
{
    QByteArray method = QByteArrayLiteral("GET");
    QByteArray target = QByteArrayLiteral("/"); // path and query, as on the request line
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    int weight = 1;
};

// Everything a run needs, as plain data so the GUI, the CLI and tests build it
// the same way. A run always ends by itself: by count, by duration, or both.
struct LoadPlan
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 80;
    QList<RequestTemplate> requests { RequestTemplate {} };

    qint64 totalRequests = 0; // 0: bounded by duration only
    std::chrono::nanoseconds duration { 0 }; // 0: bounded by count only
    int concurrency = 1; // connections (closed loop: requests in flight)
    bool keepAlive = false; // false: one connection per request
    double rate = 0; // > 0: open loop at this many requests/s
    std::chrono::nanoseconds timeout = std::chrono::seconds(30); // per request, connect included

    qint64 maxRecords = 100'000; // per-request records kept in the result
    QByteArray runId; // X-Request-Id is load-<runId>-<n>; empty: generated
    bool stopOnRefused = true; // give up when the target refuses before any connect succeeded
    // X-Loopscope-Sent: each request's send time on CLOCK_MONOTONIC, stamped just before it is
    // written. Loopscope on the same machine then shows how long it sat unread in the socket;
    // any other server ignores an unknown header.
    bool sendSentTime = true;

    bool isOpenLoop() const { return rate > 0; }
    // Requests the run will send, or 0 when only the duration bounds it.
    qint64 plannedRequests() const;
    // Success when the plan can run; otherwise a BadArgument saying why not.
    Result validate() const;
};

} // namespace loopscope::load
