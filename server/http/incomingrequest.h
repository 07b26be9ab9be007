#pragma once

#include "httprequest.h"
#include "trace/trace.h"

#include <QByteArray>
#include <atomic>
#include <memory>

namespace loopscope::http {

// A request as the connection hands it to the application.
struct IncomingRequest
{
    HttpRequest request;
    QByteArray requestId; // X-Request-Id: the client's when valid, otherwise generated
    quint64 span = 0; // trace span id of this request
    quint64 connectionId = 0;
    // Set once the client has left (its connection closed or was destroyed): work done for it
    // can stop. Readable from any thread.
    std::shared_ptr<const std::atomic<bool>> clientGone;
};

// A parsed request taken in: its id, a span of its own, and its start traced (accepted on
// this connection; sent and arrived when the client's X-Loopscope-Sent is plausible beside
// `arrived`, the kernel's stamp of its first byte, or alone when that is 0).
IncomingRequest admitRequest(HttpRequest request, quint64 connectionId, trace::Nanos arrived);

} // namespace loopscope::http
