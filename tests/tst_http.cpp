// Unit tests of the socket-free parts of the server: the router, parameter validation
// (FastAPI's 422 shape), response serialisation, the mode table, and what a request says of its
// time before the server read it. The HTTP parser has its own table test in tst_httpparser.cpp.
#include "core/modetable.h"
#include "http/arrivalmarks.h"
#include "http/clienttimes.h"
#include "http/httpresponse.h"
#include "routing/paramreader.h"
#include "routing/router.h"

#include <QJsonDocument>
#include <QTest>

using namespace loopscope;
using namespace loopscope::http;

namespace {
using Reads = QList<QPair<int, qint64>>; // bytes, and when they arrived
}

class TestHttp : public QObject
{
    Q_OBJECT
private slots:
    void route_data();
    void route();
    void validation_data();
    void validation();
    void serializeKeepAliveHeaders();
    void serializeStreamedHead_data();
    void serializeStreamedHead();
    void jsonWriter_data();
    void jsonWriter();
    void modeAssignments_data();
    void modeAssignments();
    void clientTimes_data();
    void clientTimes();
    void arrivalMarks_data();
    void arrivalMarks();
};

void TestHttp::route_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("param");
    QTest::addColumn<QByteArray>("extra"); // Allow or Location

    using K = Router::Match::Kind;
    QTest::newRow("literal") << QByteArray("GET") << QByteArray("/async") << int(K::Found)
                             << QStringLiteral("/async") << QString() << QByteArray();
    QTest::newRow("param") << QByteArray("GET") << QByteArray("/users/42") << int(K::Found)
                           << QStringLiteral("/users/{user_id}") << QStringLiteral("42")
                           << QByteArray();
    QTest::newRow("percent-decoded param")
        << QByteArray("GET") << QByteArray("/users/a%20b") << int(K::Found)
        << QStringLiteral("/users/{user_id}") << QStringLiteral("a b") << QByteArray();
    QTest::newRow("trailing slash route")
        << QByteArray("POST") << QByteArray("/users/") << int(K::Found) << QStringLiteral("/users/")
        << QString() << QByteArray();
    QTest::newRow("wrong method") << QByteArray("DELETE") << QByteArray("/users/")
                                  << int(K::MethodNotAllowed) << QString() << QString()
                                  << QByteArray("POST");
    QTest::newRow("unknown") << QByteArray("GET") << QByteArray("/nope") << int(K::NotFound)
                             << QString() << QString() << QByteArray();
    QTest::newRow("redirect slash")
        << QByteArray("POST") << QByteArray("/users") << int(K::Redirect) << QString() << QString()
        << QByteArray("/users/");
    QTest::newRow("redirect no slash")
        << QByteArray("GET") << QByteArray("/async/") << int(K::Redirect) << QString() << QString()
        << QByteArray("/async");
    QTest::newRow("empty param") << QByteArray("GET") << QByteArray("/users//") << int(K::NotFound)
                                 << QString() << QString() << QByteArray();
}

void TestHttp::route()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(int, kind);
    QFETCH(QString, pattern);
    QFETCH(QString, param);
    QFETCH(QByteArray, extra);

    Router router;
    for (const auto &[m, p] :
        { std::pair { "GET", "/async" }, { "POST", "/users/" }, { "GET", "/users/{user_id}" } }) {
        Route route;
        route.method = m;
        route.pattern = QString::fromLatin1(p);
        router.add(route);
    }
    const Router::Match match = router.match(method, path);
    QCOMPARE(int(match.kind), kind);
    if (match.kind == Router::Match::Kind::Found) {
        QCOMPARE(router.route(match.routeIndex).pattern, pattern);
        if (!param.isEmpty())
            QCOMPARE(match.params.at(0).second, param);
    }
    if (match.kind == Router::Match::Kind::MethodNotAllowed)
        QCOMPARE(match.allow, extra);
    if (match.kind == Router::Match::Kind::Redirect)
        QCOMPARE(match.location, extra);
}

