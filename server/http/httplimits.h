#pragma once

#include <QtGlobal>
#include <chrono>

namespace loopscope::http {

// Safe defaults in the range uvicorn/nginx use; all configurable from the command line.
struct HttpLimits
{
    qsizetype maxRequestLineBytes = 8 * 1024;
    qsizetype maxHeaderBytes = 16 * 1024;
    qsizetype maxBodyBytes = 1024 * 1024;
    int maxHeaderCount = 100;
    int maxConnections = 10000;
    // Responses queued on one pipelined connection before we stop reading from it.
    int maxPipelinedRequests = 32;
    std::chrono::milliseconds keepAliveTimeout { 15000 };
    std::chrono::milliseconds headerTimeout { 10000 };
};

} // namespace loopscope::http
