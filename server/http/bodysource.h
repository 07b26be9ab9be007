#pragma once

#include <QByteArray>
#include <QCoro/QCoroTask>
#include <optional>

namespace loopscope::http {

// A response body produced piece by piece while it is sent, so an answer of any size costs the
// server a bounded amount of memory: the connection asks for the next piece only while the
// client's unsent bytes are below HttpLimits::maxUnsentBytes, and only for the answer at the
// front of its pipeline. A client that stops reading therefore stops the producer, and one that
// leaves drops the source (its destructor is where a producer learns it may stop).
//
// next() runs on the server loop and must not block it longer than the route's variant means to
// (a `blocking` variant may, that is its lesson). At most one next() is outstanding at a time.
class BodySource
{
public:
    virtual ~BodySource() = default;

    // The whole body's size when known before the first byte (sent as Content-Length); -1 when
    // not (sent chunked to HTTP/1.1 clients and delimited by the close to HTTP/1.0 ones).
    virtual qint64 size() const = 0;

    // The next piece; an empty array once the body is complete. std::nullopt when producing
    // failed: the head is already out, so the connection is dropped and the client sees a
    // truncated answer (a short Content-Length or a missing last chunk), never a wrong one.
    virtual QCoro::Task<std::optional<QByteArray>> next() = 0;
};

} // namespace loopscope::http
