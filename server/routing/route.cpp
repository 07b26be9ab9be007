#include "route.h"

#include "http/validationerror.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <cmath>

namespace loopscope {

Route needing(Route route, QString service, bool present, http::HttpResponse unavailable)
{
    route.needs = std::move(service);
    if (!present) {
        // A copy per request: QCoro 0.8 moves whatever lvalue is co_returned, and the captured
        // answer must stay whole for the next one.
        route.handler = [unavailable = std::move(unavailable)](
                            RequestContext &) -> QCoro::Task<http::HttpResponse> {
            co_return http::HttpResponse(unavailable);
        };
    }
    return route;
}

namespace schema {

namespace {

QJsonObject typed(const char *type, const QString &description)
{
    QJsonObject object { { QStringLiteral("type"), QLatin1String(type) } };
    if (!description.isEmpty())
        object.insert(QStringLiteral("description"), description);
    return object;
}

} // namespace

QJsonObject string(const QString &description)
{
    return typed("string", description);
}

QJsonObject integer(const QString &description)
{
    return typed("integer", description);
}

QJsonObject number(const QString &description)
{
    return typed("number", description);
}

QJsonObject boolean(const QString &description)
{
    return typed("boolean", description);
}

QJsonObject anyObject(const QString &description)
{
    return typed("object", description);
}

QJsonObject arrayOf(const QJsonObject &items)
{
    return { { QStringLiteral("type"), QStringLiteral("array") },
        { QStringLiteral("items"), items } };
}

QJsonObject bounded(
    QJsonObject schema, std::optional<double> minimum, std::optional<double> maximum)
{
    if (minimum)
        schema.insert(QStringLiteral("minimum"), *minimum);
    if (maximum)
        schema.insert(QStringLiteral("maximum"), *maximum);
    return schema;
}

QJsonObject oneOf(QJsonObject schema, const QStringList &values)
{
    schema.insert(QStringLiteral("enum"), QJsonArray::fromStringList(values));
    return schema;
}

QJsonObject nullable(QJsonObject schema)
{
    schema.insert(QStringLiteral("nullable"), true);
    return schema;
}

QJsonObject reference(const QString &name)
{
    return { { QStringLiteral("$ref"), QString(QStringLiteral("#/components/schemas/") + name) } };
}

QJsonObject object(const QJsonObject &properties, const QStringList &required)
{
    QJsonObject object { { QStringLiteral("type"), QStringLiteral("object") },
        { QStringLiteral("properties"), properties } };
    if (!required.isEmpty())
        object.insert(QStringLiteral("required"), QJsonArray::fromStringList(required));
    return object;
}

QJsonObject closedObject(const QJsonObject &properties, const QStringList &required)
{
    QJsonObject closed = object(properties, required);
    closed.insert(QStringLiteral("additionalProperties"), false);
    return closed;
}

} // namespace schema

Payload Payload::message()
{
    return json(QStringLiteral("Message"),
        schema::object(
            { { QStringLiteral("message"), schema::string() } }, { QStringLiteral("message") }));
}

namespace {

// pydantic v1's words for a value of the wrong type.
std::pair<QString, QString> typeMismatch(const QString &type)
{
    if (type == u"string")
        return { QStringLiteral("str type expected"), QStringLiteral("type_error.str") };
    if (type == u"integer")
        return { QStringLiteral("value is not a valid integer"),
            QStringLiteral("type_error.integer") };
    if (type == u"number")
        return { QStringLiteral("value is not a valid float"), QStringLiteral("type_error.float") };
    if (type == u"boolean")
        return { QStringLiteral("value could not be parsed to a boolean"),
            QStringLiteral("type_error.bool") };
    if (type == u"array")
        return { QStringLiteral("value is not a valid list"), QStringLiteral("type_error.list") };
    return { QStringLiteral("value is not a valid dict"), QStringLiteral("type_error.dict") };
}

bool hasType(const QJsonValue &value, const QString &type)
{
    if (type == u"string")
        return value.isString();
    if (type == u"number")
        return value.isDouble();
    if (type == u"integer")
        return value.isDouble() && value.toDouble() == std::floor(value.toDouble())
            && std::abs(value.toDouble()) < 9e15;
    if (type == u"boolean")
        return value.isBool();
    if (type == u"array")
        return value.isArray();
    if (type == u"object")
        return value.isObject();
    return true;
}

QJsonValue limitValue(double limit)
{
    if (limit == std::floor(limit) && std::abs(limit) < 1e15)
        return qint64(limit);
    return limit;
}

QJsonArray at(QJsonArray location, const QJsonValue &step)
{
    location.append(step);
    return location;
}

} // namespace

QJsonArray schemaIssues(const QJsonObject &schema, const QJsonValue &value, QJsonArray location)
{
    QJsonArray issues;
    const QString type = schema.value(QStringLiteral("type")).toString();
    if (value.isNull() && schema.value(QStringLiteral("nullable")).toBool())
        return issues;
    if (!type.isEmpty() && !hasType(value, type)) {
        const auto [message, kind] = typeMismatch(type);
        issues.append(http::validationIssue(location, message, kind));
        return issues;
    }
    if (value.isDouble()) {
        const double number = value.toDouble();
        // Written as "not within", as ParamReader's bounds are.
        if (const QJsonValue ge = schema.value(QStringLiteral("minimum"));
            ge.isDouble() && !(number >= ge.toDouble())) {
            issues.append(http::validationIssue(location,
                QStringLiteral("ensure this value is greater than or equal to %1")
                    .arg(limitValue(ge.toDouble()).toVariant().toString()),
                QStringLiteral("value_error.number.not_ge"),
                { { QStringLiteral("limit_value"), limitValue(ge.toDouble()) } }));
        } else if (const QJsonValue le = schema.value(QStringLiteral("maximum"));
                   le.isDouble() && !(number <= le.toDouble())) {
            issues.append(http::validationIssue(location,
                QStringLiteral("ensure this value is less than or equal to %1")
                    .arg(limitValue(le.toDouble()).toVariant().toString()),
                QStringLiteral("value_error.number.not_le"),
                { { QStringLiteral("limit_value"), limitValue(le.toDouble()) } }));
        }
    }
    if (const QJsonArray allowed = schema.value(QStringLiteral("enum")).toArray();
        !allowed.isEmpty() && !allowed.contains(value)) {
        issues.append(http::enumIssue(location, allowed));
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
        for (const QJsonValue &name : schema.value(QStringLiteral("required")).toArray()) {
            if (!object.contains(name.toString()))
                issues.append(http::validationIssue(at(location, name),
                    QStringLiteral("field required"), QStringLiteral("value_error.missing")));
        }
        const bool closed = schema.value(QStringLiteral("additionalProperties")) == false;
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (properties.contains(it.key())) {
                for (const QJsonValue &issue : schemaIssues(
                         properties.value(it.key()).toObject(), it.value(), at(location, it.key())))
                    issues.append(issue);
            } else if (closed) {
                issues.append(http::validationIssue(at(location, it.key()),
                    QStringLiteral("extra fields not permitted"),
                    QStringLiteral("value_error.extra")));
            }
        }
    }
    if (value.isArray() && schema.contains(QStringLiteral("items"))) {
        const QJsonArray array = value.toArray();
        const QJsonObject items = schema.value(QStringLiteral("items")).toObject();
        for (qsizetype i = 0; i < array.size(); ++i) {
            for (const QJsonValue &issue : schemaIssues(items, array.at(i), at(location, int(i))))
                issues.append(issue);
        }
    }
    return issues;
}

