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

// "example:8000" -> "example", "[::1]:8000" -> "::1"; lower case.
QString hostName(QByteArrayView host)
{
    if (host.startsWith('[')) {
        const qsizetype close = host.indexOf(']');
        return close < 0 ? QString() : QString::fromLatin1(host.sliced(1, close - 1)).toLower();
    }
    const qsizetype colon = host.lastIndexOf(':');
    return QString::fromLatin1(colon < 0 ? host : host.first(colon)).toLower();
}

bool changesState(QByteArrayView method)
{
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

// Judged on the head too, before the body arrives (Expect: 100-continue).
bool declaresBody(const http::HttpRequest &request)
{
    const QByteArray length = request.header("content-length");
    return !request.body.isEmpty() || !request.header("transfer-encoding").isEmpty()
        || (!length.isEmpty() && length != "0");
}

bool isJson(QByteArrayView contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArrayView mediaType
        = (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed();
    return mediaType.compare("application/json", Qt::CaseInsensitive) == 0;
}

} // namespace

ControlAccess ControlAccess::resolve(
    const QHostAddress &bindAddress, bool enabled, QByteArray token, QStringList extraHosts)
{
    ControlAccess access;
    if (!enabled)
        access.m_mode = Mode::Off;
    else if (!token.isEmpty())
        access.m_mode = Mode::Token;
    else
        access.m_mode = bindAddress.isLoopback() ? Mode::Open : Mode::Off;
    access.m_token = std::move(token);
    for (const QString &host : extraHosts)
        access.m_extraHosts << host.toLower();
    return access;
}

bool ControlAccess::isTrustedHost(QByteArrayView host) const
{
    if (host.isEmpty())
        return true;
    const QString name = hostName(host);
    if (name == u"localhost" || name.endsWith(u".localhost") || m_extraHosts.contains(name))
        return true;
    const QHostAddress address(name);
    return !address.isNull() && address.isLoopback();
}

std::optional<http::HttpResponse> ControlAccess::checkCaller(const http::HttpRequest &request) const
{
    switch (m_mode) {
    case Mode::Off:
        return http::HttpResponse::detail(404, QStringLiteral("Not Found"));
    case Mode::Open:
        // A token already proves the caller is no page that rebound its name: only open mode
        // needs the Host to name this machine.
        if (!isTrustedHost(request.header("host"))) {
            return http::HttpResponse::detail(403,
                QStringLiteral("Host %1 is not allowed to use the control API "
                               "(loopback names only; add one with --control-host)")
                    .arg(QString::fromLatin1(request.header("host"))));
        }
        return std::nullopt;
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

std::optional<http::HttpResponse> ControlAccess::admit(
    const http::HttpRequest &request, const Router::Match &match) const
{
    if (!match.touchesControlApi)
        return std::nullopt;
    if (auto refusal = checkCaller(request))
        return refusal;
    // A body without a type is refused too; no body at all is the route's own 422.
    if (match.kind == Router::Match::Kind::Found && changesState(request.method)
        && declaresBody(request) && !isJson(request.header("content-type"))) {
        return http::HttpResponse::detail(
            415, QStringLiteral("Unsupported Media Type: send the body as application/json"));
    }
    return std::nullopt;
}

} // namespace loopscope
