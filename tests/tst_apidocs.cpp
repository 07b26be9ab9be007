// The API's own description: each route's request body and answers declared once, beside the
// route, read through that declaration (BodyReader), and shown from it by /openapi.json, /docs
// and /redoc. Found by walking the route table, not by listing routes.
#include "routes/openapi.h"
#include "routes/redocpage.h"
#include "support/httptestclient.h"
#include "support/routetable.h"
#include "support/serverfixture.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace loopscope;
using namespace loopscope::testing;

namespace {

// Every "$ref" anywhere in `value`.
void collectReferences(const QJsonValue &value, QStringList &references)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (it.key() == u"$ref")
                references << it.value().toString();
            else
                collectReferences(it.value(), references);
        }
    } else if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            collectReferences(item, references);
    }
}

// A media entry's schema, its reference followed.
QJsonObject resolved(const QJsonObject &schema, const QJsonObject &schemas)
{
    if (!schema.contains(QStringLiteral("$ref")))
        return schema;
    return schemas.value(schema.value(QStringLiteral("$ref")).toString().section(u'/', -1))
        .toObject();
}

http::HttpRequest request(const QByteArray &body, const QByteArray &contentType = {})
{
    http::HttpRequest request;
    request.method = "PUT";
    request.body = body;
    if (!contentType.isEmpty())
        request.headers.emplace_back("content-type", contentType);
    return request;
}

QByteArray rawRequest(const Route &route, const QByteArray &body, const QString &mediaType)
{
    QByteArray head = route.method + ' ' + route.pattern.toUtf8()
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n";
    if (!mediaType.isEmpty())
        head += "Content-Type: " + mediaType.toLatin1() + "\r\n";
    return head + "\r\n" + body;
}

QByteArray exampleBytes(const Payload &payload)
{
    if (payload.example.isString())
        return payload.example.toString().toUtf8();
    return QJsonDocument(payload.example.toObject()).toJson(QJsonDocument::Compact);
}

} // namespace

class TestApiDocs : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void openApiDocumentHoldsTogether();
    void openApiDocumentPassesTheValidator();
    void everyDeclaredExampleFitsItsSchema();
    void bodiesAreReadOnlyThroughTheirDeclaration();
    void bodyReaderAnswersFastApiShapes_data();
    void bodyReaderAnswersFastApiShapes();
    void declaredExampleIsAccepted_data();
    void declaredExampleIsAccepted();
    void referencePageListsEveryRoute();
    void referencePageEscapesTheTable();
    void docsPageSendsTheDeclaredBody();
    void failureAnswersAreDeclared();
    void everyDeclaredChoiceIsWhatTheHandlerAccepts();

private:
    RouteTable m_table; // only read: its handlers are not called here
    QJsonObject m_document;
    std::unique_ptr<ServerHost> m_host;
};

void TestApiDocs::initTestCase()
{
    m_host = startServer();
    const TestResponse response = fetch(m_host->port(), "GET", "/openapi.json");
    QCOMPARE(response.status, 200);
    m_document = response.json().object();
    QVERIFY(!m_document.isEmpty());
}

