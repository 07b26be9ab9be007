#include "databaseroutes.h"

#include "core/serverlog.h"
#include "db/databasepool.h"
#include "db/itemservice.h"
#include "db/postservice.h"
#include "http/validationerror.h"
#include "routing/requestcontext.h"
#include "routing/router.h"
#include "routing/settingtable.h"
#include "serverlogging.h"

#include <QJsonDocument>

namespace loopscope {

using db::DbResult;
using http::HttpResponse;

namespace {

const Param delayParam
    = Param::query(QStringLiteral("delay"), QStringLiteral("number"), false, QStringLiteral("0"),
        QStringLiteral("seconds the query takes (pg_sleep; a worker sleep on SQLite)"), 0, 60);
const Param itemIdParam = Param::path(QStringLiteral("item_id"));
const Param postIdParam = Param::path(QStringLiteral("post_id"));
const Param titleParam = Param::query(QStringLiteral("title"), QStringLiteral("string"), true);
const Param contentParam = Param::query(QStringLiteral("content"), QStringLiteral("string"), true);
const Param authorParam = Param::query(QStringLiteral("author"), QStringLiteral("string"), true);
const Param skipParam = Param::query(QStringLiteral("skip"), QStringLiteral("integer"), false,
    QStringLiteral("0"), QStringLiteral("rows to skip"), 0);
const Param limitParam = Param::query(QStringLiteral("limit"), QStringLiteral("integer"), false,
    QStringLiteral("10"), QStringLiteral("rows to return at most"), 0);

// The bodies the routes read and answer, as /openapi.json describes them.
const Payload itemAnswer = Payload::json(QStringLiteral("Item"),
    schema::object(
        { { QStringLiteral("id"), schema::integer() }, { QStringLiteral("name"), schema::string() },
            { QStringLiteral("price"), schema::number() } },
        { QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("price") }));
const Payload csvItems = Payload::text({ QStringLiteral("text/csv"), QStringLiteral("text/plain") },
    QStringLiteral("name,price\nWidget,9.99\nGadget,19.5\n"));
const Payload importAnswer = Payload::json(QStringLiteral("ImportResult"),
    schema::object(
        { { QStringLiteral("imported"), schema::integer(QStringLiteral("rows inserted")) } },
        { QStringLiteral("imported") }));
const Payload postAnswer = Payload::json(QStringLiteral("Post"),
    schema::object({ { QStringLiteral("id"), schema::integer() },
                       { QStringLiteral("title"), schema::string() },
                       { QStringLiteral("content"), schema::string() },
                       { QStringLiteral("author"), schema::string() } },
        { QStringLiteral("id"), QStringLiteral("title"), QStringLiteral("content"),
            QStringLiteral("author") }));
const Payload postListAnswer
    = Payload::json({}, schema::arrayOf(schema::reference(postAnswer.name)));
const Payload poolingSwitch = Payload::json(QStringLiteral("PoolingSwitch"),
    schema::closedObject({ { QStringLiteral("pooling"),
                             schema::boolean(QStringLiteral("false: a connection per request")) } },
        { QStringLiteral("pooling") }),
    QJsonObject { { QStringLiteral("pooling"), false } });
const Payload databaseAnswer = Payload::json(QStringLiteral("DatabaseState"),
    schema::object(
        { { QStringLiteral("configured"),
              schema::boolean(QStringLiteral("present (false) only without a database")) },
            { QStringLiteral("backend"), schema::string() },
            { QStringLiteral("url"), schema::string() },
            { QStringLiteral("pooling"), schema::boolean() },
            { QStringLiteral("min_size"), schema::integer() },
            { QStringLiteral("max_size"), schema::integer() },
            { QStringLiteral("workers"), schema::integer() },
            { QStringLiteral("busy"), schema::integer() },
            { QStringLiteral("queued"), schema::integer() },
            { QStringLiteral("connections_opened"), schema::integer() } }));

// A database that cannot be reached is the server's problem of the moment (503, try again); a
// failed statement is a bug (500, logged).
template <typename T>
std::optional<HttpResponse> failureResponse(const DbResult<T> &result, RequestContext &context)
{
    if (result)
        return std::nullopt;
    if (result.kind() == ErrorKind::Io)
        return HttpResponse::detail(
            503, QStringLiteral("Database unavailable: %1").arg(result.message()));
    context.services.log.error(
        QStringLiteral("%1: database error: %2").arg(context.route.key(), result.message()));
    return HttpResponse::detail(500, QStringLiteral("Database error"));
}

// The tail of every read-one route: database failure, then FastAPI's 404, then the row.
template <typename T>
HttpResponse foundOr404(
    const DbResult<std::optional<T>> &result, RequestContext &context, const QString &notFound)
{
    if (auto failed = failureResponse(result, context))
        return *failed;
    if (!result.value)
        return HttpResponse::detail(404, notFound);
    return HttpResponse::json(*result.value);
}

HttpResponse noDatabase()
{
    return HttpResponse::detail(
        503, QStringLiteral("Database unavailable: no database configured"));
}

struct DatabaseApi
{
    db::DatabasePool *pool = nullptr; // null without a database: see needing()
    std::unique_ptr<db::ItemService> items;
    std::unique_ptr<db::PostService> posts;

