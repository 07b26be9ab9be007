// A request target ("/items/7?delay=0.5") through the parameter parsing of the real route
// table: the path matched by the server's Router (percent-decoded path parameters), the query
// decoded by QueryParams, then every route's declared parameters read through ParamReader as
// its handler reads them, by their declarations (type, bounds, default, choices).

#include "routing/paramreader.h"
#include "routing/queryparams.h"
#include "routing/router.h"
#include "support/routetable.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>

using namespace loopscope;

namespace {

[[noreturn]] void fail(const char *what, const QString &detail = {})
{
    std::fprintf(stderr, "fuzz_query: %s %s\n", what, qPrintable(detail));
    std::abort();
}

// The real route table; handlers are never called, so their state only has to exist.
const testing::RouteTable &table()
{
    static int argc = 1;
    static char name[] = "fuzz_query";
    static char *argv[] = { name, nullptr };
    static QCoreApplication app(argc, argv);
    static const testing::RouteTable instance;
    return instance;
}

// A handler dereferences what the reader returns once ok() holds, and trusts the bounds.
template <typename T>
void checkRead(const ParamReader &reader, const std::optional<T> &value, const Param &param)
{
    if (!param.optionalWithoutDefault() && reader.ok() && !value)
        fail("ok() without a value for a parameter that has one", param.name);
    if (!value)
        return;
    if constexpr (std::is_arithmetic_v<T>) {
        // Written as "not inside" so that a NaN, which compares false both ways, is caught.
        const double number = double(*value);
        if ((param.minimum && !(number >= *param.minimum))
            || (param.maximum && !(number <= *param.maximum)))
            fail("a number outside its declared bounds was accepted",
                param.name + u'=' + QString::number(number));
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

void readDeclared(ParamReader &reader, const Param &param)
{
    if (!param.choices.isEmpty()) {
        const std::optional<qsizetype> index = reader.choice(param);
        if (index && (*index < 0 || *index >= param.choices.size()))
            fail("a choice outside the declared ones", param.name);
    } else if (param.type == u"integer") {
        checkRead(reader, reader.integer(param), param);
    } else if (param.type == u"number") {
        checkRead(reader, reader.number(param), param);
    } else {
        checkRead(reader, reader.string(param), param);
    }
}

// Every route reads the query with its own declarations; the route the path matched also gets
// its path parameters, the others none (so theirs are missing, and a 422).
void readLikeTheRoutes(QByteArrayView path, const QueryParams &query)
{
    const Router &router = table().router;
    std::map<int, PathParams> matched;
    for (const char *method : { "GET", "POST", "PUT", "DELETE" }) {
        Router::Match match = router.match(method, path);
        if (match.kind == Router::Match::Kind::Found)
            matched.emplace(match.routeIndex, std::move(match.params));
    }
    const PathParams none;
    for (std::size_t i = 0; i < router.routes().size(); ++i) {
        const auto found = matched.find(int(i));
        ParamReader reader(found == matched.end() ? none : found->second, query);
        for (const Param &param : router.routes()[i].params)
            readDeclared(reader, param);
        checkErrors(reader);
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
    readLikeTheRoutes(path, QueryParams(rawQuery));
    return 0;
}
