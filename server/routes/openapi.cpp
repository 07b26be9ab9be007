#include "openapi.h"

#include "redocpage.h"
#include "routing/requestcontext.h"
#include "routing/router.h"
#include "trace/handlervariant.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace loopscope {

using http::HttpResponse;

namespace {

QString titleCase(const QString &name)
{
    // FastAPI titles parameters "user_id" -> "User Id".
    QStringList words = name.split(u'_', Qt::SkipEmptyParts);
    for (QString &word : words)
        word[0] = word[0].toUpper();
    return words.join(u' ');
}

QJsonObject parameter(const Param &doc)
{
    QJsonObject schema { { QStringLiteral("type"), doc.type },
        { QStringLiteral("title"), titleCase(doc.name) } };
    if (!doc.defaultValue.isEmpty()) {
        bool numeric = false;
        const double value = doc.defaultValue.toDouble(&numeric);
        schema.insert(QStringLiteral("default"),
            numeric && doc.type != u"string" ? QJsonValue(value) : QJsonValue(doc.defaultValue));
    }
    if (doc.minimum)
        schema.insert(QStringLiteral("minimum"), *doc.minimum);
    if (doc.maximum)
        schema.insert(QStringLiteral("maximum"), *doc.maximum);
    if (!doc.choices.isEmpty())
        schema.insert(QStringLiteral("enum"), QJsonArray::fromStringList(doc.choices));
    QJsonObject object { { QStringLiteral("name"), doc.name },
        { QStringLiteral("in"),
            doc.in == Param::In::Path ? QStringLiteral("path") : QStringLiteral("query") },
        { QStringLiteral("required"), doc.required }, { QStringLiteral("schema"), schema } };
    if (!doc.description.isEmpty())
        object.insert(QStringLiteral("description"), doc.description);
    return object;
}

QJsonObject jsonContent(const QJsonObject &schema)
{
    return { { QStringLiteral("application/json"),
        QJsonObject { { QStringLiteral("schema"), schema } } } };
}

QJsonObject reference(const QString &name)
{
    return schema::reference(name);
}

// A payload's schema as an operation shows it: a reference to its component when named.
QJsonObject content(const Payload &payload)
{
    QJsonObject media { { QStringLiteral("schema"),
        payload.name.isEmpty() ? payload.schema : reference(payload.name) } };
    if (!payload.example.isUndefined() && !payload.example.isNull())
        media.insert(QStringLiteral("example"), payload.example);
    QJsonObject object;
    for (const QString &type : payload.mediaTypes)
        object.insert(type, media);
    return object;
}

// FastAPI titles a model's fields after their names ("user_id" -> "User Id"), nested ones too.
QJsonObject titled(QJsonObject schema)
{
    QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        QJsonObject property = titled(it.value().toObject());
        if (!property.contains(QStringLiteral("$ref"))
            && !property.contains(QStringLiteral("title")))
            property.insert(QStringLiteral("title"), titleCase(it.key()));
        it.value() = property;
    }
    if (!properties.isEmpty())
        schema.insert(QStringLiteral("properties"), properties);
    if (schema.contains(QStringLiteral("items")))
        schema.insert(
            QStringLiteral("items"), titled(schema.value(QStringLiteral("items")).toObject()));
    return schema;
}

