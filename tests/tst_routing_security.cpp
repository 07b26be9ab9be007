// What a request's target can reach, decided after decoding it: the control API's access on the
// route a request matched (every spelling of every control path), the Host and content type it
// trusts, path parameters that cannot carry a slash, and outgoing URLs built from parameters.
#include "support/fixeddelayserver.h"
#include "support/httptestclient.h"
#include "support/serverfixture.h"

#include "core/modetable.h"
#include "routing/controlaccess.h"
#include "serverhost.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace loopscope;
using namespace loopscope::testing;

namespace {

struct ControlRoute
{
    QByteArray method;
    QByteArray path;
};

// The control API as the server documents it: every operation tagged so in /openapi.json.
QList<ControlRoute> controlRoutes(quint16 port)
{
    QList<ControlRoute> routes;
    const QJsonObject paths = fetch(port, "GET", "/openapi.json")
                                  .json()
                                  .object()
                                  .value(QStringLiteral("paths"))
                                  .toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject operations = path.value().toObject();
        for (auto operation = operations.begin(); operation != operations.end(); ++operation) {
            const QJsonArray tags
                = operation.value().toObject().value(QStringLiteral("tags")).toArray();
            if (tags.contains(QStringLiteral("loopscope control")))
                routes.append({ operation.key().toUpper().toLatin1(), path.key().toLatin1() });
        }
    }
    return routes;
}

QByteArray percentEncoded(char c, bool upperCase)
{
    const QByteArray hex = QByteArray(1, c).toHex();
    return '%' + (upperCase ? hex.toUpper() : hex);
}

// Every spelling of `path` a router that decodes segments takes for it: each character but the
// slashes percent-encoded on its own (in both hex cases), and all of them at once.
QList<QByteArray> spellings(const QByteArray &path)
{
    QList<QByteArray> result;
    for (bool upperCase : { false, true }) {
        QByteArray all;
        for (qsizetype i = 0; i < path.size(); ++i) {
            if (path[i] == '/') {
                all += '/';
                continue;
            }
            all += percentEncoded(path[i], upperCase);
            result << path.first(i) + percentEncoded(path[i], upperCase) + path.sliced(i + 1);
        }
        result << all;
    }
    return result;
}

QMap<QString, HandlerVariant> variantsOf(ModeTable &modes)
{
    QMap<QString, HandlerVariant> variants;
    for (int i = 0; i < modes.size(); ++i)
        variants.insert(modes.entry(i).route, modes.variant(i));
    return variants;
}

} // namespace

class TestRoutingSecurity : public QObject
{
    Q_OBJECT

private slots:
    void controlRoutesClosedUnderEveryEncoding_data();
    void controlRoutesClosedUnderEveryEncoding();
    void encodedControlPathsRouteWhenOpen();
    void controlApiTrustsOnlyHostsNamingThisMachine_data();
    void controlApiTrustsOnlyHostsNamingThisMachine();
    void controlChangesNeedJson_data();
    void controlChangesNeedJson();
    void pathParametersCarryNoSlash_data();
    void pathParametersCarryNoSlash();
    void outgoingUrlsEncodeParameters_data();
    void outgoingUrlsEncodeParameters();
};

void TestRoutingSecurity::controlRoutesClosedUnderEveryEncoding_data()
{
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("refusal");
    QTest::newRow("--no-control-api") << false << QByteArray() << 404;
    QTest::newRow("--control-token, none presented") << true << QByteArray("s3cret") << 401;
}

void TestRoutingSecurity::controlRoutesClosedUnderEveryEncoding()
{
    QFETCH(bool, enabled);
    QFETCH(QByteArray, token);
    QFETCH(int, refusal);
    ServerConfig config;
    config.controlApiEnabled = enabled;
    config.controlToken = token;
    const auto host = startServer(config);
    const QMap<QString, HandlerVariant> before = variantsOf(host->modes());
    const QList<ControlRoute> routes = controlRoutes(host->port());
    QVERIFY2(routes.size() >= 8, "the control API lists its routes in /openapi.json");

    const QByteArray blockingEverything = R"({"route": "GET /async", "variant": "blocking"})";
    int tried = 0;
    for (const ControlRoute &route : routes) {
        for (const QByteArray &target : spellings(route.path)) {
            const TestResponse answer = fetch(host->port(), route.method, target,
                route.method == "PUT" ? blockingEverything : QByteArray());
            QVERIFY2(answer.status == refusal,
                qPrintable(QStringLiteral("%1 %2 answered %3")
                               .arg(QString::fromLatin1(route.method), QString::fromLatin1(target))
                               .arg(answer.status)));
            ++tried;
        }
        // Neither a 405 nor a 307 tells a closed API's paths apart from missing ones.
        QCOMPARE(fetch(host->port(), "DELETE", route.path).status, refusal);
        QCOMPARE(fetch(host->port(), "GET", route.path + '/').status, refusal);
    }
    QCOMPARE(fetch(host->port(), "GET", "/_scope/no-such-path").status, refusal);
    QCOMPARE(fetch(host->port(), "GET", "/%5fscope/no-such-path").status, refusal);
    QVERIFY(tried > 100);
    QCOMPARE(variantsOf(host->modes()), before);
    // The course's routes and the docs stay open.
    QCOMPARE(fetch(host->port(), "GET", "/async?delay=0").status, 200);
    QCOMPARE(fetch(host->port(), "GET", "/%61sync?delay=0").status, 200);
    QCOMPARE(fetch(host->port(), "GET", "/docs").status, 200);
}

