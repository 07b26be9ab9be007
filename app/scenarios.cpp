#include "scenarios.h"

namespace loopscope {

namespace {

ScenarioStep step(QString label, QStringList modes, QString route, QByteArray method,
    QByteArray target, qint64 requests, int concurrency)
{
    ScenarioStep s;
    s.label = std::move(label);
    s.modes = std::move(modes);
    s.route = std::move(route);
    s.method = std::move(method);
    s.target = std::move(target);
    s.requests = requests;
    s.concurrency = concurrency;
    return s;
}

QList<Scenario> buildScenarios()
{
    QList<Scenario> list;
    // Delays are shortened from the course's 2 s so each scenario ends within about 20 s.
    list << Scenario { QStringLiteral("sync-vs-async"),
        QStringLiteral("Sync vs async (ab -n 100 -c 10)"),
        QStringLiteral("A def route runs on the 40-thread pool, an async def route awaits: both "
                       "serve 10 at a time.\n"
                       "Watch pool jobs under /sync and await gaps under /async; compare "
                       "requests/s in the runs table."),
        { step(QStringLiteral("def route (thread pool)"),
              { QStringLiteral("GET /sync=threadpool") }, QStringLiteral("GET /sync"), "GET",
              "/sync?delay=0.5", 100, 10),
            step(QStringLiteral("async def + await"), { QStringLiteral("GET /async=async") },
                QStringLiteral("GET /async"), "GET", "/async?delay=0.5", 100, 10) } };
    list << Scenario { QStringLiteral("sleep-in-async"),
        QStringLiteral("time.sleep in an async def"),
        QStringLiteral(
            "Each request holds the loop for 0.5 s (red): the others wait behind it, whatever the "
            "concurrency.\n"
            "Watch the loop-health strip stall and the collateral delay on every waiting request."),
        { step(QStringLiteral("time.sleep in async def"), { QStringLiteral("GET /async=blocking") },
              QStringLiteral("GET /async"), "GET", "/async?delay=0.5", 20, 10),
            step(QStringLiteral("await asyncio.sleep"), { QStringLiteral("GET /async=async") },
                QStringLiteral("GET /async"), "GET", "/async?delay=0.5", 20, 10) } };
    // The same route flipped from await asyncio.sleep to time.sleep under load: the async part
    // serves the ten clients at once, then each blocking call makes the nine others wait.
    ScenarioStep flip = step(QStringLiteral("flip to time.sleep under load"),
        { QStringLiteral("GET /async=async") }, QStringLiteral("GET /async"), "GET",
        "/async?delay=0.5", 40, 10);
    flip.modesDuringRun = { QStringLiteral("GET /async=blocking") };
    flip.modesAfter = std::chrono::milliseconds(1500);
    list << Scenario { QStringLiteral("flip-under-load"),
        QStringLiteral("Flip to time.sleep while the load runs"),
        QStringLiteral(
            "10 clients on await asyncio.sleep(0.5); after 1.5 s the route becomes "
            "time.sleep(0.5).\n"
            "Watch each blocking call (red) keep the other clients' requests unread in their "
            "sockets (lilac): one culprit per call, every victim on its lane."),
        { flip } };
    list << Scenario { QStringLiteral("blocking-driver"),
        QStringLiteral("Blocking database driver"),
        QStringLiteral(
            "The same 100 ms write, once through a blocking driver on the loop, once awaited.\n"
            "Watch requests/s fall to 10 and the loop stall with the blocking variant."),
        { step(QStringLiteral("sync driver in async def"),
              { QStringLiteral("POST /users/=blocking") }, QStringLiteral("POST /users/"), "POST",
              "/users/?username=ada&email=ada%40example.com", 50, 10),
            step(QStringLiteral("async driver"), { QStringLiteral("POST /users/=async") },
                QStringLiteral("POST /users/"), "POST",
                "/users/?username=ada&email=ada%40example.com", 50, 10) } };
    list << Scenario { QStringLiteral("gather"), QStringLiteral("Sequential vs gathered API calls"),
        QStringLiteral("Three upstream calls, awaited together with gather or one after another.\n"
                       "Watch the three await bars overlap (async) or follow each other."),
        { step(QStringLiteral("asyncio.gather"), { QStringLiteral("GET /dashboard=async") },
              QStringLiteral("GET /dashboard"), "GET", "/dashboard", 50, 10),
            step(QStringLiteral("one after another"),
                { QStringLiteral("GET /dashboard=threadpool") }, QStringLiteral("GET /dashboard"),
                "GET", "/dashboard", 50, 10) } };
    list << Scenario { QStringLiteral("cpu-bound"), QStringLiteral("CPU-bound work on the loop"),
        QStringLiteral(
            "Counting primes on the loop freezes every other request; on the pool it does not.\n"
            "Watch the red bars and loop lag, then the pool jobs running beside a free loop."),
        { step(QStringLiteral("CPU on the loop"), { QStringLiteral("GET /cpu=blocking") },
              QStringLiteral("GET /cpu"), "GET", "/cpu?n=300000", 20, 4),
            step(QStringLiteral("CPU on the thread pool"),
                { QStringLiteral("GET /cpu=threadpool") }, QStringLiteral("GET /cpu"), "GET",
                "/cpu?n=300000", 20, 4) } };
    list << Scenario { QStringLiteral("background-tasks"),
        QStringLiteral("Background tasks outliving requests"),
        QStringLiteral(
            "Each product creation answers at once and leaves a task that logs 3 s later.\n"
            "Watch the task lanes run on after their requests ended, and 'Product created' in the "
            "log."),
        { step(QStringLiteral("create products"), { QStringLiteral("POST /products/=async") },
            QStringLiteral("POST /products/"), "POST", "/products/?name=lamp&price=9.5", 20, 5) } };
    list << Scenario { QStringLiteral("pool-exhaustion"),
        QStringLiteral("Thread pool exhaustion (more than 40 concurrent def-route requests)"),
        QStringLiteral("80 clients on a def route that sleeps 1 s: only 40 pool threads, so half "
                       "of them queue.\n"
                       "Watch the queued segments before each pool job and p99 at twice p50."),
        { step(QStringLiteral("80 clients, 40 threads"), { QStringLiteral("GET /sync=threadpool") },
            QStringLiteral("GET /sync"), "GET", "/sync?delay=1", 160, 80) } };
    return list;
}

} // namespace

const QList<Scenario> &scenarios()
{
    static const QList<Scenario> list = buildScenarios();
    return list;
}

const Scenario *findScenario(const QString &name)
{
    for (const Scenario &scenario : scenarios()) {
        if (scenario.name == name || scenario.title == name)
            return &scenario;
    }
    return nullptr;
}

} // namespace loopscope
