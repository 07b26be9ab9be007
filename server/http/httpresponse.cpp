#include "httpresponse.h"

#include "jsonwriter.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLocale>

namespace loopscope::http {

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    return { status, QByteArrayLiteral("application/json"), toJson(object), {}, {} };
}

HttpResponse HttpResponse::json(const QJsonArray &array, int status)
{
    return { status, QByteArrayLiteral("application/json"), toJson(array), {}, {} };
}

HttpResponse HttpResponse::detail(int status, const QString &detail)
{
    return json(QJsonObject { { QStringLiteral("detail"), detail } }, status);
}

HttpResponse HttpResponse::text(QByteArray body, QByteArray contentType, int status)
{
    return { status, std::move(contentType), std::move(body), {}, {} };
}

HttpResponse HttpResponse::streamed(
    std::shared_ptr<BodySource> source, QByteArray contentType, int status)
{
    return { status, std::move(contentType), {}, {}, std::move(source) };
}

BodyFraming bodyFraming(const HttpResponse &response, int requestMinorVersion)
{
    if (!response.stream)
        return BodyFraming::Whole;
    if (response.stream->size() >= 0)
        return BodyFraming::Length;
    return requestMinorVersion == 0 ? BodyFraming::UntilClose : BodyFraming::Chunked;
}

QByteArray chunkFrame(QByteArrayView piece)
{
    if (piece.isEmpty())
        return QByteArrayLiteral("0\r\n\r\n");
    QByteArray frame;
    frame.reserve(piece.size() + 20);
    frame += QByteArray::number(piece.size(), 16);
    frame += "\r\n";
    frame += piece;
    frame += "\r\n";
    return frame;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return QByteArrayLiteral("OK");
    case 201:
        return QByteArrayLiteral("Created");
    case 204:
        return QByteArrayLiteral("No Content");
    case 307:
        return QByteArrayLiteral("Temporary Redirect");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 401:
        return QByteArrayLiteral("Unauthorized");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 408:
        return QByteArrayLiteral("Request Timeout");
    case 413:
        return QByteArrayLiteral("Request Entity Too Large");
    case 414:
        return QByteArrayLiteral("Request-URI Too Long");
    case 422:
        return QByteArrayLiteral("Unprocessable Entity");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 501:
        return QByteArrayLiteral("Not Implemented");
    case 502:
        return QByteArrayLiteral("Bad Gateway");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    case 504:
        return QByteArrayLiteral("Gateway Timeout");
    case 505:
        return QByteArrayLiteral("HTTP Version Not Supported");
    default:
        return QByteArrayLiteral("Unknown");
    }
}

namespace {

// The Date header changes once a second; format it once per second, not per response.
const QByteArray &currentHttpDate()
{
    thread_local qint64 cachedSecond = -1;
    thread_local QByteArray cached;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (now != cachedSecond) {
        cachedSecond = now;
        cached = QLocale::c()
                     .toString(QDateTime::fromSecsSinceEpoch(now, Qt::UTC),
                         QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                     .toLatin1();
    }
    return cached;
}

} // namespace

QByteArray serializeResponse(const HttpResponse &response, bool keepAlive, int requestMinorVersion,
    const QByteArray &requestId)
{
    const BodyFraming framing = bodyFraming(response, requestMinorVersion);
    if (framing == BodyFraming::UntilClose)
        keepAlive = false;
    QByteArray out;
    out.reserve(192 + response.body.size());
    out += "HTTP/1.1 ";
    out += QByteArray::number(response.status);
    out += ' ';
    out += reasonPhrase(response.status);
    out += "\r\ndate: ";
    out += currentHttpDate();
    out += "\r\nserver: loopscope";
    switch (framing) {
    case BodyFraming::Whole:
        out += "\r\ncontent-length: ";
        out += QByteArray::number(response.body.size());
        break;
    case BodyFraming::Length:
        out += "\r\ncontent-length: ";
        out += QByteArray::number(response.stream->size());
        break;
    case BodyFraming::Chunked:
        out += "\r\ntransfer-encoding: chunked";
        break;
    case BodyFraming::UntilClose:
        break;
    }
    if (!response.contentType.isEmpty()) {
        out += "\r\ncontent-type: ";
        out += response.contentType;
    }
    for (const auto &[name, value] : response.headers) {
        out += "\r\n";
        out += name;
        out += ": ";
        out += value;
    }
    if (!requestId.isEmpty()) {
        out += "\r\nx-request-id: ";
        out += requestId;
    }
    if (!keepAlive)
        out += "\r\nconnection: close";
    else if (requestMinorVersion == 0)
        out += "\r\nconnection: keep-alive"; // HTTP/1.0 clients (ab -k) need to be told
    out += "\r\n\r\n";
    out += response.body;
    return out;
}

} // namespace loopscope::http
