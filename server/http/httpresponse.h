#pragma once

#include "bodysource.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <memory>
#include <utility>
#include <vector>

namespace loopscope::http {

struct HttpResponse
{
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QByteArray body;
    std::vector<std::pair<QByteArray, QByteArray>> headers;
    // When set, the body is produced while it is sent (large files, trace exports) and `body`
    // stays empty. Shared so that a response stays copyable (the exchange log keeps one).
    std::shared_ptr<BodySource> stream;

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    // FastAPI's HTTPException shape: {"detail": "..."}
    static HttpResponse detail(int status, const QString &detail);
    static HttpResponse text(QByteArray body, QByteArray contentType, int status = 200);
    static HttpResponse streamed(
        std::shared_ptr<BodySource> source, QByteArray contentType, int status = 200);
};

// How a streamed body is delimited on the wire, decided by what is known up front and what
// the client speaks.
enum class BodyFraming
{
    Whole, // `body`, with its Content-Length
    Length, // a stream of known size: Content-Length
    Chunked, // a stream of unknown size to an HTTP/1.1 client
    UntilClose, // a stream of unknown size to an HTTP/1.0 client: the close ends it
};
BodyFraming bodyFraming(const HttpResponse &response, int requestMinorVersion);

// One piece of a chunked body on the wire; the empty piece is the last chunk.
QByteArray chunkFrame(QByteArrayView piece);

QByteArray reasonPhrase(int status);

// Serialises status line, headers and body (of a streamed response: the head only, framed as
// bodyFraming() says; UntilClose implies `keepAlive` false). `requestId` is echoed as
// X-Request-Id.
QByteArray serializeResponse(const HttpResponse &response, bool keepAlive, int requestMinorVersion,
    const QByteArray &requestId);

} // namespace loopscope::http