bool BodyReader::declared()
{
    if (m_route.requestBody)
        return true;
    // A handler reading a body its route does not declare: /openapi.json would not show it.
    m_error = http::HttpResponse::detail(
        500, QStringLiteral("%1 reads a body it does not declare").arg(m_route.key()));
    return false;
}

QJsonObject BodyReader::object()
{
    if (!declared())
        return {};
    if (m_request.body.trimmed().isEmpty()) {
        // FastAPI's answer to a required body that was not sent.
        m_error = http::validationError(http::bodyLocation(), QStringLiteral("field required"),
            QStringLiteral("value_error.missing"));
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(m_request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        m_error = http::validationError(http::bodyLocation(),
            QStringLiteral("invalid JSON: %1").arg(parseError.errorString()),
            QStringLiteral("value_error.jsondecode"));
        return {};
    }
    const QJsonValue value = document.isObject() ? QJsonValue(document.object())
        : document.isArray()                     ? QJsonValue(document.array())
                                                 : QJsonValue();
    const QJsonArray issues
        = schemaIssues(m_route.requestBody->schema, value, http::bodyLocation());
    if (!issues.isEmpty()) {
        m_error = http::validationErrors(issues);
        return {};
    }
    return document.object();
}

QByteArray BodyReader::bytes()
{
    if (!declared())
        return {};
    const QByteArray type = m_request.header("content-type").toLower();
    if (type.isEmpty())
        return m_request.body;
    for (const QString &accepted : m_route.requestBody->mediaTypes) {
        if (type.startsWith(accepted.toLatin1()))
            return m_request.body;
    }
    m_error = http::HttpResponse::detail(415,
        QStringLiteral("Unsupported Media Type: send %1")
            .arg(m_route.requestBody->mediaTypes.join(QStringLiteral(" or "))));
    return {};
}

} // namespace loopscope