// What the OpenAPI 3.0 schema checks and a little more it cannot: references resolve, path
// templates match their parameters, ids are unique, and every success names its shape.
void TestApiDocs::openApiDocumentHoldsTogether()
{
    QVERIFY(m_document.value(QStringLiteral("openapi")).toString().startsWith(u"3.0."));
    const QJsonObject info = m_document.value(QStringLiteral("info")).toObject();
    QVERIFY(!info.value(QStringLiteral("title")).toString().isEmpty());
    QVERIFY(!info.value(QStringLiteral("version")).toString().isEmpty());
    const QJsonObject schemas = m_document.value(QStringLiteral("components"))
                                    .toObject()
                                    .value(QStringLiteral("schemas"))
                                    .toObject();
    for (const QString &model : { QStringLiteral("HTTPValidationError"),
             QStringLiteral("ValidationError"), QStringLiteral("ModeChange") })
        QVERIFY2(schemas.contains(model), qPrintable(model));

    QStringList references;
    collectReferences(m_document, references);
    QVERIFY(references.size() > 20);
    for (const QString &reference : references) {
        QVERIFY2(reference.startsWith(u"#/components/schemas/"), qPrintable(reference));
        QVERIFY2(schemas.contains(reference.section(u'/', -1)), qPrintable(reference));
    }

    const QSet<QString> methods { QStringLiteral("get"), QStringLiteral("put"),
        QStringLiteral("post"), QStringLiteral("delete") };
    static const QRegularExpression templated(QStringLiteral("\\{([^}]+)\\}"));
    QSet<QString> operationIds;
    int operations = 0;
    const QJsonObject paths = m_document.value(QStringLiteral("paths")).toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        QVERIFY2(path.key().startsWith(u'/'), qPrintable(path.key()));
        QStringList templateNames;
        for (auto match = templated.globalMatch(path.key()); match.hasNext();)
            templateNames << match.next().captured(1);
        const QJsonObject item = path.value().toObject();
        for (auto method = item.begin(); method != item.end(); ++method) {
            const QString label = method.key() + u' ' + path.key();
            QVERIFY2(methods.contains(method.key()), qPrintable(label));
            const QJsonObject operation = method.value().toObject();
            const QString id = operation.value(QStringLiteral("operationId")).toString();
            QVERIFY2(!id.isEmpty() && !operationIds.contains(id), qPrintable(label));
            operationIds.insert(id);
            QStringList pathParameters;
            for (const QJsonValue &value :
                operation.value(QStringLiteral("parameters")).toArray()) {
                const QJsonObject parameter = value.toObject();
                if (parameter.value(QStringLiteral("in")).toString() == u"path") {
                    QVERIFY2(
                        parameter.value(QStringLiteral("required")).toBool(), qPrintable(label));
                    pathParameters << parameter.value(QStringLiteral("name")).toString();
                }
            }
            QCOMPARE(pathParameters, templateNames);
            const QJsonObject responses = operation.value(QStringLiteral("responses")).toObject();
            QVERIFY2(!responses.isEmpty(), qPrintable(label));
            bool success = false;
            for (auto response = responses.begin(); response != responses.end(); ++response) {
                QVERIFY2(QRegularExpression(QStringLiteral("^[1-5]\\d\\d$"))
                             .match(response.key())
                             .hasMatch(),
                    qPrintable(label + u' ' + response.key()));
                const QJsonObject answer = response.value().toObject();
                QVERIFY2(!answer.value(QStringLiteral("description")).toString().isEmpty(),
                    qPrintable(label + u' ' + response.key()));
                const QJsonObject content = answer.value(QStringLiteral("content")).toObject();
                for (auto media = content.begin(); media != content.end(); ++media) {
                    const QJsonObject schema
                        = media.value().toObject().value(QStringLiteral("schema")).toObject();
                    // The empty `{}` schema said nothing of what a route answers.
                    QVERIFY2(!schema.isEmpty(),
                        qPrintable(label + u' ' + response.key() + u' ' + media.key()));
                }
                if (response.key().startsWith(u'2')) {
                    success = true;
                    QVERIFY2(!content.isEmpty(), qPrintable(label));
                }
            }
            QVERIFY2(success, qPrintable(label));
            if (operation.contains(QStringLiteral("requestBody"))) {
                const QJsonObject body = operation.value(QStringLiteral("requestBody")).toObject();
                QVERIFY2(
                    !body.value(QStringLiteral("content")).toObject().isEmpty(), qPrintable(label));
                QVERIFY2(responses.contains(QStringLiteral("422")), qPrintable(label));
                // The example "Try it" sends is one the document's own schema accepts.
                const QJsonObject content = body.value(QStringLiteral("content")).toObject();
                for (auto media = content.begin(); media != content.end(); ++media) {
                    const QJsonObject entry = media.value().toObject();
                    QVERIFY2(entry.contains(QStringLiteral("example")), qPrintable(label));
                    const QJsonObject schema
                        = resolved(entry.value(QStringLiteral("schema")).toObject(), schemas);
                    QVERIFY2(!schema.isEmpty(), qPrintable(label));
                    QVERIFY2(
                        schemaIssues(schema, entry.value(QStringLiteral("example")), {}).isEmpty(),
                        qPrintable(label));
                }
            }
            ++operations;
        }
    }
    QCOMPARE(operations, int(m_table.router.routes().size()));
}

