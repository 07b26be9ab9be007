#include "controlaccess.h"

namespace loopscope {

namespace {

// Compares in time that depends on the lengths only, so the answer time does not tell an
// attacker how many leading bytes of a guess were right.
bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

QByteArray presentedToken(const http::HttpRequest &request)
{
    const QByteArray authorization = request.header("authorization");
    if (authorization.size() > 7
        && QByteArrayView(authorization).first(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return authorization.sliced(7).trimmed();
    return request.header("x-scope-token");
}

http::HttpResponse unauthorized(const QString &detail)
{
    http::HttpResponse response = http::HttpResponse::detail(401, detail);
    response.headers.emplace_back(
        QByteArrayLiteral("www-authenticate"), QByteArrayLiteral("Bearer"));
    return response;
}

} // namespace

ControlAccess ControlAccess::resolve(
    const QHostAddress &bindAddress, bool enabled, QByteArray token)
{
    ControlAccess access;
    if (!enabled)
        access.m_mode = Mode::Off;
    else if (!token.isEmpty())
        access.m_mode = Mode::Token;
    else
        access.m_mode = bindAddress.isLoopback() ? Mode::Open : Mode::Off;
    access.m_token = std::move(token);
    return access;
}

std::optional<http::HttpResponse> ControlAccess::check(const http::HttpRequest &request) const
{
    switch (m_mode) {
    case Mode::Open:
        return std::nullopt;
    case Mode::Off:
        return http::HttpResponse::detail(404, QStringLiteral("Not Found"));
    case Mode::Token:
        break;
    }
    const QByteArray presented = presentedToken(request);
    if (presented.isEmpty())
        return unauthorized(QStringLiteral("Not authenticated"));
    if (!constantTimeEquals(presented, m_token))
        return unauthorized(QStringLiteral("Invalid control token"));
    return std::nullopt;
}

} // namespace loopscope
