#pragma once

#include "httprequest.h"
#include "httpresponse.h"
#include "incomingrequest.h"

#include <QCoro/QCoroTask>
#include <atomic>
#include <coroutine>
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
// fuzzer both answer through it. An awaitable rather than a coroutine of its own: a request in
// flight keeps no frame for it, only this object in its awaiting coroutine's frame.
class HandledSafely
{
public:
    // Starts the handler. Made in place, as a named local of the awaiting coroutine (see
    // Offloader::offload on GCC 12 and temporaries in co_await).
    HandledSafely(RequestHandler &handler, IncomingRequest &request)
        : m_handler(handler)
        , m_request(request)
    {
        try {
            m_task = handler.handle(request); // a handler may throw before its coroutine starts
        } catch (...) {
            m_thrown = std::current_exception();
        }
    }
    HandledSafely(const HandledSafely &) = delete;
    HandledSafely &operator=(const HandledSafely &) = delete;

    auto operator co_await() &noexcept
    {
        struct Awaiter
        {
            HandledSafely *safely;
            bool await_ready() const noexcept { return safely->ready(); }
            void await_suspend(std::coroutine_handle<> awaiting) noexcept
            {
                safely->m_task.operator co_await().await_suspend(awaiting);
            }
            HttpResponse await_resume() { return safely->response(); }
        };
        return Awaiter { this };
    }

private:
    bool ready() const noexcept { return m_thrown || m_task.isReady(); }
    HttpResponse response()
    {
        try {
            if (m_thrown)
                std::rethrow_exception(m_thrown);
            return m_task.operator co_await().await_resume(); // rethrows what the handler threw
        } catch (const std::exception &error) {
            return m_handler.unhandledException(m_request, QString::fromUtf8(error.what()));
        } catch (...) {
            return m_handler.unhandledException(m_request, QStringLiteral("unknown exception"));
        }
    }

    RequestHandler &m_handler;
    IncomingRequest &m_request;
    QCoro::Task<HttpResponse> m_task;
    std::exception_ptr m_thrown;
};

} // namespace loopscope::http
