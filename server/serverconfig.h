#pragma once

#include "http/httplimits.h"
#include "upstream/outboundconfig.h"

#include <QHostAddress>
#include <QStringList>
#include <chrono>

namespace loopscope {

struct ServerConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8000; // 0 picks a free port
    QStringList modeAssignments; // "ROUTE=VARIANT", applied in order
    QStringList settingAssignments; // "NAME=VALUE" of the SettingTable, after --gil and the rest
    http::HttpLimits limits;
    int workerThreads = 40; // FastAPI's thread pool for `def` routes
    // --gil on|off: CPython's global interpreter lock (core/gil.h); on, as CPython runs.
    bool gil = true;
    // --no-trace: off, nothing is recorded (trace::setRecording), to measure what tracing costs.
    bool tracing = true;
    // --trace-ring-budget: bytes for every thread's trace ring together; 0 is
    // trace::defaultRingBudget().
    qint64 traceRingBudget = 0;
    // Shutdown, in order: requests in flight get drainTimeout to be answered; then their work
    // is cancelled and gets cancelGrace to answer; background tasks get taskGrace, then are
    // cancelled; the worker pool gets cancelGrace to come back, or is abandoned.
    std::chrono::milliseconds drainTimeout { 10000 };
    std::chrono::milliseconds cancelGrace { 2000 };
    std::chrono::milliseconds taskGrace { 2000 };
    // Background tasks running at once; a request that would start one more gets a 503.
    int maxBackgroundTasks = 10000;
    // --database URL; empty: SQLite in the user's data directory. See db/databaseurl.h.
    QString databaseUrl;
    int databasePoolMin = 5; // the course's asyncpg.create_pool(min_size=5, max_size=20)
    int databasePoolMax = 20;
    upstream::OutboundConfig outbound; // simulator, --upstream, --allow-host
    // The /_scope/ control API: --no-control-api, --control-token, --control-host (see
    // ControlAccess).
    bool controlApiEnabled = true;
    QByteArray controlToken;
    QStringList controlHosts;

    // The longest a stop takes, whatever runs: each phase above at its bound, plus a second for
    // the rest of the teardown (database connections). Past it the server thread is given up.
    std::chrono::milliseconds stopDeadline() const
    {
        return drainTimeout + cancelGrace + taskGrace + cancelGrace + std::chrono::seconds(1);
    }
};

} // namespace loopscope
