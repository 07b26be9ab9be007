#include "courseroutes.h"

#include "core/gil.h"
#include "core/precisesleep.h"
#include "core/serverlog.h"
#include "core/taskregistry.h"
#include "primecount.h"
#include "routing/requestcontext.h"
#include "routing/router.h"
#include "trace/trace.h"

#include <QTime>

namespace loopscope {

using namespace std::chrono_literals;
using http::HttpResponse;

namespace {

QString clockTime()
{
    return QTime::currentTime().toString(QStringLiteral("HH:mm:ss"));
}

// The background-task cap is reached: checked before the request does anything, so a refused
// request has no effect at all (no product without its task, no half signup).
HttpResponse tooManyTasks(const RequestContext &context)
{
    HttpResponse response = HttpResponse::detail(503,
        QStringLiteral("Too many background tasks (at most %1 at once); try again later")
            .arg(context.services.tasks.maxRunning()));
    response.headers.emplace_back(QByteArrayLiteral("retry-after"), QByteArrayLiteral("1"));
    return response;
}

// How /openapi.json describes that answer.
QString tooManyTasksDoc()
{
    return QStringLiteral(
        "Service Unavailable: too many background tasks at once (Retry-After: 1)");
}

// The largest n of /cpu: about 10 s of CPU for one request here (n = 20,000,000 took 10.2 s
// on one core of the 2-core VM; 200,000,000 would take over 5 minutes). Cancelled work stops
// within a slice anyway, but one request must not hold a pool thread longer than that.
constexpr qint64 maxPrimeLimit = 20'000'000;

const Param delayParam = Param::query(QStringLiteral("delay"), QStringLiteral("number"), false,
    QStringLiteral("2"), QStringLiteral("seconds to wait"), 0, 60);
const Param usernameParam
    = Param::query(QStringLiteral("username"), QStringLiteral("string"), true);
const Param emailParam = Param::query(QStringLiteral("email"), QStringLiteral("string"), true);
const Param userIdParam = Param::path(QStringLiteral("user_id"));
const Param productNameParam = Param::query(QStringLiteral("name"), QStringLiteral("string"), true);
const Param priceParam = Param::query(QStringLiteral("price"), QStringLiteral("number"), true);
const Param productIdParam = Param::path(QStringLiteral("product_id"));
const Param primeLimitParam
    = Param::query(QStringLiteral("n"), QStringLiteral("integer"), false, QStringLiteral("2000000"),
        QStringLiteral("count primes below n (at most %1: about 10 s of CPU)").arg(maxPrimeLimit),
        1, double(maxPrimeLimit));

// What the routes answer, as /openapi.json describes them.
const Payload messageAnswer = Payload::json(QStringLiteral("Message"),
    schema::object(
        { { QStringLiteral("message"), schema::string() } }, { QStringLiteral("message") }));
const Payload userAnswer = Payload::json(QStringLiteral("User"),
    schema::object({ { QStringLiteral("id"), schema::integer() },
                       { QStringLiteral("username"), schema::string() },
                       { QStringLiteral("email"), schema::string() } },
        { QStringLiteral("id"), QStringLiteral("username"), QStringLiteral("email") }));
const Payload productAnswer = Payload::json(QStringLiteral("Product"),
    schema::object(
        { { QStringLiteral("id"), schema::integer() }, { QStringLiteral("name"), schema::string() },
            { QStringLiteral("price"), schema::number() } },
        { QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("price") }));
const Payload productListAnswer
    = Payload::json({}, schema::arrayOf(schema::reference(productAnswer.name)));
const Payload signupAnswer = Payload::json(QStringLiteral("Signup"),
    schema::object({ { QStringLiteral("message"), schema::string() },
                       { QStringLiteral("note"), schema::string() } },
        { QStringLiteral("message"), QStringLiteral("note") }));
const Payload primeCountAnswer = Payload::json(QStringLiteral("PrimeCount"),
    schema::object(
        { { QStringLiteral("n"), schema::integer() },
            { QStringLiteral("primes"), schema::integer(QStringLiteral("primes below n")) },
            { QStringLiteral("variant"),
                schema::oneOf(schema::string(), variantNames(allVariants)) } },
        { QStringLiteral("n"), QStringLiteral("primes"), QStringLiteral("variant") }));

Route::Handler sleepEndpoint(QString message)
{
    return [message](RequestContext &context) -> QCoro::Task<HttpResponse> {
        ParamReader params = context.params();
        const auto delay = params.number(delayParam);
        if (!params.ok())
            co_return params.errorResponse();
        const auto duration = std::chrono::milliseconds(qRound64(*delay * 1000.0));
        // Named, not a temporary inside co_await: GCC 12 can destroy such temporaries twice.
        const QString label = QStringLiteral("sleep %1s").arg(*delay);
        co_await context.simulatedIo(duration, label);
        co_return HttpResponse::json(QJsonObject { { QStringLiteral("message"), message } });
    };
}

QCoro::Task<HttpResponse> createUser(RequestContext &context, UserService &users)
{
    ParamReader params = context.params();
    const auto username = params.string(usernameParam);
    const auto email = params.string(emailParam);
    if (!params.ok())
        co_return params.errorResponse();
    // The course's `user = await user_service.create_user(username, email)`; without the await
    // FastAPI is handed the coroutine object to serialise.
    const PythonAwaitable python { QLatin1StringView("UserService.create_user"),
        QLatin1StringView("ValueError: [TypeError(\"'coroutine' object is not iterable\"), "
                          "TypeError('vars() argument must have __dict__ attribute')]") };
    auto creating
        = context.awaitCall(python, [&] { return users.createUser(context, *username, *email); });
    co_return HttpResponse::json(co_await creating);
}

QCoro::Task<HttpResponse> getUser(RequestContext &context, UserService &users)
{
    ParamReader params = context.params();
    const auto userId = params.integer(userIdParam);
    if (!params.ok())
        co_return params.errorResponse();
    const auto user = co_await users.getUser(context, *userId);
    // The course answers {"error": "User not found"} with 200; FastAPI practice is a 404.
    if (!user)
        co_return HttpResponse::detail(404, QStringLiteral("User not found"));
    co_return HttpResponse::json(*user);
}

// Runs a product operation where the variant says: called on the loop (async, no I/O to await)
// or on a pool thread, as FastAPI runs a `def` route.
template <typename Operation>
QCoro::Task<std::invoke_result_t<Operation &>> onVariantThread(
    RequestContext &context, Operation op)
{
    static const std::uint32_t label = trace::label("ProductService (def route)");
    auto task = context.offload(label, std::move(op), RunOnLoop {});
    co_return co_await task;
}

QCoro::Task<HttpResponse> createProduct(RequestContext &context, ProductService &products)
{
    ParamReader params = context.params();
    const auto name = params.string(productNameParam);
    const auto price = params.number(priceParam);
    if (!params.ok())
        co_return params.errorResponse();
    TaskSlot slot = context.services.tasks.reserve();
    if (!slot)
        co_return tooManyTasks(context);
    const QJsonObject product
        = co_await onVariantThread(context, [&] { return products.createProduct(*name, *price); });
    ServerLog *log = &context.services.log;
    context.spawnTask(std::move(slot), QStringLiteral("log_product_created"),
        [log](CancelToken &cancel) -> QCoro::Task<> {
            co_await PreciseSleep(3s, &cancel);
            log->info(QStringLiteral("Product created"));
        });
    co_return HttpResponse::json(product);
}

QCoro::Task<HttpResponse> getProduct(RequestContext &context, ProductService &products)
{
    ParamReader params = context.params();
    const auto productId = params.integer(productIdParam);
    if (!params.ok())
        co_return params.errorResponse();
    const auto product
        = co_await onVariantThread(context, [&] { return products.getProduct(*productId); });
    if (!product)
        co_return HttpResponse::detail(404, QStringLiteral("Product not found"));
    co_return HttpResponse::json(*product);
}

QCoro::Task<HttpResponse> listProducts(RequestContext &context, ProductService &products)
{
    co_return HttpResponse::json(
        co_await onVariantThread(context, [&] { return products.listProducts(); }));
}

QCoro::Task<HttpResponse> startTask(RequestContext &context)
{
    TaskSlot slot = context.services.tasks.reserve();
    if (!slot)
        co_return tooManyTasks(context);
    ServerLog *log = &context.services.log;
    context.spawnTask(std::move(slot), QStringLiteral("background_work"),
        [log](CancelToken &cancel) -> QCoro::Task<> {
            co_await PreciseSleep(5s, &cancel);
            log->info(QStringLiteral("Background task completed"));
        });
    co_return HttpResponse::json(QJsonObject {
        { QStringLiteral("message"), QStringLiteral("Task started, response sent immediately") } });
}

QCoro::Task<HttpResponse> signup(RequestContext &context)
{
    ParamReader params = context.params();
    const auto username = params.string(usernameParam);
    const auto email = params.string(emailParam);
    if (!params.ok())
        co_return params.errorResponse();
    // One slot for the pair: log_signup follows the email as its follow-up (see
    // TaskRegistry::spawnFollowUp), so an admitted signup always runs both.
    TaskSlot slot = context.services.tasks.reserve();
    if (!slot)
        co_return tooManyTasks(context);

    // Starlette runs a response's BackgroundTasks one after another: the log line comes 1 s
    // after the email, 4 s after the response.
    ServerLog *log = &context.services.log;
    TaskRegistry *tasks = &context.services.tasks;
    const QString route = context.route.key();
    const QByteArray requestId = context.incoming.requestId;
    const quint64 span = context.incoming.span;
    const QString user = *username;
    const QString address = *email;
    // BackgroundTasks, not asyncio.create_task: a graceful shutdown waits for them.
    constexpr auto lifetime = TaskRegistry::Lifetime::WithResponse;
    context.spawnTask(
        std::move(slot), QStringLiteral("send_welcome_email"),
        [=](CancelToken &cancel) -> QCoro::Task<> {
            co_await PreciseSleep(3s, &cancel);
            log->info(QStringLiteral("Welcome email sent to %1 at %2").arg(address, clockTime()));
            tasks->spawnFollowUp(
                QStringLiteral("log_signup"), route, requestId, span,
                [log, user](CancelToken &next) -> QCoro::Task<> {
                    co_await PreciseSleep(1s, &next);
                    log->info(QStringLiteral("Signup logged for %1 at %2").arg(user, clockTime()));
                },
                lifetime);
        },
        lifetime);
    co_return HttpResponse::json(QJsonObject {
        { QStringLiteral("message"), QStringLiteral("User %1 created successfully").arg(user) },
        { QStringLiteral("note"), QStringLiteral("Welcome email will be sent shortly") } });
}

std::uint32_t computeLabel()
{
    static const std::uint32_t label = trace::label("count primes (CPU)");
    return label;
}

HttpResponse cpuCancelled()
{
    // Seen only when the server stopped waiting: a departed client's answer is dropped.
    return HttpResponse::detail(
        503, QStringLiteral("CPU work cancelled: the client left or the server is stopping"));
}

// /cpu's count as Python code runs it: holding the GIL, which it lets go every switch interval
// to a thread that asks; or, in the processpool variant, in a worker process (no GIL there).
struct PrimeCountJob
{
    qint64 limit;
    WorkCancel cancel;
    std::uint64_t request; // charged while the loop waits for the GIL this count holds

