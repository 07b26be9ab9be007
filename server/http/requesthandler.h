#pragma once

#include "httprequest.h"
#include "httpresponse.h"

#include <QCoro/QCoroTask>
#include <optional>
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

// The application side of the server. Runs on the server loop thread.
class RequestHandler
{
public:
    virtual ~RequestHandler() = default;
    virtual QCoro::Task<HttpResponse> handle(IncomingRequest &request) = 0;
    // The head of a request whose client waits for `100 Continue` before sending its body: the
    // final answer to send instead when the request would be refused whatever its body holds
    // (no such route, not allowed), so the client does not send a body for nothing.
    virtual std::optional<HttpResponse> refusalBeforeBody(const HttpRequest &head)
    {
        Q_UNUSED(head);
        return std::nullopt;
    }
    // The handler threw: the answer to send instead (a 500 with a detail).
    virtual HttpResponse unhandledException(const IncomingRequest &request, const QString &what)
        = 0;
    // The answer is about to be queued on the socket: whatever keeps it must have it before
    // the client can read it.
    virtual void responseReady(const IncomingRequest &request, const HttpResponse &response) = 0;
};

} // namespace loopscope::http