void TestHttp::validation_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("pathValue");
    QTest::addColumn<QByteArray>("expectedDetail"); // empty: valid

    QTest::newRow("valid") << QByteArray("email=a%40b.c&delay=1.5") << QStringLiteral("7")
                           << QByteArray();
    QTest::newRow("plus is space")
        << QByteArray("email=a+b&delay=0") << QStringLiteral("7") << QByteArray();
    QTest::newRow("bad path int")
        << QByteArray("email=x") << QStringLiteral("abc")
        << QByteArray(
               R"([{"loc":["path","user_id"],"msg":"value is not a valid integer","type":"type_error.integer"}])");
    QTest::newRow("missing email")
        << QByteArray("delay=1") << QStringLiteral("1")
        << QByteArray(
               R"([{"loc":["query","email"],"msg":"field required","type":"value_error.missing"}])");
    QTest::newRow("every error, in declaration order")
        << QByteArray("delay=-1") << QStringLiteral("x")
        << QByteArray(
               R"([{"loc":["path","user_id"],"msg":"value is not a valid integer","type":"type_error.integer"},)"
               R"({"loc":["query","email"],"msg":"field required","type":"value_error.missing"},)"
               R"({"ctx":{"limit_value":0},"loc":["query","delay"],"msg":"ensure this value is greater than or equal to 0","type":"value_error.number.not_ge"}])");
    QTest::newRow("not a float")
        << QByteArray("email=e&delay=soon") << QStringLiteral("1")
        << QByteArray(
               R"([{"loc":["query","delay"],"msg":"value is not a valid float","type":"type_error.float"}])");
    QTest::newRow("nan is not finite")
        << QByteArray("email=e&delay=nan") << QStringLiteral("1")
        << QByteArray(
               R"([{"loc":["query","delay"],"msg":"ensure this value is a finite number","type":"value_error.number.not_finite_number"}])");
    QTest::newRow("infinity is not finite")
        << QByteArray("email=e&delay=inf") << QStringLiteral("1")
        << QByteArray(
               R"([{"loc":["query","delay"],"msg":"ensure this value is a finite number","type":"value_error.number.not_finite_number"}])");
    QTest::newRow("above bound")
        << QByteArray("email=e&delay=61") << QStringLiteral("1")
        << QByteArray(
               R"([{"ctx":{"limit_value":60},"loc":["query","delay"],"msg":"ensure this value is less than or equal to 60","type":"value_error.number.not_le"}])");
}

void TestHttp::validation()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, pathValue);
    QFETCH(QByteArray, expectedDetail);

    const PathParams path { { QStringLiteral("user_id"), pathValue } };
    const QueryParams queryParams(query);
    ParamReader reader(path, queryParams);
    reader.pathInt(QStringLiteral("user_id"));
    const auto email = reader.queryString(QStringLiteral("email"));
    reader.queryNumber(QStringLiteral("delay"), 2.0, { 0.0, 60.0 });
    if (expectedDetail.isEmpty()) {
        QVERIFY(reader.ok());
        QVERIFY(email.has_value());
        return;
    }
    QVERIFY(!reader.ok());
    const HttpResponse response = reader.errorResponse();
    QCOMPARE(response.status, 422);
    const QJsonDocument expected = QJsonDocument::fromJson("{\"detail\":" + expectedDetail + "}");
    QVERIFY(!expected.isNull());
    QCOMPARE(QJsonDocument::fromJson(response.body), expected);
}

void TestHttp::serializeKeepAliveHeaders()
{
    const HttpResponse response = HttpResponse::detail(404, QStringLiteral("Not Found"));
    const QByteArray http10KeepAlive = serializeResponse(response, true, 0, "id-1");
    QVERIFY(http10KeepAlive.startsWith("HTTP/1.1 404 Not Found\r\n"));
    QVERIFY(http10KeepAlive.contains("\r\nconnection: keep-alive\r\n"));
    QVERIFY(http10KeepAlive.contains("\r\nx-request-id: id-1\r\n"));
    QVERIFY(http10KeepAlive.endsWith("\r\n\r\n{\"detail\":\"Not Found\"}"));
    QVERIFY(serializeResponse(response, false, 1, {}).contains("\r\nconnection: close\r\n"));
    QVERIFY(!serializeResponse(response, true, 1, {}).contains("connection:"));
}