    std::optional<qint64> operator()() const
    {
        const bool onPool = WorkerPool::onWorkerThread();
        Gil::Hold gil(Gil::process(), onPool ? Gil::Waiter::Worker : Gil::Waiter::Loop, request,
            WorkerPool::currentJob());
        return countPrimesUnless(limit, [&] {
            gil.checkpoint();
            return cancel.requested();
        });
    }
    std::optional<qint64> inWorkerProcess(WorkerProcess &process) const
    {
        return process.countPrimes(limit, cancel);
    }
};

QCoro::Task<HttpResponse> cpuBound(RequestContext &context)
{
    ParamReader params = context.params();
    const auto n = params.integer(primeLimitParam);
    if (!params.ok())
        co_return params.errorResponse();
    const WorkCancel cancel = context.cancellation();
    auto cancelled = [cancel] { return cancel.requested(); };
    // threadpool: on a pool thread; blocking: on the loop, which only a stopping server can then
    // cancel (the loop it blocks cannot see the client leave); processpool: in a worker process.
    PrimeCountJob count { *n, cancel, context.incoming.span };
    // async def with cooperative yields: the loop stays responsive, the request takes longer.
    auto countYielding = [&context, limit = *n, cancelled]() -> QCoro::Task<std::optional<qint64>> {
        static const std::uint32_t yieldLabel = trace::label("await asyncio.sleep(0)");
        qint64 primes = 0;
        for (qint64 from = 2; from <= limit; from += primeSlice) {
            if (cancelled())
                co_return std::nullopt;
            primes += countPrimes(from, std::min(limit, from + primeSlice - 1));
            context.awaitBegins(yieldLabel);
            co_await PreciseSleep(0ms);
            context.awaitEnds(yieldLabel);
        }
        co_return std::optional<qint64>(primes);
    };
    // Named, not a temporary inside co_await: the jobs hold shared pointers, and GCC 12 destroys
    // such a temporary twice (a corrupted heap).
    auto task = context.offload(computeLabel(), std::move(count), std::move(countYielding));
    const std::optional<qint64> primes = co_await task;
    if (!primes)
        co_return cpuCancelled();
    co_return HttpResponse::json(
        QJsonObject { { QStringLiteral("n"), *n }, { QStringLiteral("primes"), *primes },
            { QStringLiteral("variant"), variantName(context.variant) } });
}

} // namespace

void addCourseRoutes(Router &router, CourseState &state)
{
    UserService &users = state.users;
    ProductService &products = state.products;

    const std::uint8_t withNoAwait = standardVariants | variantBit(HandlerVariant::NoAwait);
    router.add(Route { "GET", QStringLiteral("/sync"),
        QStringLiteral("A def route: time.sleep(2), run on the thread pool"), standardVariants,
        HandlerVariant::ThreadPool, { delayParam },
        sleepEndpoint(QStringLiteral("Synchronous endpoint completed")) }
                   .answering(messageAnswer));
    router.add(Route { "GET", QStringLiteral("/async"),
        QStringLiteral("An async def route: await asyncio.sleep(2)"), withNoAwait,
        HandlerVariant::Async, { delayParam },
        sleepEndpoint(QStringLiteral("Asynchronous endpoint completed")) }
                   .answering(messageAnswer));
    router.add(Route { "POST", QStringLiteral("/users/"),
        QStringLiteral("UserService.create_user: a 100 ms simulated write"), withNoAwait,
        HandlerVariant::Async, { usernameParam, emailParam }, [&users](RequestContext &c) {
            return createUser(c, users);
        } }.answering(userAnswer));
    router.add(Route { "GET", QStringLiteral("/users/{user_id}"),
        QStringLiteral("UserService.get_user: a 50 ms simulated read; 404 when unknown"),
        standardVariants, HandlerVariant::Async, { userIdParam }, [&users](RequestContext &c) {
            return getUser(c, users);
        } }.answering(userAnswer));
    const std::uint8_t asyncOrPool
        = variantBit(HandlerVariant::Async) | variantBit(HandlerVariant::ThreadPool);
    router.add(Route { "POST", QStringLiteral("/products/"),
        QStringLiteral("ProductService.create_product; logs 'Product created' 3 s later"),
        asyncOrPool, HandlerVariant::Async, { productNameParam, priceParam },
        [&products](RequestContext &c) { return createProduct(c, products); } }
                   .answering(productAnswer)
                   .failing(503, tooManyTasksDoc()));
    router.add(Route { "GET", QStringLiteral("/products/{product_id}"),
        QStringLiteral("ProductService.get_product; 404 when unknown"), asyncOrPool,
        HandlerVariant::Async, { productIdParam }, [&products](RequestContext &c) {
            return getProduct(c, products);
        } }.answering(productAnswer));
    router.add(Route { "GET", QStringLiteral("/products/"),
        QStringLiteral("ProductService.list_products"), asyncOrPool, HandlerVariant::Async, {},
        [&products](RequestContext &c) {
            return listProducts(c, products);
        } }.answering(productListAnswer));
    router.add(Route { "GET", QStringLiteral("/start-task"),
        QStringLiteral("asyncio.create_task: a 5 s task, response sent immediately"),
        variantBit(HandlerVariant::Async), HandlerVariant::Async, {}, startTask }
                   .answering(messageAnswer)
                   .failing(503, tooManyTasksDoc()));
    router.add(Route { "POST", QStringLiteral("/signup"),
        QStringLiteral("BackgroundTasks: welcome email (3 s), then signup log (1 s)"),
        variantBit(HandlerVariant::Async), HandlerVariant::Async, { usernameParam, emailParam },
        signup }
                   .answering(signupAnswer)
                   .failing(503, tooManyTasksDoc()));
    router.add(Route { "GET", QStringLiteral("/cpu"),
        QStringLiteral("CPU-bound work (counting primes below n): blocking stalls the loop, "
                       "threadpool offloads it (one core at a time under the GIL), processpool "
                       "runs it in worker processes, async yields between slices"),
        standardVariants | variantBit(HandlerVariant::ProcessPool), HandlerVariant::ThreadPool,
        { primeLimitParam }, cpuBound }
                   .answering(primeCountAnswer));
}

} // namespace loopscope
