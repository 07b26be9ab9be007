#pragma once

#include "http/httplimits.h"

#include <QHostAddress>
#include <QStringList>
#include <chrono>

namespace loopscope {

struct ServerConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8000; // 0 picks a free port
    QStringList modeAssignments; // "ROUTE=VARIANT", applied in order
    http::HttpLimits limits;
    int workerThreads = 40; // FastAPI's thread pool for `def` routes
    std::chrono::milliseconds drainTimeout { 10000 }; // in-flight requests at shutdown
    std::chrono::milliseconds taskGrace { 2000 }; // background tasks at shutdown
};

} // namespace loopscope