    QCoro::Task<HttpResponse> getItem(RequestContext &context)
    {
        ParamReader params = context.params();
        const auto itemId = params.integer(itemIdParam);
        const auto delay = params.number(delayParam);
        if (!params.ok())
            co_return params.errorResponse();
        auto itemTask = items->getItem(context, *itemId, *delay); // named: see dbCall
        const auto item = co_await itemTask;
        co_return foundOr404(item, context, QStringLiteral("Item not found"));
    }

    QCoro::Task<HttpResponse> importItems(RequestContext &context)
    {
        BodyReader body(context.route, context.incoming.request);
        const QByteArray csv = body.bytes();
        if (!body.ok())
            co_return body.errorResponse();
        auto outcomeTask = items->importCsv(context, csv); // named: see dbCall
        const auto outcome = co_await outcomeTask;
        if (auto failed = failureResponse(outcome, context)) {
            HttpResponse failure = std::move(*failed);
            co_return failure;
        }
        if (!outcome.value.errors.isEmpty())
            co_return http::validationErrors(outcome.value.errors);
        if (outcome.value.imported == 0) {
            co_return http::validationError(http::bodyLocation(),
                QStringLiteral("no rows to import"), QStringLiteral("value_error.missing"));
        }
        co_return HttpResponse::json(
            QJsonObject { { QStringLiteral("imported"), outcome.value.imported } });
    }

    QCoro::Task<HttpResponse> createPost(RequestContext &context)
    {
        ParamReader params = context.params();
        const auto title = params.string(titleParam);
        const auto content = params.string(contentParam);
        const auto author = params.string(authorParam);
        if (!params.ok())
            co_return params.errorResponse();
        auto postTask = posts->createPost(context, *title, *content, *author); // named: see dbCall
        const auto post = co_await postTask;
        if (auto failed = failureResponse(post, context)) {
            HttpResponse failure = std::move(*failed);
            co_return failure;
        }
        co_return HttpResponse::json(post.value);
    }

    QCoro::Task<HttpResponse> listPosts(RequestContext &context)
    {
        ParamReader params = context.params();
        const auto skip = params.integer(skipParam);
        const auto limit = params.integer(limitParam);
        const auto delay = params.number(delayParam);
        if (!params.ok())
            co_return params.errorResponse();
        auto listTask = posts->listPosts(context, *skip, *limit, *delay); // named: see dbCall
        const auto list = co_await listTask;
        if (auto failed = failureResponse(list, context)) {
            HttpResponse failure = std::move(*failed);
            co_return failure;
        }
        co_return HttpResponse::json(list.value);
    }

    QCoro::Task<HttpResponse> getPost(RequestContext &context)
    {
        ParamReader params = context.params();
        const auto postId = params.integer(postIdParam);
        const auto delay = params.number(delayParam);
        if (!params.ok())
            co_return params.errorResponse();
        auto postTask = posts->getPost(context, *postId, *delay); // named: see dbCall
        const auto post = co_await postTask;
        co_return foundOr404(post, context, QStringLiteral("Post not found"));
    }

    QCoro::Task<HttpResponse> updatePost(RequestContext &context)
    {
        ParamReader params = context.params();
        const auto postId = params.integer(postIdParam);
        const auto title = params.string(titleParam);
        const auto content = params.string(contentParam);
        if (!params.ok())
            co_return params.errorResponse();
        auto postTask = posts->updatePost(context, *postId, *title, *content); // named: see dbCall
        const auto post = co_await postTask;
        co_return foundOr404(post, context, QStringLiteral("Post not found"));
    }

    QCoro::Task<HttpResponse> deletePost(RequestContext &context)
    {
        ParamReader params = context.params();
        const auto postId = params.integer(postIdParam);
        if (!params.ok())
            co_return params.errorResponse();
        auto deletedTask = posts->deletePost(context, *postId); // named: see dbCall
        const auto deleted = co_await deletedTask;
        if (auto failed = failureResponse(deleted, context)) {
            HttpResponse failure = std::move(*failed);
            co_return failure;
        }
        if (!deleted.value)
            co_return HttpResponse::detail(404, QStringLiteral("Post not found"));
        co_return HttpResponse::json(QJsonObject {
            { QStringLiteral("message"), QStringLiteral("Post deleted successfully") } });
    }

    QJsonObject describe() const
    {
        if (!pool)
            return { { QStringLiteral("configured"), false } };
        const db::DatabasePool::Stats stats = pool->stats();
        return { { QStringLiteral("backend"), pool->url().backendName() },
            { QStringLiteral("url"), pool->url().displayText() },
            { QStringLiteral("pooling"), pool->pooling() },
            { QStringLiteral("min_size"), pool->minSize() },
            { QStringLiteral("max_size"), pool->maxSize() },
            { QStringLiteral("workers"), stats.workers }, { QStringLiteral("busy"), stats.busy },
            { QStringLiteral("queued"), stats.queued },
            { QStringLiteral("connections_opened"), qint64(db::DbConnection::openedTotal()) } };
    }