namespace {

// A body source that only tells its size: the head is what is under test.
class SizedSource : public loopscope::http::BodySource
{
public:
    explicit SizedSource(qint64 size)
        : m_size(size)
    { }
    qint64 size() const override { return m_size; }
    QCoro::Task<std::optional<QByteArray>> next() override { co_return QByteArray(); }

private:
    qint64 m_size;
};

} // namespace

void TestHttp::serializeStreamedHead_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<int>("minorVersion");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<QByteArray>("framing"); // the header that delimits the body, or none
    QTest::addColumn<bool>("closes");
    QTest::newRow("known size") << qint64(5000) << 1 << true
                                << QByteArray("\r\ncontent-length: 5000\r\n") << false;
    QTest::newRow("known size, HTTP/1.0")
        << qint64(0) << 0 << true << QByteArray("\r\ncontent-length: 0\r\n") << false;
    QTest::newRow("unknown size") << qint64(-1) << 1 << true
                                  << QByteArray("\r\ntransfer-encoding: chunked\r\n") << false;
    QTest::newRow("unknown size, HTTP/1.0: the close ends it")
        << qint64(-1) << 0 << true << QByteArray() << true;
}

void TestHttp::serializeStreamedHead()
{
    QFETCH(qint64, size);
    QFETCH(int, minorVersion);
    QFETCH(bool, keepAlive);
    QFETCH(QByteArray, framing);
    QFETCH(bool, closes);
    const HttpResponse response
        = HttpResponse::streamed(std::make_shared<SizedSource>(size), "application/json");
    const QByteArray head = serializeResponse(response, keepAlive, minorVersion, {});
    QVERIFY(head.endsWith("\r\n\r\n")); // the head only: the body follows as it is produced
    if (framing.isEmpty()) {
        QVERIFY(!head.contains("content-length") && !head.contains("transfer-encoding"));
    } else {
        QVERIFY2(head.contains(framing), head.constData());
    }
    QCOMPARE(head.contains("\r\nconnection: close\r\n"), closes);
    QCOMPARE(bodyFraming(response, minorVersion) == BodyFraming::UntilClose, closes);
    QCOMPARE(chunkFrame("hello"), QByteArray("5\r\nhello\r\n"));
    QCOMPARE(chunkFrame(QByteArray(26, 'x')).first(4), QByteArray("1a\r\n"));
    QCOMPARE(chunkFrame({}), QByteArray("0\r\n\r\n"));
}

void TestHttp::jsonWriter_data()
{
    QTest::addColumn<QJsonObject>("object");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("numbers") << QJsonObject { { QStringLiteral("a"), 2 },
        { QStringLiteral("b"), 9.5 }, { QStringLiteral("c"), -0.1 }, { QStringLiteral("d"), 1e20 } }
                             << QByteArray(R"({"a":2,"b":9.5,"c":-0.1,"d":1e+20})");
    QTest::newRow("escapes") << QJsonObject {
        { QStringLiteral("s"), QStringLiteral("quote \" back \\ nl \n tab \t bell \u0007") }
    } << QByteArray(R"({"s":"quote \" back \\ nl \n tab \t bell \u0007"})");
    QTest::newRow("unicode as utf-8")
        << QJsonObject { { QStringLiteral("name"), QStringLiteral("café ☕") } }
        << QStringLiteral(R"({"name":"café ☕"})").toUtf8();
    QTest::newRow("nested") << QJsonObject { { QStringLiteral("detail"),
        QJsonArray {
            QJsonObject { { QStringLiteral("loc"), QJsonArray { QStringLiteral("query"), 1 } } },
            true, QJsonValue() } } }
                            << QByteArray(R"({"detail":[{"loc":["query",1]},true,null]})");
    QTest::newRow("not finite") << QJsonObject { { QStringLiteral("x"), std::nan("") } }
                                << QByteArray(R"({"x":null})");
}

void TestHttp::jsonWriter()
{
    QFETCH(QJsonObject, object);
    QFETCH(QByteArray, expected);
    const HttpResponse response = HttpResponse::json(object);
    QCOMPARE(response.body, expected);
    QVERIFY(!QJsonDocument::fromJson(response.body).isNull());
}