// The validator of the OpenAPI 3.0 schema itself, where this machine has it (Debian's
// python3-jsonschema and python3-yaml, and the schema beside the repository).
void TestApiDocs::openApiDocumentPassesTheValidator()
{
    const QString validator = qEnvironmentVariable("LOOPSCOPE_OPENAPI_VALIDATOR",
        QStringLiteral(LOOPSCOPE_SOURCE_DIR "/../shared/openapi/validate.py"));
    if (!QFile::exists(validator))
        QSKIP("no OpenAPI validator at LOOPSCOPE_OPENAPI_VALIDATOR or ../shared/openapi/");
    QProcess probe;
    probe.start(QStringLiteral("python3"),
        { QStringLiteral("-c"), QStringLiteral("import jsonschema, yaml") });
    if (!probe.waitForFinished(60000) || probe.exitStatus() != QProcess::NormalExit
        || probe.exitCode() != 0)
        QSKIP("python3 with jsonschema and yaml is not installed");
    QProcess validate;
    validate.start(QStringLiteral("python3"), { validator, QStringLiteral("-") });
    QVERIFY(validate.waitForStarted());
    validate.write(QJsonDocument(m_document).toJson(QJsonDocument::Compact));
    validate.closeWriteChannel();
    QVERIFY(validate.waitForFinished(120000));
    const QByteArray output = validate.readAllStandardOutput() + validate.readAllStandardError();
    QVERIFY2(validate.exitCode() == 0, output.constData());
    QVERIFY2(output.contains("0 violation"), output.constData());
}

void TestApiDocs::everyDeclaredExampleFitsItsSchema()
{
    // A name is one model: two routes naming the same payload declare the same shape.
    QHash<QString, QJsonObject> models;
    for (const Route &route : m_table.router.routes()) {
        for (const Payload *payload :
            { route.requestBody ? &*route.requestBody : nullptr, &route.answer }) {
            if (!payload || payload->name.isEmpty())
                continue;
            const auto known = models.constFind(payload->name);
            if (known != models.cend())
                QVERIFY2(*known == payload->schema, qPrintable(payload->name));
            models.insert(payload->name, payload->schema);
        }
    }
    QVERIFY(models.size() >= 10);

    int examples = 0;
    for (const Route &route : m_table.router.routes()) {
        if (!route.requestBody)
            continue;
        const Payload &body = *route.requestBody;
        QVERIFY2(!body.mediaTypes.isEmpty(), qPrintable(route.key()));
        QVERIFY2(!body.example.isUndefined() && !body.example.isNull(), qPrintable(route.key()));
        const QJsonArray issues = schemaIssues(body.schema, body.example, {});
        QVERIFY2(issues.isEmpty(), QJsonDocument(issues).toJson().constData());
        ++examples;
    }
    // The control API's three switches and the CSV import at least.
    QVERIFY(examples >= 4);
}

