// The control API's access decision over the real route table: whatever a request's method,
// target, Host, content type and token, a closed API or a wrong token lets no request reach a
// control route, and no spelling of a control path routes anywhere else.
//
// Input: one byte of choices, then either a control path to spell (the next bytes choose which
// characters are percent-encoded and in which hex case) or a raw request head of four lines:
// method, target, Host, the rest as Content-Type then Authorization.

#include "routing/controlaccess.h"
#include "support/routetable.h"

#include <QCoreApplication>
#include <QUrl>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace loopscope;

namespace {

[[noreturn]] void fail(const char *what, const http::HttpRequest &request)
{
    std::fprintf(stderr, "fuzz_control_access: %s\n%s %s\nhost: %s\n", what,
        request.method.constData(), request.path.constData(), request.header("host").constData());
    std::abort();
}

const QByteArray token = QByteArrayLiteral("fuzz-t0ken");

// The real route table; handlers are never called, so their state only has to exist.
struct Table : testing::RouteTable
{
    std::vector<int> controlRoutes;

    Table()
    {
        for (std::size_t i = 0; i < router.routes().size(); ++i) {
            if (router.routes()[i].isControlApi())
                controlRoutes.push_back(static_cast<int>(i));
        }
        if (controlRoutes.empty())
            std::abort();
    }
};

Table &table()
{
    static int argc = 1;
    static char name[] = "fuzz_control_access";
    static char *argv[] = { name, nullptr };
    static QCoreApplication app(argc, argv);
    static Table instance;
    return instance;
}

// Takes bytes from the front of the input; zeros once it runs out.
struct Reader
{
    QByteArrayView data;
    std::uint8_t next()
    {
        if (data.isEmpty())
            return 0;
        const auto byte = static_cast<std::uint8_t>(data.front());
        data = data.sliced(1);
        return byte;
    }
    QByteArray line()
    {
        const qsizetype newline = data.indexOf('\n');
        const QByteArrayView taken = newline < 0 ? data : data.first(newline);
        data = newline < 0 ? QByteArrayView() : data.sliced(newline + 1);
        return taken.toByteArray();
    }
};

// A control route's path with each character but '/' percent-encoded where the input says.
QByteArray spelled(const QString &pattern, Reader &reader)
{
    QByteArray path;
    for (QChar c : pattern) {
        const char latin = c.toLatin1();
        const std::uint8_t choice = reader.next();
        if (latin == '/' || (choice & 1) == 0) {
            path += latin;
            continue;
        }
        const QByteArray hex = QByteArray(1, latin).toHex();
        path += '%' + ((choice & 2) ? hex.toUpper() : hex);
    }
    return path;
}

void checkDecision(const ControlAccess &access, const http::HttpRequest &request,
    bool callerMayPass, bool spelledControlPath, int spelledRoute)
{
    const Router &router = table().router;
    const Router::Match match = router.match(request.method, request.path);
    const std::optional<http::HttpResponse> refusal = access.admit(request, match);
    const bool reachesControlRoute
        = match.kind == Router::Match::Kind::Found && router.route(match.routeIndex).isControlApi();
    if (reachesControlRoute && !refusal && !callerMayPass)
        fail("a control route was reached past a closed API or a missing token", request);
    if (match.touchesControlApi && !refusal && !callerMayPass)
        fail("a control route's 404, 405 or 307 was answered past a closed API", request);
    if (spelledControlPath) {
        // Every spelling routes to its route (or tells its methods apart with a 405).
        if (match.kind == Router::Match::Kind::Found && match.routeIndex != spelledRoute
            && !router.route(match.routeIndex).isControlApi())
            fail("a spelling of a control path routed to a public route", request);
        if (!match.touchesControlApi)
            fail("a spelling of a control path escaped the access decision", request);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    Table &tables = table();
    Reader reader { QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)) };
    const std::uint8_t choices = reader.next();

    http::HttpRequest request;
    bool spelledControlPath = false;
    int spelledRoute = -1;
    if (choices & 1) {
        spelledRoute = tables.controlRoutes[reader.next() % tables.controlRoutes.size()];
        const Route &route = tables.router.route(spelledRoute);
        request.method = route.method;
        request.path = spelled(route.pattern, reader);
        spelledControlPath = true;
        request.headers.emplace_back("host", reader.line());
    } else {
        request.method = reader.line();
        request.path = reader.line();
        request.headers.emplace_back("host", reader.line());
        request.headers.emplace_back("content-type", reader.line());
    }
    if (choices & 2)
        request.headers.emplace_back("authorization", "Bearer " + token);
    else if (choices & 4)
        request.headers.emplace_back("authorization", reader.line());
    const bool presentsToken = (choices & 2) != 0;

    const QHostAddress loopback(QHostAddress::LocalHost);
    const ControlAccess off = ControlAccess::resolve(loopback, false, token);
    const ControlAccess withToken = ControlAccess::resolve(loopback, true, token);
    const ControlAccess open = ControlAccess::resolve(loopback, true, {});
    const ControlAccess beyondLoopback = ControlAccess::resolve(QHostAddress::AnyIPv4, true, {});
    checkDecision(off, request, false, spelledControlPath, spelledRoute);
    checkDecision(beyondLoopback, request, false, spelledControlPath, spelledRoute);
    checkDecision(withToken, request, presentsToken, spelledControlPath, spelledRoute);
    checkDecision(open, request, open.isTrustedHost(request.header("host")), spelledControlPath,
        spelledRoute);
    return 0;
}
