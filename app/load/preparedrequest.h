#pragma once

#include "loadplan.h"

#include <QByteArray>

namespace loopscope::load {

// A request template rendered to bytes once per run: only the request-id
// digits and the send time differ between two requests, and the engine sends
// them between these blocks in one sendmsg, so no request is ever assembled in
// memory: head, id digits, sentField, send-time digits, tail.
struct PreparedRequest
{
    QByteArray head; // request line, headers, "X-Request-Id: load-<run>-"
    QByteArray sentField; // "\r\nX-Loopscope-Sent: ", empty when the plan sends no send time
    QByteArray tail; // "\r\n", Connection/Content-Length, blank line, body
    bool isHead = false;

    static PreparedRequest render(
        const RequestTemplate &request, const LoadPlan &plan, const QByteArray &runId);
};

} // namespace loopscope::load
