#pragma once

#include <QtGlobal>
#include <chrono>

namespace loopscope::http {

// Safe defaults in the range uvicorn/nginx use; all configurable from the command line.
struct HttpLimits
{
    qsizetype maxRequestLineBytes = 8 * 1024; // 414 beyond
    qsizetype maxHeaderBytes = 16 * 1024; // request line and headers together; 431 beyond
    qsizetype maxBodyBytes = 1024 * 1024; // 413 beyond
    int maxHeaderCount = 100;
    int maxConnections = 10000; // further connections get a 503 and are closed
    // Responses queued on one pipelined connection before we stop reading from it.
    int maxPipelinedRequests = 32;
    // Answer bytes a client has not read yet before we stop reading its next requests.
    qsizetype maxUnsentBytes = 4 * 1024 * 1024;
    std::chrono::milliseconds keepAliveTimeout { 15000 }; // idle connection closed after
    // The time a client may take to send one whole request, from its first byte: a client that
    // dribbles its headers (slowloris) or its body is answered 408 and dropped after it.
    std::chrono::milliseconds requestTimeout { 10000 };
};

} // namespace loopscope::http
