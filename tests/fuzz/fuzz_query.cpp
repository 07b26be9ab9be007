// A request target ("/items/7?delay=0.5") through the parameter parsing of the routes: the path
// matched against the course's parameterised patterns (percent-decoded path parameters), the
// query decoded by QueryParams, then the same typed ParamReader reads, with the same defaults
// and bounds, that the route handlers make.

#include "routing/paramreader.h"
#include "routing/queryparams.h"
#include "routing/router.h"

#include <QJsonDocument>
#include <QUrl>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace loopscope;

namespace {

[[noreturn]] void fail(const char *what, const QString &detail = {})
{
    std::fprintf(stderr, "fuzz_query: %s %s\n", what, qPrintable(detail));
    std::abort();
}

const Router &parameterisedRoutes()
{
    static const Router *router = [] {
        auto *routes = new Router;
        for (const char *pattern : { "/users/{user_id}", "/products/{product_id}",
                 "/items/{item_id}", "/posts/{post_id}", "/weather/{city}", "/files/{name}" }) {
            routes->add(Route::control("GET", QString::fromLatin1(pattern), {}, {}));
        }
        return routes;
    }();
    return *router;
}

// A handler dereferences what the reader returns once ok() holds, and trusts the bounds.
template <typename T>
void checkRead(
    const ParamReader &reader, const std::optional<T> &value, bool required, Bounds bounds = {})
{
    if (required && reader.ok() && !value)
        fail("ok() without a value for a required parameter");
    if (!value)
        return;
    if constexpr (std::is_floating_point_v<T>) {
        // Written as "not inside" so that a NaN, which compares false both ways, is caught.
        if ((bounds.ge && !(*value >= *bounds.ge)) || (bounds.le && !(*value <= *bounds.le)))
            fail("a number outside its bounds was accepted", QString::number(*value));
    } else if constexpr (std::is_integral_v<T>) {
        if ((bounds.ge && double(*value) < *bounds.ge)
            || (bounds.le && double(*value) > *bounds.le))
            fail("an integer outside its bounds was accepted", QString::number(*value));
    }
}

void checkErrors(const ParamReader &reader)
{
    if (reader.ok())
        return;
    const http::HttpResponse response = reader.errorResponse();
    const QJsonDocument body = QJsonDocument::fromJson(response.body);
    if (response.status != 422 || body[QStringLiteral("detail")].toArray().isEmpty())
        fail("a failed read did not produce a 422 with a detail list",
            QString::fromUtf8(response.body));
}

// One reader per route, in the order the route reads.
void readLikeTheRoutes(const PathParams &path, const QueryParams &query)
{
    {
        ParamReader sleep(path, query); // /sync, /async
        const Bounds bounds { 0.0, 60.0 };
        checkRead(sleep, sleep.queryNumber(QStringLiteral("delay"), 2.0, bounds), true, bounds);
        checkErrors(sleep);
    }
    {
        ParamReader user(path, query); // POST /users/, POST /signup
        checkRead(user, user.queryString(QStringLiteral("username")), true);
        checkRead(user, user.queryString(QStringLiteral("email")), true);
        checkErrors(user);
    }
    for (const QString &name :
        { QStringLiteral("user_id"), QStringLiteral("product_id"), QStringLiteral("post_id") }) {
        ParamReader byId(path, query); // GET /users/{id}, /products/{id}, DELETE /posts/{id}
        checkRead(byId, byId.pathInt(name), true);
        checkErrors(byId);
    }
    {
        ParamReader product(path, query); // POST /products/
        checkRead(product, product.queryString(QStringLiteral("name")), true);
        checkRead(product, product.queryNumber(QStringLiteral("price")), true);
        checkErrors(product);
    }
    {
        ParamReader cpu(path, query); // GET /cpu
        const Bounds bounds { 1.0, 200'000'000.0 };
        checkRead(cpu, cpu.queryInt(QStringLiteral("n"), 2'000'000, bounds), true, bounds);
        checkErrors(cpu);
    }
    const Bounds delayBounds { 0.0, 60.0 };
    {
        ParamReader item(path, query); // GET /items/{item_id}, likewise GET /posts/{post_id}
        checkRead(item, item.pathInt(QStringLiteral("item_id")), true);
        checkRead(
            item, item.queryNumber(QStringLiteral("delay"), 0.0, delayBounds), true, delayBounds);
        checkErrors(item);
    }
    {
        ParamReader posts(path, query); // POST /posts/, PUT /posts/{post_id}, GET /posts/
        checkRead(posts, posts.pathInt(QStringLiteral("post_id")), true);
        checkRead(posts, posts.queryString(QStringLiteral("title")), true);
        checkRead(posts, posts.queryString(QStringLiteral("content")), true);
        checkRead(posts, posts.queryString(QStringLiteral("author")), true);
        const Bounds nonNegative { 0.0, std::nullopt };
        checkRead(posts, posts.queryInt(QStringLiteral("skip"), 0, nonNegative), true, nonNegative);
        checkRead(
            posts, posts.queryInt(QStringLiteral("limit"), 10, nonNegative), true, nonNegative);
        checkRead(
            posts, posts.queryNumber(QStringLiteral("delay"), 0.0, delayBounds), true, delayBounds);
        checkErrors(posts);
    }
    {
        ParamReader named(path, query); // GET /weather/{city}, GET /files/{name}
        checkRead(named, named.pathString(QStringLiteral("city")), true);
        checkRead(named, named.pathString(QStringLiteral("name")), true);
        checkErrors(named);
    }
    {
        ParamReader scrape(path, query); // GET /scrape
        const Bounds timeoutBounds { 0.001, 120.0 };
        const Bounds concurrencyBounds { 1.0, 1000.0 };
        checkRead(scrape, scrape.queryNumber(QStringLiteral("timeout"), 10.0, timeoutBounds), true,
            timeoutBounds);
        checkRead(scrape, scrape.queryInt(QStringLiteral("concurrency"), 10, concurrencyBounds),
            true, concurrencyBounds);
        checkErrors(scrape);
        for (const QString &url : query.values(QStringLiteral("url")))
            (void)QUrl(url, QUrl::StrictMode).host();
    }
    // Repeated keys: value() is the last of values(), as Starlette's query_params.get does. The
    // first few keys are enough: each check scans every item.
    const qsizetype checkedKeys = qMin<qsizetype>(16, qsizetype(query.items().size()));
    for (qsizetype i = 0; i < checkedKeys; ++i) {
        const QString &key = query.items()[std::size_t(i)].first;
        const QStringList all = query.values(key);
        if (all.isEmpty() || query.value(key) != all.last())
            fail("value() is not the last of values()", key);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView target(data, static_cast<qsizetype>(size));
    const qsizetype question = target.indexOf('?');
    const QByteArrayView path = question < 0 ? target : target.first(question);
    const QByteArrayView rawQuery = question < 0 ? QByteArrayView() : target.sliced(question + 1);
    const Router::Match match = parameterisedRoutes().match("GET", path);
    readLikeTheRoutes(match.params, QueryParams(rawQuery));
    return 0;
}