QJsonObject components(const Router &router)
{
    const QJsonObject validationError { { QStringLiteral("title"),
                                            QStringLiteral("ValidationError") },
        { QStringLiteral("type"), QStringLiteral("object") },
        { QStringLiteral("required"),
            QJsonArray { QStringLiteral("loc"), QStringLiteral("msg"), QStringLiteral("type") } },
        { QStringLiteral("properties"),
            QJsonObject { { QStringLiteral("loc"),
                              QJsonObject { { QStringLiteral("title"), QStringLiteral("Location") },
                                  { QStringLiteral("type"), QStringLiteral("array") },
                                  { QStringLiteral("items"),
                                      QJsonObject { { QStringLiteral("anyOf"),
                                          QJsonArray { QJsonObject { { QStringLiteral("type"),
                                                           QStringLiteral("string") } },
                                              QJsonObject { { QStringLiteral("type"),
                                                  QStringLiteral("integer") } } } } } } } },
                { QStringLiteral("msg"),
                    QJsonObject { { QStringLiteral("title"), QStringLiteral("Message") },
                        { QStringLiteral("type"), QStringLiteral("string") } } },
                { QStringLiteral("type"),
                    QJsonObject { { QStringLiteral("title"), QStringLiteral("Error Type") },
                        { QStringLiteral("type"), QStringLiteral("string") } } } } } };
    const QJsonObject httpValidationError { { QStringLiteral("title"),
                                                QStringLiteral("HTTPValidationError") },
        { QStringLiteral("type"), QStringLiteral("object") },
        { QStringLiteral("properties"),
            QJsonObject { { QStringLiteral("detail"),
                QJsonObject { { QStringLiteral("title"), QStringLiteral("Detail") },
                    { QStringLiteral("type"), QStringLiteral("array") },
                    { QStringLiteral("items"),
                        reference(QStringLiteral("ValidationError")) } } } } } };
    const QJsonObject httpError { { QStringLiteral("title"), QStringLiteral("HTTPError") },
        { QStringLiteral("type"), QStringLiteral("object") },
        { QStringLiteral("properties"),
            QJsonObject { { QStringLiteral("detail"),
                QJsonObject { { QStringLiteral("title"), QStringLiteral("Detail") },
                    { QStringLiteral("type"), QStringLiteral("string") } } } } } };
    QJsonObject schemas { { QStringLiteral("ValidationError"), validationError },
        { QStringLiteral("HTTPValidationError"), httpValidationError },
        { QStringLiteral("HTTPError"), httpError } };
    for (const Route &route : router.routes()) {
        for (const Payload *payload :
            { route.requestBody ? &*route.requestBody : nullptr, &route.answer }) {
            if (payload && !payload->name.isEmpty()) {
                QJsonObject model = titled(payload->schema);
                model.insert(QStringLiteral("title"), payload->name);
                schemas.insert(payload->name, model);
            }
        }
    }
    return { { QStringLiteral("schemas"), schemas } };
}

QJsonObject operation(const Route &route)
{
    QJsonArray parameters;
    bool hasPathParameter = false;
    for (const Param &doc : route.params) {
        parameters.append(parameter(doc));
        hasPathParameter = hasPathParameter || doc.in == Param::In::Path;
    }
    auto response = [](const QString &description, const QJsonObject &media) {
        QJsonObject object { { QStringLiteral("description"), description } };
        if (!media.isEmpty())
            object.insert(QStringLiteral("content"), media);
        return object;
    };
    QJsonObject responses { { QString::number(route.answerStatus),
        response(route.answerStatus == 201 ? QStringLiteral("Created")
                                           : QStringLiteral("Successful Response"),
            content(route.answer)) } };
    const QJsonObject httpError = jsonContent(reference(QStringLiteral("HTTPError")));
    if (hasPathParameter)
        responses.insert(QStringLiteral("404"), response(QStringLiteral("Not Found"), httpError));
    if (route.requestBody && !route.requestBody->isJson())
        responses.insert(
            QStringLiteral("415"), response(QStringLiteral("Unsupported Media Type"), httpError));
    if (!route.params.isEmpty() || route.requestBody)
        responses.insert(QStringLiteral("422"),
            response(QStringLiteral("Validation Error"),
                jsonContent(reference(QStringLiteral("HTTPValidationError")))));
    if (!route.needs.isEmpty())
        responses.insert(QStringLiteral("503"),
            response(QStringLiteral("Service Unavailable: no %1").arg(route.needs), httpError));
    for (const Route::Failure &failure : route.failures) {
        const QString status = QString::number(failure.status);
        const QString already
            = responses.value(status).toObject().value(QStringLiteral("description")).toString();
        responses.insert(status,
            response(already.isEmpty() ? failure.description
                                       : already + QStringLiteral("; or ") + failure.description,
                httpError));
    }
    QString operationId = route.key().toLower();
    operationId.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("_"));
    QJsonObject object { { QStringLiteral("summary"), route.summary },
        { QStringLiteral("operationId"), operationId },
        { QStringLiteral("tags"),
            QJsonArray { !route.internal   ? QStringLiteral("course")
                    : route.isControlApi() ? QStringLiteral("loopscope control")
                                           : QStringLiteral("loopscope") } },
        { QStringLiteral("responses"), responses } };
    if (!parameters.isEmpty())
        object.insert(QStringLiteral("parameters"), parameters);
    if (route.requestBody)
        object.insert(QStringLiteral("requestBody"),
            QJsonObject { { QStringLiteral("required"), true },
                { QStringLiteral("content"), content(*route.requestBody) } });
    if (!route.internal) {
        object.insert(
            QStringLiteral("x-variants"), QJsonArray::fromStringList(variantNames(route.variants)));
        object.insert(QStringLiteral("x-default-variant"), variantName(route.defaultVariant));
    }
    return object;
}

} // namespace

