#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <utility>
#include <vector>

namespace loopscope::http {

struct HttpResponse
{
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QByteArray body;
    std::vector<std::pair<QByteArray, QByteArray>> headers;

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    // FastAPI's HTTPException shape: {"detail": "..."}
    static HttpResponse detail(int status, const QString &detail);
    static HttpResponse text(QByteArray body, QByteArray contentType, int status = 200);
};

QByteArray reasonPhrase(int status);

// Serialises status line, headers and body. `requestId` is echoed as X-Request-Id.
QByteArray serializeResponse(const HttpResponse &response, bool keepAlive, int requestMinorVersion,
    const QByteArray &requestId);

} // namespace loopscope::http