void TestHttp::modeAssignments_data()
{
    QTest::addColumn<QString>("assignment");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QString>("asyncVariant");
    QTest::addColumn<QString>("productVariant");

    QTest::newRow("full key") << QStringLiteral("GET /async=blocking") << true
                              << QStringLiteral("blocking") << QStringLiteral("async");
    QTest::newRow("path only") << QStringLiteral("/async=threadpool") << true
                               << QStringLiteral("threadpool") << QStringLiteral("async");
    QTest::newRow("star skips routes without it")
        << QStringLiteral("*=blocking") << true << QStringLiteral("blocking")
        << QStringLiteral("async");
    QTest::newRow("star threadpool")
        << QStringLiteral("*=threadpool") << true << QStringLiteral("threadpool")
        << QStringLiteral("threadpool");
    QTest::newRow("unknown route") << QStringLiteral("/nope=async") << false
                                   << QStringLiteral("async") << QStringLiteral("async");
    QTest::newRow("unknown variant") << QStringLiteral("/async=fast") << false
                                     << QStringLiteral("async") << QStringLiteral("async");
    QTest::newRow("not offered") << QStringLiteral("/products/=blocking") << false
                                 << QStringLiteral("async") << QStringLiteral("async");
    QTest::newRow("no equals") << QStringLiteral("/async") << false << QStringLiteral("async")
                               << QStringLiteral("async");
}

void TestHttp::modeAssignments()
{
    QFETCH(QString, assignment);
    QFETCH(bool, accepted);
    QFETCH(QString, asyncVariant);
    QFETCH(QString, productVariant);

    ModeTable modes;
    const int asyncRoute
        = modes.add(QStringLiteral("GET /async"), allVariants, HandlerVariant::Async);
    const int productRoute = modes.add(QStringLiteral("GET /products/"),
        variantBit(HandlerVariant::Async) | variantBit(HandlerVariant::ThreadPool),
        HandlerVariant::Async);
    QCOMPARE(bool(modes.applyAssignment(assignment)), accepted);
    QCOMPARE(variantName(modes.variant(asyncRoute)), asyncVariant);
    QCOMPARE(variantName(modes.variant(productRoute)), productVariant);
}

void TestHttp::clientTimes_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qint64>("arrived");
    QTest::addColumn<qint64>("expectedSent");
    QTest::addColumn<qint64>("expectedArrived");
    // Read at 100 s on the trace clock; arrived at 99 s unless a row says otherwise.
    constexpr qint64 s = 1'000'000'000;
    constexpr qint64 ms = 1'000'000;
    QTest::newRow("sent, then arrived") << QByteArray("98000000000") << 99 * s << 98 * s << 99 * s;
    QTest::newRow("no header: the kernel's word alone") << QByteArray() << 99 * s << 0ll << 99 * s;
    QTest::newRow("no kernel stamp: the client's word alone")
        << QByteArray("98000000000") << 0ll << 98 * s << 0ll;
    QTest::newRow("neither") << QByteArray() << 0ll << 0ll << 0ll;
    QTest::newRow("sent just after arrival: the clock mapping's slack")
        << QByteArray::number(99 * s + ms / 2) << 99 * s << 99 * s + ms / 2 << 99 * s;
    QTest::newRow("sent later than it arrived")
        << QByteArray::number(99 * s + 2 * ms) << 99 * s << 0ll << 99 * s;
    QTest::newRow("sent in the future") << QByteArray::number(101 * s) << 0ll << 0ll << 0ll;
    QTest::newRow("sent as it was read") << QByteArray::number(100 * s) << 0ll << 100 * s << 0ll;
    QTest::newRow("sent over a minute ago") << QByteArray::number(39 * s) << 0ll << 0ll << 0ll;
    QTest::newRow("sent a minute ago") << QByteArray::number(40 * s) << 0ll << 40 * s << 0ll;
    QTest::newRow("arrived over a minute ago") << QByteArray() << 39 * s << 0ll << 0ll;
    QTest::newRow("arrived after it was read") << QByteArray() << 100 * s + 1 << 0ll << 0ll;
    QTest::newRow("garbage") << QByteArray("soon") << 99 * s << 0ll << 99 * s;
    QTest::newRow("digits then garbage") << QByteArray("98000000000ns") << 99 * s << 0ll << 99 * s;
    QTest::newRow("negative") << QByteArray("-98000000000") << 99 * s << 0ll << 99 * s;
    QTest::newRow("plus sign") << QByteArray("+98000000000") << 99 * s << 0ll << 99 * s;
    QTest::newRow("zero") << QByteArray("0") << 99 * s << 0ll << 99 * s;
    QTest::newRow("inner space") << QByteArray("98 000000000") << 99 * s << 0ll << 99 * s;
    QTest::newRow("overflow") << QByteArray("99999999999999999999999") << 99 * s << 0ll << 99 * s;
    QTest::newRow("hex") << QByteArray("0x16d14a4e00") << 99 * s << 0ll << 99 * s;
    QTest::newRow("fraction") << QByteArray("98000000000.5") << 99 * s << 0ll << 99 * s;
}

