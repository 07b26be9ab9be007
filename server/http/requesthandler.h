#pragma once

#include "httprequest.h"
#include "httpresponse.h"
#include "incomingrequest.h"

#include <QCoro/QCoroTask>
#include <atomic>
#include <exception>
#include <memory>
#include <optional>

namespace loopscope::http {

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

// The one safety net around a handler: whatever it throws becomes the handler's own error
// answer (QCoro 0.8 loses exceptions of a task nobody awaits). The connection and the request
// fuzzer both answer through it.
inline QCoro::Task<HttpResponse> handleSafely(RequestHandler &handler, IncomingRequest &request)
{
    try {
        co_return co_await handler.handle(request);
    } catch (const std::exception &error) {
        co_return handler.unhandledException(request, QString::fromUtf8(error.what()));
    } catch (...) {
        co_return handler.unhandledException(request, QStringLiteral("unknown exception"));
    }
}

} // namespace loopscope::http