// No handler reads the raw body: each goes through BodyReader, which refuses a route that
// declares none, so what /openapi.json lists is all any route reads.
void TestApiDocs::bodiesAreReadOnlyThroughTheirDeclaration()
{
    const QString routes = QStringLiteral(LOOPSCOPE_SOURCE_DIR "/server/routes");
    int files = 0;
    for (QDirIterator it(routes, { QStringLiteral("*.cpp"), QStringLiteral("*.h") });
         it.hasNext();) {
        QFile file(it.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY2(!text.contains("request.body"), qPrintable(file.fileName()));
        ++files;
    }
    QVERIFY(files >= 5);

    const Route undeclared = Route::docs("PUT", QStringLiteral("/undeclared"), {}, {});
    const http::HttpRequest sent = request(R"({"a":1})");
    BodyReader reader(undeclared, sent);
    reader.object();
    QVERIFY(!reader.ok());
    QCOMPARE(reader.errorResponse().status, 500);

    // And the routes that do declare one are the ones that change state with a body.
    for (const Route &route : m_table.router.routes()) {
        if (route.requestBody)
            QVERIFY2(route.method == "PUT" || route.method == "POST", qPrintable(route.key()));
    }
}

void TestApiDocs::bodyReaderAnswersFastApiShapes_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("detail"); // empty: accepted
    QTest::newRow("fits") << QByteArray(R"({"name":"a","count":2,"mode":"on"})") << QByteArray()
                          << 0 << QByteArray();
    QTest::newRow("missing body")
        << QByteArray() << QByteArray() << 422
        << QByteArray(R"([{"loc":["body"],"msg":"field required","type":"value_error.missing"}])");
    QTest::newRow("missing field")
        << QByteArray(R"({"count":2})") << QByteArray() << 422
        << QByteArray(
               R"([{"loc":["body","name"],"msg":"field required","type":"value_error.missing"}])");
    QTest::newRow("wrong type")
        << QByteArray(R"({"name":5})") << QByteArray() << 422
        << QByteArray(
               R"([{"loc":["body","name"],"msg":"str type expected","type":"type_error.str"}])");
    QTest::newRow("not an integer")
        << QByteArray(R"({"name":"a","count":1.5})") << QByteArray() << 422
        << QByteArray(
               R"([{"loc":["body","count"],"msg":"value is not a valid integer","type":"type_error.integer"}])");
    QTest::newRow("above its bound")
        << QByteArray(R"({"name":"a","count":11})") << QByteArray() << 422
        << QByteArray(
               R"([{"ctx":{"limit_value":10},"loc":["body","count"],"msg":"ensure this value is less than or equal to 10","type":"value_error.number.not_le"}])");
    QTest::newRow("not in the enum")
        << QByteArray(R"({"name":"a","mode":"<x>"})") << QByteArray() << 422
        << QByteArray(
               R"([{"ctx":{"enum_values":["on","off"]},"loc":["body","mode"],"msg":"value is not a valid enumeration member; permitted: 'on', 'off'","type":"type_error.enum"}])");
    QTest::newRow("extra field")
        << QByteArray(R"({"name":"a","other":1})") << QByteArray() << 422
        << QByteArray(
               R"([{"loc":["body","other"],"msg":"extra fields not permitted","type":"value_error.extra"}])");
    QTest::newRow("not an object")
        << QByteArray(R"([1])") << QByteArray() << 422
        << QByteArray(
               R"([{"loc":["body"],"msg":"value is not a valid dict","type":"type_error.dict"}])");
    QTest::newRow("every issue at once")
        << QByteArray(R"({"count":-1,"other":1})") << QByteArray() << 422
        << QByteArray(
               R"([{"loc":["body","name"],"msg":"field required","type":"value_error.missing"},)"
               R"({"ctx":{"limit_value":0},"loc":["body","count"],"msg":"ensure this value is greater than or equal to 0","type":"value_error.number.not_ge"},)"
               R"({"loc":["body","other"],"msg":"extra fields not permitted","type":"value_error.extra"}])");
    QTest::newRow("wrong media type")
        << QByteArray("a,b") << QByteArray("text/csv") << 415 << QByteArray();
}

void TestApiDocs::bodyReaderAnswersFastApiShapes()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    QFETCH(QByteArray, detail);
    Route route = Route::docs("PUT", QStringLiteral("/switch"), {}, {});
    route.requestBody = Payload::json(QStringLiteral("Switch"),
        schema::closedObject(
            { { QStringLiteral("name"), schema::string() },
                { QStringLiteral("count"), schema::bounded(schema::integer(), 0, 10) },
                { QStringLiteral("mode"),
                    schema::oneOf(
                        schema::string(), { QStringLiteral("on"), QStringLiteral("off") }) } },
            { QStringLiteral("name") }));
    const http::HttpRequest sent = request(body, contentType);
    BodyReader reader(route, sent);
    if (status == 415) {
        reader.bytes();
        QVERIFY(!reader.ok());
        QCOMPARE(reader.errorResponse().status, 415);
        return;
    }
    const QJsonObject object = reader.object();
    if (status == 0) {
        QVERIFY(reader.ok());
        QCOMPARE(object.value(QStringLiteral("count")).toInt(), 2);
        return;
    }
    QVERIFY(!reader.ok());
    const http::HttpResponse error = reader.errorResponse();
    QCOMPARE(error.status, status);
    const QJsonValue answered
        = QJsonDocument::fromJson(error.body).object().value(QStringLiteral("detail"));
    QCOMPARE(answered, QJsonValue(QJsonDocument::fromJson(detail).array()));
}

void TestApiDocs::declaredExampleIsAccepted_data()
{
    QTest::addColumn<int>("routeIndex");
    int routes = 0;
    const auto &table = m_table.router.routes();
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (table[i].requestBody) {
            QTest::newRow(qPrintable(table[i].key())) << int(i);
            ++routes;
        }
    }
    QVERIFY(routes >= 4);
}

// "Try it" sends the example: on a live server with every service it must do what it says
// (not a 422), and the same request without its body must be refused, so the route reads the
// body it declares.
void TestApiDocs::declaredExampleIsAccepted()
{
    QFETCH(int, routeIndex);
    const Route &route = m_table.router.route(routeIndex);
    const Payload &body = *route.requestBody;
    const RawExchange sent = exchange(
        m_host->port(), rawRequest(route, exampleBytes(body), body.mediaTypes.value(0)), 1);
    QCOMPARE(sent.responses.size(), 1);
    const TestResponse &answer = sent.responses.first();
    QVERIFY2(answer.status == route.answerStatus, answer.body.constData());
    const RawExchange empty
        = exchange(m_host->port(), rawRequest(route, {}, body.mediaTypes.value(0)), 1);
    QCOMPARE(empty.responses.size(), 1);
    QVERIFY2(empty.responses.first().status == 422, empty.responses.first().body.constData());
}