void TestHttp::clientTimes()
{
    QFETCH(QByteArray, header);
    QFETCH(qint64, arrived);
    QFETCH(qint64, expectedSent);
    QFETCH(qint64, expectedArrived);
    const ClientTimes times = plausibleClientTimes(header, arrived, 100'000'000'000);
    QCOMPARE(times.sent, expectedSent);
    QCOMPARE(times.arrived, expectedArrived);
    QCOMPARE(times.known(), expectedSent != 0 || expectedArrived != 0);
}

void TestHttp::arrivalMarks_data()
{
    // Reads as "bytes@time", then the requests parsed from them, by size: each request is
    // dated by the read that brought its first byte.
    QTest::addColumn<Reads>("reads");
    QTest::addColumn<QList<int>>("requests");
    QTest::addColumn<QList<qint64>>("dates");
    QTest::newRow("one request a read")
        << Reads { { 40, 1 }, { 40, 2 } } << QList<int> { 40, 40 } << QList<qint64> { 1, 2 };
    QTest::newRow("pipelined in one read share it")
        << Reads { { 120, 5 } } << QList<int> { 40, 40, 40 } << QList<qint64> { 5, 5, 5 };
    QTest::newRow("spread over reads: the first")
        << Reads { { 10, 1 }, { 10, 2 }, { 20, 3 } } << QList<int> { 40 } << QList<qint64> { 1 };
    QTest::newRow("the next begins inside the later read")
        << Reads { { 30, 1 }, { 50, 2 } } << QList<int> { 40, 40 } << QList<qint64> { 1, 2 };
    QTest::newRow("the next begins exactly at a read")
        << Reads { { 40, 1 }, { 40, 2 } } << QList<int> { 40, 40 } << QList<qint64> { 1, 2 };
    QTest::newRow("unknown stays unknown")
        << Reads { { 40, 0 }, { 40, 7 } } << QList<int> { 40, 40 } << QList<qint64> { 0, 7 };
    // A long body in many reads: the marks run out and the newest takes the later times; the
    // request still gets its first read's date, the one after the body a date no earlier
    // than its own read's.
    QTest::newRow("more reads than marks")
        << Reads { { 10, 1 }, { 10, 2 }, { 10, 3 }, { 10, 4 }, { 10, 5 }, { 10, 6 }, { 40, 9 } }
        << QList<int> { 60, 40 } << QList<qint64> { 1, 9 };
}

void TestHttp::arrivalMarks()
{
    QFETCH(Reads, reads);
    QFETCH(QList<int>, requests);
    QFETCH(QList<qint64>, dates);
    ArrivalMarks marks;
    QCOMPARE(marks.next(), qint64(0)); // nothing read yet
    for (const auto &[bytes, arrived] : reads)
        marks.received(std::size_t(bytes), arrived);
    QList<qint64> dated;
    for (const int size : requests) {
        dated.append(marks.next());
        marks.consume(std::size_t(size));
    }
    QCOMPARE(dated, dates);
    QCOMPARE(marks.next(), qint64(0)); // all consumed
    marks.received(10, 42);
    QCOMPARE(marks.next(), qint64(42));
    marks.clear();
    QCOMPARE(marks.next(), qint64(0));
}

QTEST_GUILESS_MAIN(TestHttp)
#include "tst_http.moc"
