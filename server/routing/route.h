#pragma once

#include "http/httpresponse.h"
#include "trace/handlervariant.h"

#include <QCoro/QCoroTask>
#include <QString>
#include <functional>
#include <optional>

namespace loopscope {

struct RequestContext;

// A route's parameter, declared once: the handler reads it through this declaration
// (ParamReader::integer/number/string: where it is, its type, bounds and default), and
// /openapi.json and /docs describe it from the same one, so the two cannot disagree.
struct Param
{
    enum class In
    {
        Path,
        Query
    };
    QString name;
    In in = In::Query;
    QString type; // "integer", "number", "string"
    bool required = false;
    QString defaultValue;
    QString description;
    std::optional<double> minimum; // inclusive bounds, as validated (FastAPI's ge/le)
    std::optional<double> maximum;

    // Absent, not required and without a default: the handler gets no value, and no error.
    bool optionalWithoutDefault() const { return !required && defaultValue.isEmpty(); }

    static Param query(const QString &name, const QString &type, bool required,
        const QString &defaultValue = {}, const QString &description = {},
        std::optional<double> minimum = {}, std::optional<double> maximum = {})
    {
        return { name, In::Query, type, required, defaultValue, description, minimum, maximum };
    }
    static Param path(const QString &name, const QString &type = QStringLiteral("integer"))
    {
        return { name, In::Path, type, true, {}, {}, {}, {} };
    }
};

struct Route
{
    using Handler = std::function<QCoro::Task<http::HttpResponse>(RequestContext &)>;

    QByteArray method;
    QString pattern; // "/users/{user_id}"
    QString summary;
    std::uint8_t variants = variantBit(HandlerVariant::Async);
    HandlerVariant defaultVariant = HandlerVariant::Async;
    QList<Param> params;
    Handler handler;
    bool internal = false; // Loopscope's own (control API, docs): no variants, not the course's
    // Who may call it. Decided on the route a request matched, never on its raw target, so no
    // spelling of a path (`/%5fscope/modes`) reaches a control route past its access check.
    enum class Access
    {
        Public,
        ControlApi // the /_scope/ API: see ControlAccess
    };
    Access access = Access::Public;
    // The service the route cannot work without ("database", "outbound"); empty when none.
    // Set by needing(), which also decides the answer while the service is absent.
    QString needs = QString();

    QString key() const { return QString::fromLatin1(method) + u' ' + pattern; }
    bool isControlApi() const { return access == Access::ControlApi; }

    // A route of the /_scope/ control API: no variants, behind ControlAccess.
    static Route control(QByteArray method, QString pattern, QString summary, Handler handler)
    {
        Route route
            = docs(std::move(method), std::move(pattern), std::move(summary), std::move(handler));
        route.access = Access::ControlApi;
        return route;
    }
    // A public route of Loopscope's own (/docs, /openapi.json): no variants, open to all.
    static Route docs(QByteArray method, QString pattern, QString summary, Handler handler)
    {
        Route route;
        route.method = std::move(method);
        route.pattern = std::move(pattern);
        route.summary = std::move(summary);
        route.handler = std::move(handler);
        route.internal = true;
        return route;
    }
};

// `route`, which cannot work without `service`. Decided once, when the routes are wired: with
// the service absent, the route answers `unavailable` (a 503) and its handler is never called,
// so no handler tests for the service.
Route needing(Route route, QString service, bool present, http::HttpResponse unavailable);

} // namespace loopscope