QJsonObject openApiDocument(const Router &router)
{
    QJsonObject paths;
    for (const Route &route : router.routes()) {
        QJsonObject item = paths.value(route.pattern).toObject();
        item.insert(QString::fromLatin1(route.method).toLower(), operation(route));
        paths.insert(route.pattern, item);
    }
    return { { QStringLiteral("openapi"), QStringLiteral("3.0.2") },
        { QStringLiteral("info"),
            QJsonObject {
                { QStringLiteral("title"), QStringLiteral("Loopscope: FastAPI async course") },
                { QStringLiteral("version"), QStringLiteral("0.1.0") },
                { QStringLiteral("description"),
                    QStringLiteral("Every example of the course, each route switchable between "
                                   "async, threadpool and blocking variants, and no-await where "
                                   "the forgotten await is shown (x-variants).") } } },
        { QStringLiteral("paths"), paths }, { QStringLiteral("components"), components(router) } };
}

void addDocsRoutes(Router &router)
{
    auto add = [&router](QString path, QString summary, Payload answer, Route::Handler handler) {
        router.add(Route::docs("GET", std::move(path), std::move(summary), std::move(handler))
                       .answering(std::move(answer)));
    };
    const Payload html = Payload::text({ QStringLiteral("text/html") });
    const Router *table = &router;
    add(QStringLiteral("/openapi.json"), QStringLiteral("This API as OpenAPI 3"),
        Payload::json({}, schema::anyObject(QStringLiteral("an OpenAPI 3.0 document"))),
        [table](RequestContext &) -> QCoro::Task<HttpResponse> {
            // Built on first use: the route table is complete by then and never changes.
            static const QByteArray document
                = QJsonDocument(openApiDocument(*table)).toJson(QJsonDocument::Compact);
            co_return HttpResponse::text(document, "application/json");
        });
    add(QStringLiteral("/docs"), QStringLiteral("Interactive API docs"), html,
        [](RequestContext &) -> QCoro::Task<HttpResponse> {
            static const QByteArray page = [] {
                QFile file(QStringLiteral(":/loopscope/docs.html"));
                return file.open(QIODevice::ReadOnly) ? file.readAll()
                                                      : QByteArray("docs page missing");
            }();
            co_return HttpResponse::text(page, "text/html; charset=utf-8");
        });
    add(QStringLiteral("/redoc"), QStringLiteral("API reference: every route, body and answer"),
        html, [table](RequestContext &) -> QCoro::Task<HttpResponse> {
            static const QByteArray page = referencePage(openApiDocument(*table));
            co_return HttpResponse::text(page, "text/html; charset=utf-8");
        });
}

} // namespace loopscope
