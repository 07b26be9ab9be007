#pragma once

#include "http/httprequest.h"
#include "http/httpresponse.h"
#include "trace/handlervariant.h"

#include <QCoro/QCoroTask>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
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
    QStringList choices; // a string that must be one of these (a Python Enum); empty: any

    // Absent, not required and without a default: the handler gets no value, and no error.
    bool optionalWithoutDefault() const { return !required && defaultValue.isEmpty(); }

    static Param query(const QString &name, const QString &type, bool required,
        const QString &defaultValue = {}, const QString &description = {},
        std::optional<double> minimum = {}, std::optional<double> maximum = {})
    {
        return { name, In::Query, type, required, defaultValue, description, minimum, maximum, {} };
    }
    static Param path(const QString &name, const QString &type = QStringLiteral("integer"))
    {
        return { name, In::Path, type, true, {}, {}, {}, {}, {} };
    }
    // A query string that takes one of `choices`, the first when absent (ParamReader::choice).
    static Param oneOf(const QString &name, const QStringList &choices, const QString &description)
    {
        return { name, In::Query, QStringLiteral("string"), false, choices.value(0), description,
            {}, {}, choices };
    }
};

// The shape of a body a route reads or answers, declared beside the route: /openapi.json lists
// it (a named one under components/schemas, as FastAPI lists a pydantic model), /docs prefills
// "Try it" with its example, and BodyReader checks a request's body against it.
struct Payload
{
    QStringList mediaTypes { QStringLiteral("application/json") }; // the first is the one sent
    QString name; // "ModeChange": a component schema; empty: described inline
    QJsonObject schema; // JSON Schema as OpenAPI 3.0 has it; empty: any JSON
    QJsonValue example;

    bool isJson() const { return mediaTypes.value(0) == u"application/json"; }
    static Payload json(QString name, QJsonObject schema, QJsonValue example = {})
    {
        return { { QStringLiteral("application/json") }, std::move(name), std::move(schema),
            std::move(example) };
    }
    // {"message": "..."}, the answer of many routes.
    static Payload message();
    static Payload text(QStringList mediaTypes, QJsonValue example = {})
    {
        return { std::move(mediaTypes), {},
            { { QStringLiteral("type"), QStringLiteral("string") } }, std::move(example) };
    }
};

// JSON Schema building blocks for Payload::schema.
namespace schema {
QJsonObject string(const QString &description = {});
QJsonObject integer(const QString &description = {});
QJsonObject number(const QString &description = {});
QJsonObject boolean(const QString &description = {});
QJsonObject anyObject(const QString &description = {}); // an object with keys not listed here
QJsonObject arrayOf(const QJsonObject &items);
QJsonObject bounded(
    QJsonObject schema, std::optional<double> minimum, std::optional<double> maximum);
QJsonObject oneOf(QJsonObject schema, const QStringList &values); // an enum of strings
QJsonObject nullable(QJsonObject schema);
// A named Payload's schema by its name, as FastAPI refers to a model ("#/components/schemas/Post").
QJsonObject reference(const QString &name);
// An object with these properties, `required` of them always there. A closed one refuses
// fields it does not list (pydantic's extra = forbid).
QJsonObject object(const QJsonObject &properties, const QStringList &required = {});
QJsonObject closedObject(const QJsonObject &properties, const QStringList &required = {});
} // namespace schema

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
    // The body the handler reads (through BodyReader), when it reads one.
    std::optional<Payload> requestBody = std::nullopt;
    // What a successful call answers, with its status (FastAPI's status_code).
    Payload answer = Payload();
    int answerStatus = 200;

    Route accepting(Payload body) &&
    {
        requestBody = std::move(body);
        return std::move(*this);
    }
    Route answering(Payload payload, int status = 200) &&
    {
        answer = std::move(payload);
        answerStatus = status;
        return std::move(*this);
    }
    // An error the handler answers beyond those /openapi.json derives from the route itself
    // (404 for a path parameter, 422, 503 for a missing service): a failing upstream's 502, a
    // full task table's 503. Its body is FastAPI's {"detail": ...}.
    struct Failure
    {
        int status;
        QString description;
    };
    QList<Failure> failures = QList<Failure>();
    Route failing(int status, QString description) &&
    {
        failures.append({ status, std::move(description) });
        return std::move(*this);
    }

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

// Reads a request's body as its route declares it (Route::requestBody), as ParamReader reads
// parameters: the schema /openapi.json shows is the one enforced, with FastAPI's 422 (or a 415
// for a media type the route does not take) when the body does not fit.
class BodyReader
{
public:
    BodyReader(const Route &route, const http::HttpRequest &request)
        : m_route(route)
        , m_request(request)
    { }

    // The JSON object, its declared fields present and of their declared types and bounds.
    QJsonObject object();
    // The bytes, sent as one of the declared media types (or as none).
    QByteArray bytes();

    bool ok() const { return !m_error; }
    http::HttpResponse errorResponse() const { return *m_error; }

private:
    bool declared();

    const Route &m_route;
    const http::HttpRequest &m_request;
    std::optional<http::HttpResponse> m_error;
};

// The 422 issues of `value` against `schema` at `location`, pydantic v1's messages; none when it
// fits. Checks types, required and unknown fields, bounds and string enums.
QJsonArray schemaIssues(const QJsonObject &schema, const QJsonValue &value, QJsonArray location);

} // namespace loopscope