void TestRoutingSecurity::encodedControlPathsRouteWhenOpen()
{
    // The same spellings reach the route on an open API: the refusal above is the access
    // decision's, not a router that stopped decoding.
    const auto host = startServer();
    const TestResponse answer = fetch(host->port(), "PUT", "/%5fscope/m%6Fdes",
        R"({"route": "GET /async", "variant": "blocking"})");
    QCOMPARE(answer.status, 200);
    QCOMPARE(
        variantsOf(host->modes()).value(QStringLiteral("GET /async")), HandlerVariant::Blocking);
}

void TestRoutingSecurity::controlApiTrustsOnlyHostsNamingThisMachine_data()
{
    QTest::addColumn<QByteArray>("hostHeader");
    QTest::addColumn<int>("status");
    QTest::newRow("127.0.0.1:port") << QByteArray("127.0.0.1:8000") << 200;
    QTest::newRow("127.0.0.1") << QByteArray("127.0.0.1") << 200;
    QTest::newRow("another loopback address") << QByteArray("127.1.2.3:80") << 200;
    QTest::newRow("localhost") << QByteArray("localhost:8000") << 200;
    QTest::newRow("LocalHost") << QByteArray("LocalHost") << 200;
    QTest::newRow("a .localhost name") << QByteArray("lesson.localhost:8000") << 200;
    QTest::newRow("[::1]") << QByteArray("[::1]:8000") << 200;
    QTest::newRow("configured --control-host") << QByteArray("classroom.lan:8000") << 200;
    QTest::newRow("rebinding name") << QByteArray("rebind.attacker.example") << 403;
    QTest::newRow("rebinding name with port") << QByteArray("rebind.attacker.example:8000") << 403;
    QTest::newRow("loopback as a subdomain") << QByteArray("127.0.0.1.attacker.example") << 403;
    QTest::newRow("localhost as a subdomain") << QByteArray("localhost.attacker.example") << 403;
    QTest::newRow("lan address") << QByteArray("192.168.1.5:8000") << 403;
}

void TestRoutingSecurity::controlApiTrustsOnlyHostsNamingThisMachine()
{
    QFETCH(QByteArray, hostHeader);
    QFETCH(int, status);
    ServerConfig config;
    config.controlHosts = { QStringLiteral("Classroom.lan") };
    const auto host = startServer(config);
    const QByteArray body = R"({"route": "GET /async", "variant": "blocking"})";
    const RawExchange answer = exchange(host->port(),
        "PUT /_scope/modes HTTP/1.1\r\nHost: " + hostHeader
            + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body,
        1);
    QCOMPARE(answer.responses.value(0).status, status);
    QCOMPARE(variantsOf(host->modes()).value(QStringLiteral("GET /async")),
        status == 200 ? HandlerVariant::Blocking : HandlerVariant::Async);
    // The course's routes answer any Host, as FastAPI's do.
    QCOMPARE(
        exchange(host->port(),
            "GET /sync?delay=0 HTTP/1.1\r\nHost: " + hostHeader + "\r\nConnection: close\r\n\r\n",
            1)
            .responses.value(0)
            .status,
        200);
}

void TestRoutingSecurity::controlChangesNeedJson_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::newRow("application/json") << QByteArray("Content-Type: application/json\r\n") << 200;
    QTest::newRow("with charset") << QByteArray("Content-Type: Application/JSON; charset=utf-8\r\n")
                                  << 200;
    QTest::newRow("none") << QByteArray() << 415;
    QTest::newRow("text/plain (a cross-site form)")
        << QByteArray("Content-Type: text/plain\r\n") << 415;
    QTest::newRow("form") << QByteArray("Content-Type: application/x-www-form-urlencoded\r\n")
                          << 415;
    QTest::newRow("json lookalike") << QByteArray("Content-Type: application/jsonp\r\n") << 415;
    QTest::newRow("no body, no type") << QByteArray("no body") << 422;
}