    QJsonObject readSettings() const { return { { QStringLiteral("pooling"), pool->pooling() } }; }

    void writeSettings(const QJsonObject &change)
    {
        const bool pooling = change.value(QStringLiteral("pooling")).toBool();
        pool->setPooling(pooling);
        qCInfo(lcDb) << "connection pooling" << (pooling ? "on" : "off");
    }

    HttpResponse putSettings(RequestContext &context, SettingTable &settings)
    {
        BodyReader body(context.route, context.incoming.request);
        const QJsonObject change = body.object();
        if (!body.ok())
            return body.errorResponse();
        if (const Result written = settings.setGroup(QStringLiteral("database"), change); !written)
            return HttpResponse::detail(503, written.message());
        return HttpResponse::json(describe());
    }
};

} // namespace

void addDatabaseRoutes(Router &router, db::DatabasePool *pool, SettingTable &settings)
{
    auto api = std::make_shared<DatabaseApi>();
    api->pool = pool;
    if (pool) {
        api->items = std::make_unique<db::ItemService>(*pool);
        api->posts = std::make_unique<db::PostService>(*pool);
        settings.add({ QStringLiteral("database"), poolingSwitch.schema,
            [api] { return api->readSettings(); },
            [api](const QJsonObject &change) { api->writeSettings(change); } });
    }
    auto needsDatabase = [pool](Route route) {
        return needing(std::move(route), QStringLiteral("database"), pool != nullptr, noDatabase());
    };

    router.add(needsDatabase(Route { "GET", QStringLiteral("/items/{item_id}"),
        QStringLiteral("asyncpg pool.fetchrow: one item by id; 404 when unknown"), standardVariants,
        HandlerVariant::Async, { itemIdParam, delayParam }, [api](RequestContext &c) {
            return api->getItem(c);
        } }.answering(itemAnswer)));
    router.add(needsDatabase(Route { "POST", QStringLiteral("/items/import"),
        QStringLiteral("CSV upload (name,price rows): validated, inserted in one transaction"),
        standardVariants, HandlerVariant::Async, {},
        [api](RequestContext &c) { return api->importItems(c); } }
                                 .accepting(csvItems)
                                 .answering(importAnswer)));
    router.add(needsDatabase(Route { "POST", QStringLiteral("/posts/"),
        QStringLiteral("PostService.create_post"), standardVariants, HandlerVariant::Async,
        { titleParam, contentParam, authorParam }, [api](RequestContext &c) {
            return api->createPost(c);
        } }.answering(postAnswer)));
    router.add(needsDatabase(Route { "GET", QStringLiteral("/posts/"),
        QStringLiteral("PostService.get_all_posts (offset/limit)"), standardVariants,
        HandlerVariant::Async, { skipParam, limitParam, delayParam }, [api](RequestContext &c) {
            return api->listPosts(c);
        } }.answering(postListAnswer)));
    router.add(needsDatabase(Route { "GET", QStringLiteral("/posts/{post_id}"),
        QStringLiteral("PostService.get_post; 404 when unknown"), standardVariants,
        HandlerVariant::Async, { postIdParam, delayParam }, [api](RequestContext &c) {
            return api->getPost(c);
        } }.answering(postAnswer)));
    router.add(needsDatabase(Route { "PUT", QStringLiteral("/posts/{post_id}"),
        QStringLiteral("PostService.update_post; 404 when unknown"), standardVariants,
        HandlerVariant::Async, { postIdParam, titleParam, contentParam }, [api](RequestContext &c) {
            return api->updatePost(c);
        } }.answering(postAnswer)));
    router.add(needsDatabase(Route { "DELETE", QStringLiteral("/posts/{post_id}"),
        QStringLiteral("PostService.delete_post; 404 when unknown"), standardVariants,
        HandlerVariant::Async, { postIdParam }, [api](RequestContext &c) {
            return api->deletePost(c);
        } }.answering(Payload::message())));

    const QString control = QStringLiteral("/_scope/database");
    router.add(Route::control("GET", control,
        QStringLiteral("Database backend, pool size and load, the pooling switch"),
        [api](RequestContext &) -> QCoro::Task<HttpResponse> {
            co_return HttpResponse::json(api->describe());
        }).answering(databaseAnswer));
    router.add(needsDatabase(Route::control("PUT", control,
        QStringLiteral("Connection pooling on or off: {\"pooling\": false} opens a "
                       "connection per request"),
        [api, &settings](RequestContext &c) -> QCoro::Task<HttpResponse> {
            co_return api->putSettings(c, settings);
        })
                                 .accepting(poolingSwitch)
                                 .answering(databaseAnswer)));
}

} // namespace loopscope
