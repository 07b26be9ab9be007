#pragma once

#include "loadplan.h"

#include <QByteArray>

namespace loopscope::load {

// A request template rendered to bytes once per run: only the request-id
// digits differ between two requests, and the engine sends them between these
// two blocks in one sendmsg, so no request is ever assembled in memory.
struct PreparedRequest
{
    QByteArray head; // request line, headers, "X-Request-Id: load-<run>-"
    QByteArray tail; // "\r\n", Connection/Content-Length, blank line, body
    bool isHead = false;

    static PreparedRequest render(
        const RequestTemplate &request, const LoadPlan &plan, const QByteArray &runId);
};

} // namespace loopscope::load