void TestRoutingSecurity::controlChangesNeedJson()
{
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    const auto host = startServer();
    const bool withoutBody = contentType == "no body";
    const QByteArray body = withoutBody
        ? QByteArray()
        : QByteArray(R"({"route": "GET /async", "variant": "blocking"})");
    if (withoutBody)
        contentType.clear();
    for (const QByteArray path : { "/_scope/modes", "/_scope/upstream", "/_scope/database" }) {
        const QByteArray request = "PUT " + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + contentType
            + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        const TestResponse answer = exchange(host->port(), request, 1).responses.value(0);
        if (status != 200) {
            QCOMPARE(answer.status, status);
            QVERIFY(answer.json().object().contains(QStringLiteral("detail")));
        } else {
            // Past the content type: the route's own answer (200, or 422 for a body that is
            // not this route's).
            QVERIFY2(answer.status == 200 || answer.status == 422, path.constData());
        }
    }
    QCOMPARE(variantsOf(host->modes()).value(QStringLiteral("GET /async")),
        status == 200 ? HandlerVariant::Blocking : HandlerVariant::Async);
    // Reading needs no content type.
    QCOMPARE(exchange(host->port(),
                 "GET /_scope/modes HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 1)
                 .responses.value(0)
                 .status,
        200);
}

void TestRoutingSecurity::pathParametersCarryNoSlash_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::newRow("plain") << QByteArray("/weather/London") << 200;
    QTest::newRow("encoded space") << QByteArray("/weather/New%20York") << 200;
    QTest::newRow("encoded slash") << QByteArray("/weather/a%2Fb") << 404;
    QTest::newRow("encoded slash, lower case") << QByteArray("/weather/a%2fb") << 404;
    QTest::newRow("traversal") << QByteArray("/weather/..%2f..%2fadmin%3fdelete=1") << 404;
    QTest::newRow("dot segment") << QByteArray("/weather/..") << 422;
    QTest::newRow("encoded dot segment") << QByteArray("/weather/%2e%2e") << 422;
    QTest::newRow("file name with a slash") << QByteArray("/files/..%2F..%2Fetc%2Fpasswd") << 404;
    QTest::newRow("id with a slash") << QByteArray("/users/1%2F2") << 404;
}

void TestRoutingSecurity::pathParametersCarryNoSlash()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    const auto host = startServer();
    const TestResponse answer = fetch(host->port(), "GET", target);
    QCOMPARE(answer.status, status);
    if (status != 200)
        QVERIFY(answer.json().object().contains(QStringLiteral("detail")));
}

void TestRoutingSecurity::outgoingUrlsEncodeParameters_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("upstreamTarget");
    QTest::newRow("plain") << QByteArray("/weather/London") << QByteArray("/base/v1/London");
    QTest::newRow("space") << QByteArray("/weather/New%20York")
                           << QByteArray("/base/v1/New%20York");
    QTest::newRow("query and fragment characters")
        << QByteArray("/weather/a%3Fdelete=1%23x") << QByteArray("/base/v1/a%3Fdelete%3D1%23x");
    QTest::newRow("percent") << QByteArray("/weather/100%25") << QByteArray("/base/v1/100%25");
    QTest::newRow("backslash") << QByteArray("/weather/..%5C..%5Cadmin")
                               << QByteArray("/base/v1/..%5C..%5Cadmin");
    QTest::newRow("unicode") << QByteArray("/weather/K%C3%B6ln")
                             << QByteArray("/base/v1/K%C3%B6ln");
}

void TestRoutingSecurity::outgoingUrlsEncodeParameters()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, upstreamTarget);
    testsupport::FixedDelayServer upstream;
    upstream.setBody(R"({"temp": 21.5})");
    QVERIFY(upstream.start());
    ServerConfig config;
    config.outbound.upstreamUrl = QStringLiteral("http://127.0.0.1:%1/base").arg(upstream.port());
    const auto host = startServer(config);
    QCOMPARE(fetch(host->port(), "GET", target).status, 200);
    const auto received = upstream.received();
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.constFirst().target, upstreamTarget);
}

QTEST_GUILESS_MAIN(TestRoutingSecurity)
#include "tst_routing_security.moc"
