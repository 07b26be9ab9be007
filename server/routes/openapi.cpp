#include "openapi.h"

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
    return { { QStringLiteral("$ref"), QString(QStringLiteral("#/components/schemas/") + name) } };
}

QJsonObject components()
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
    return { { QStringLiteral("schemas"),
        QJsonObject { { QStringLiteral("ValidationError"), validationError },
            { QStringLiteral("HTTPValidationError"), httpValidationError },
            { QStringLiteral("HTTPError"), httpError } } } };
}

QJsonObject operation(const Route &route)
{
    QJsonArray parameters;
    bool hasPathParameter = false;
    for (const Param &doc : route.params) {
        parameters.append(parameter(doc));
        hasPathParameter = hasPathParameter || doc.in == Param::In::Path;
    }
    QJsonObject responses { { QStringLiteral("200"),
        QJsonObject { { QStringLiteral("description"), QStringLiteral("Successful Response") },
            { QStringLiteral("content"), jsonContent({}) } } } };
    if (hasPathParameter)
        responses.insert(QStringLiteral("404"),
            QJsonObject { { QStringLiteral("description"), QStringLiteral("Not Found") },
                { QStringLiteral("content"),
                    jsonContent(reference(QStringLiteral("HTTPError"))) } });
    if (!route.params.isEmpty())
        responses.insert(QStringLiteral("422"),
            QJsonObject { { QStringLiteral("description"), QStringLiteral("Validation Error") },
                { QStringLiteral("content"),
                    jsonContent(reference(QStringLiteral("HTTPValidationError"))) } });
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
        { QStringLiteral("paths"), paths }, { QStringLiteral("components"), components() } };
}

void addDocsRoutes(Router &router)
{
    auto add = [&router](QString path, QString summary, Route::Handler handler) {
        router.add(Route::docs("GET", std::move(path), std::move(summary), std::move(handler)));
    };
    const Router *table = &router;
    add(QStringLiteral("/openapi.json"), QStringLiteral("This API as OpenAPI 3"),
        [table](RequestContext &) -> QCoro::Task<HttpResponse> {
            // Built on first use: the route table is complete by then and never changes.
            static const QByteArray document
                = QJsonDocument(openApiDocument(*table)).toJson(QJsonDocument::Compact);
            co_return HttpResponse::text(document, "application/json");
        });
    add(QStringLiteral("/docs"), QStringLiteral("Interactive API docs"),
        [](RequestContext &) -> QCoro::Task<HttpResponse> {
            static const QByteArray page = [] {
                QFile file(QStringLiteral(":/loopscope/docs.html"));
                return file.open(QIODevice::ReadOnly) ? file.readAll()
                                                      : QByteArray("docs page missing");
            }();
            co_return HttpResponse::text(page, "text/html; charset=utf-8");
        });
}

} // namespace loopscope