void TestApiDocs::referencePageListsEveryRoute()
{
    const TestResponse page = fetch(m_host->port(), "GET", "/redoc");
    QCOMPARE(page.status, 200);
    QVERIFY(page.header("content-type").startsWith("text/html"));
    const QString html = QString::fromUtf8(page.body);
    for (const Route &route : m_table.router.routes()) {
        const QString shown = QStringLiteral("<code>%1</code>").arg(route.pattern.toHtmlEscaped());
        QVERIFY2(html.contains(shown), qPrintable(route.key()));
    }
    // One anchor per operation and the side index linking to it.
    const QJsonObject paths = m_document.value(QStringLiteral("paths")).toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject item = path.value().toObject();
        for (auto method = item.begin(); method != item.end(); ++method) {
            const QString id
                = method.value().toObject().value(QStringLiteral("operationId")).toString();
            QVERIFY2(html.contains(QStringLiteral("id=\"op-%1\"").arg(id)), qPrintable(id));
            QVERIFY2(html.contains(QStringLiteral("href=\"#op-%1\"").arg(id)), qPrintable(id));
        }
    }
    QVERIFY(html.contains(QStringLiteral("id=\"schema-HTTPValidationError\"")));
    // Every link within the page lands on an anchor of the page.
    static const QRegularExpression link(QStringLiteral("href=\"#([^\"]+)\""));
    int links = 0;
    for (auto match = link.globalMatch(html); match.hasNext(); ++links) {
        const QString target = match.next().captured(1);
        QVERIFY2(html.contains(QStringLiteral("id=\"%1\"").arg(target)), qPrintable(target));
    }
    QVERIFY(links > 2 * int(m_table.router.routes().size()));
    QVERIFY(html.contains(QStringLiteral("Variants: async, threadpool, blocking")));
    // Self-contained: nothing is loaded from anywhere, nothing runs.
    QVERIFY(!html.contains(QStringLiteral("<script"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral("<link"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral(" src="), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral("@import"), Qt::CaseInsensitive));
}

void TestApiDocs::referencePageEscapesTheTable()
{
    const QString hostile = QStringLiteral("<script>alert(\"x&y\")</script>");
    Router router;
    Route route = Route::docs("POST", QStringLiteral("/a/{b}"), hostile, {});
    route.params = { Param::path(QStringLiteral("b"), QStringLiteral("string")),
        Param::query(QStringLiteral("q"), QStringLiteral("string"), false, hostile, hostile) };
    route.requestBody = Payload::json(hostile,
        schema::object({ { hostile, schema::oneOf(schema::string(hostile), { hostile }) } }),
        QJsonObject { { hostile, hostile } });
    route.answer = Payload::text({ QStringLiteral("text/plain") }, hostile);
    router.add(route);
    const QString html = QString::fromUtf8(referencePage(openApiDocument(router)));
    QVERIFY(!html.contains(QStringLiteral("<script"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral("alert(\"")));
    QVERIFY(
        html.contains(QStringLiteral("&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;")));
    // An id or a link never carries the name as it was.
    static const QRegularExpression attribute(QStringLiteral("(?:id|href)=\"([^\"]*)\""));
    for (auto match = attribute.globalMatch(html); match.hasNext();) {
        const QString value = match.next().captured(1);
        QVERIFY2(!value.contains(u'<') && !value.contains(u'&'), qPrintable(value));
    }
}

// The /docs page builds "Try it" from /openapi.json: a textarea for a declared body, sent with
// the body's media type.
void TestApiDocs::docsPageSendsTheDeclaredBody()
{
    const TestResponse page = fetch(m_host->port(), "GET", "/docs");
    QCOMPARE(page.status, 200);
    QVERIFY(page.body.contains("operation.requestBody"));
    QVERIFY(page.body.contains("element(\"textarea\""));
    QVERIFY(page.body.contains("\"Content-Type\": bodyType"));
    QVERIFY(page.body.contains("href=\"/redoc\""));
}

// The errors a handler answers on its own (not derived from the route's parameters or
// services) are provoked for real, and each must be in /openapi.json under that operation.
void TestApiDocs::failureAnswersAreDeclared()
{
    ServerConfig config;
    config.maxBackgroundTasks = 1;
    // Nothing listens on port 1: every upstream call fails.
    config.outbound.upstreamUrl = QStringLiteral("http://127.0.0.1:1");
    const std::unique_ptr<ServerHost> host = startServer(config);
    const quint16 port = host->port();
    struct Provoked
    {
        QString method, path, target;
        int status;
    };
    QList<Provoked> provoked;
    const auto call = [&](const QString &method, const QString &path, const QString &target) {
        const TestResponse response = fetch(port, method.toLatin1(), target.toLatin1());
        provoked.append({ method, path, target, response.status });
    };
    call(QStringLiteral("GET"), QStringLiteral("/start-task"), QStringLiteral("/start-task"));
    call(QStringLiteral("GET"), QStringLiteral("/start-task"), QStringLiteral("/start-task"));
    call(QStringLiteral("POST"), QStringLiteral("/signup"),
        QStringLiteral("/signup?username=ada&email=ada@example.com"));
    call(QStringLiteral("POST"), QStringLiteral("/products/"),
        QStringLiteral("/products/?name=lamp&price=9.5"));
    call(
        QStringLiteral("GET"), QStringLiteral("/weather/{city}"), QStringLiteral("/weather/paris"));
    call(QStringLiteral("GET"), QStringLiteral("/dashboard"), QStringLiteral("/dashboard"));
    // The cap and the dead upstream did what they are for, so the statuses below are failures.
    QCOMPARE(provoked[0].status, 200);
    for (qsizetype i = 1; i < provoked.size(); ++i)
        QVERIFY2(provoked[i].status >= 500, qPrintable(provoked[i].target));

    const QJsonObject document = fetch(port, "GET", "/openapi.json").json().object();
    const QJsonObject paths = document.value(QStringLiteral("paths")).toObject();
    for (const Provoked &p : std::as_const(provoked)) {
        const QJsonObject responses = paths.value(p.path)
                                          .toObject()
                                          .value(p.method.toLower())
                                          .toObject()
                                          .value(QStringLiteral("responses"))
                                          .toObject();
        const QString status = QString::number(p.status);
        QVERIFY2(responses.contains(status),
            qPrintable(p.method + u' ' + p.target + QStringLiteral(" answered ") + status
                + QStringLiteral(", not declared")));
        const QJsonObject declared = responses.value(status).toObject();
        QVERIFY(!declared.value(QStringLiteral("description")).toString().isEmpty());
    }
}

// A parameter declared with an enum is read through that declaration: a value outside it gets
// FastAPI's enum 422, listing exactly the members /openapi.json lists.
void TestApiDocs::everyDeclaredChoiceIsWhatTheHandlerAccepts()
{
    int checked = 0;
    const QJsonObject paths = m_document.value(QStringLiteral("paths")).toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject get = path.value().toObject().value(QStringLiteral("get")).toObject();
        if (path.key().contains(u'{'))
            continue; // a path parameter would need a value of its own
        for (const QJsonValue &value : get.value(QStringLiteral("parameters")).toArray()) {
            const QJsonObject parameter = value.toObject();
            const QJsonArray members = parameter.value(QStringLiteral("schema"))
                                           .toObject()
                                           .value(QStringLiteral("enum"))
                                           .toArray();
            if (members.isEmpty())
                continue;
            const QString name = parameter.value(QStringLiteral("name")).toString();
            const QByteArray target = (path.key() + u'?' + name + u"=not-a-member").toUtf8();
            const TestResponse response = fetch(m_host->port(), "GET", target);
            QVERIFY2(response.status == 422, target.constData());
            const QJsonObject issue = response.json()
                                          .object()
                                          .value(QStringLiteral("detail"))
                                          .toArray()
                                          .first()
                                          .toObject();
            QCOMPARE(issue.value(QStringLiteral("loc")).toArray(),
                QJsonArray({ QStringLiteral("query"), name }));
            QCOMPARE(issue.value(QStringLiteral("ctx"))
                         .toObject()
                         .value(QStringLiteral("enum_values"))
                         .toArray(),
                members);
            ++checked;
        }
    }
    QVERIFY2(checked >= 3, qPrintable(QString::number(checked))); // /dashboard and /scrape's
}

QTEST_MAIN(TestApiDocs)
#include "tst_apidocs.moc"
