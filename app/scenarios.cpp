#include "scenarios.h"

namespace loopscope {

namespace {

// A run of `route` ("GET /async") in one of its variants: the load sends the route's method.
ScenarioStep step(QString label, const QString &route, const QString &variant, QByteArray target,
    qint64 requests, int concurrency)
{
    ScenarioStep s;
    s.label = std::move(label);
    s.modes = { route + u'=' + variant };
    s.route = route;
    s.method = route.section(u' ', 0, 0).toLatin1();
    s.target = std::move(target);
    s.requests = requests;
    s.concurrency = concurrency;
    return s;
}

// A figure of one step the course gives: `expected`, accepted from `low` to `high`.
ScenarioClaim claim(QString text, ClaimMeasure measure, int step, double expected, double low,
    double high = ScenarioClaim::kUnbounded)
{
    ScenarioClaim c;
    c.text = std::move(text);
    c.figure = { measure, step };
    c.expected = expected;
    c.low = low;
    c.high = high;
    return c;
}

// The same, as the ratio of two figures.
ScenarioClaim ratio(QString text, ClaimFigure figure, ClaimFigure over, double expected, double low,
    double high = ScenarioClaim::kUnbounded)
{
    ScenarioClaim c = claim(std::move(text), figure.measure, figure.step, expected, low, high);
    c.over = over;
    return c;
}

// The same, with a ratio of two figures printed beside it (not judged).
ScenarioClaim withShownRatio(ScenarioClaim c, QString what, ClaimFigure figure, ClaimFigure over)
{
    c.shown = ScenarioClaim::ShownRatio { std::move(what), figure, over };
    return c;
}

using M = ClaimMeasure;

// A step that first sets some of the server's live settings ("database.pooling=off").
ScenarioStep withSettings(ScenarioStep s, QStringList settings)
{
    s.settings = std::move(settings);
    return s;
}

// A step after which the server restarts, as a deploy would.
ScenarioStep thenRestart(ScenarioStep s)
{
    s.restartServerAfter = true;
    return s;
}

// The course's dashboard of 10 microservices, each answering in 1 s, as a /scrape of 10 upstream
// paths; `extra` is added to the query (a timeout), `last` replaces the 10th service.
QByteArray tenServices(int concurrency, QByteArray extra = {}, QByteArray last = {})
{
    QByteArray target = "/scrape?concurrency=" + QByteArray::number(concurrency) + extra;
    for (int i = 1; i <= 10; ++i) {
        const QByteArray service = i == 10 && !last.isEmpty()
            ? last
            : "/posts/" + QByteArray::number(i) + "?latency_ms=1000";
        target += "&url=" + service.toPercentEncoding("/");
    }
    return target;
}

// Tolerances are loose enough for a busy 2-core machine; lower bounds are the physics (a 2 s
// sleep cannot answer sooner), upper bounds what the lesson stops being true beyond.
QList<Scenario> buildScenarios()
{
    QList<Scenario> list;
    // The course's own example, at its own figures: 10 users, 2 s each.
    list << Scenario { QStringLiteral("sync-vs-async"),
        QStringLiteral("Sync vs async: 10 users, 2 s each"),
        QStringLiteral(
            "The course's \"the last user waits 20 s\" holds for time.sleep inside async def: "
            "a def route runs on FastAPI's 40-thread pool, and all 10 answer in about 2 s.\n"
            "Watch the red blocking bars queue one after another, then pool jobs and await gaps "
            "side by side."),
        { step(QStringLiteral("time.sleep(2) in async def"), QStringLiteral("GET /async"),
              QStringLiteral("blocking"), "/async?delay=2", 10, 10),
            step(QStringLiteral("def + time.sleep(2) (40-thread pool)"),
                QStringLiteral("GET /sync"), QStringLiteral("threadpool"), "/sync?delay=2", 10, 10),
            step(QStringLiteral("async def + await asyncio.sleep(2)"), QStringLiteral("GET /async"),
                QStringLiteral("async"), "/async?delay=2", 10, 10) },
        { claim(QStringLiteral("time.sleep in async def: the last of 10 users waits 20 seconds"),
              M::MaxLatency, 0, 20, 19.5, 26),
            claim(QStringLiteral("def route, 40-thread pool: the last of 10 users waits about 2 "
                                 "s, not 20"),
                M::MaxLatency, 1, 2, 1.95, 4),
            claim(QStringLiteral("await asyncio.sleep: all 10 users get a response in roughly 2 "
                                 "seconds total"),
                M::MaxLatency, 2, 2, 1.95, 4) } };
    // Delays below are shortened from the course's 2 s so each scenario ends within about 20 s.
    list << Scenario { QStringLiteral("sleep-in-async"),
        QStringLiteral("time.sleep in an async def"),
        QStringLiteral(
            "Each request holds the loop for 0.5 s (red): the others wait behind it, whatever the "
            "concurrency.\n"
            "Watch the loop-health strip stall and the collateral delay on every waiting request."),
        { step(QStringLiteral("time.sleep in async def"), QStringLiteral("GET /async"),
              QStringLiteral("blocking"), "/async?delay=0.5", 20, 10),
            step(QStringLiteral("await asyncio.sleep"), QStringLiteral("GET /async"),
                QStringLiteral("async"), "/async?delay=0.5", 20, 10) },
        { claim(QStringLiteral("time.sleep(0.5) blocks the entire thread: one request at a time, "
                               "2 requests/s"),
              M::RequestsPerSecond, 0, 2, 1.5, 2.05),
            ratio(QStringLiteral("await asyncio.sleep(0.5) lets 10 users sleep at once: 10 times "
                                 "the requests/s"),
                { M::RequestsPerSecond, 1 }, { M::RequestsPerSecond, 0 }, 10, 5, 12) } };
    // The same route flipped from await asyncio.sleep to time.sleep under load: the async part
    // serves the ten clients at once, then each blocking call makes the nine others wait.
    ScenarioStep flip = step(QStringLiteral("flip to time.sleep under load"),
        QStringLiteral("GET /async"), QStringLiteral("async"), "/async?delay=0.5", 40, 10);
    flip.modesDuringRun = { QStringLiteral("GET /async=blocking") };
    flip.modesAfterCompleted = 10; // the first round: 30 requests are still to come

    list << Scenario { QStringLiteral("flip-under-load"),
        QStringLiteral("Flip to time.sleep while the load runs"),
        QStringLiteral(
            "10 clients on await asyncio.sleep(0.5); after 10 answers the route becomes "
            "time.sleep(0.5).\n"
            "Watch each blocking call (red) keep the other clients' requests unread in their "
            "sockets (lilac): one culprit per call, every victim on its lane."),
        { flip },
        { claim(QStringLiteral("before the flip, each user waits only its own 0.5 s sleep"),
              M::MinLatency, 0, 0.5, 0.49, 1),
            claim(QStringLiteral("after it, a user waits for the 9 others' time.sleep too: 10 x "
                                 "0.5 s"),
                M::MaxLatency, 0, 5, 4, 8) } };
    list << Scenario { QStringLiteral("blocking-driver"),
        QStringLiteral("Blocking database driver"),
        QStringLiteral(
            "The same 100 ms write, once through a blocking driver on the loop, once awaited.\n"
            "Watch requests/s fall to 10 and the loop stall with the blocking variant."),
        { step(QStringLiteral("sync driver in async def"), QStringLiteral("POST /users/"),
              QStringLiteral("blocking"), "/users/?username=ada&email=ada%40example.com", 50, 10),
            step(QStringLiteral("async driver"), QStringLiteral("POST /users/"),
                QStringLiteral("async"), "/users/?username=ada&email=ada%40example.com", 500, 50) },
        { claim(QStringLiteral("a 100 ms query on a synchronous worker: about 10 requests per "
                               "second"),
              M::RequestsPerSecond, 0, 10, 7, 10.2),
            claim(QStringLiteral("the same query awaited: hundreds of requests per second"),
                M::RequestsPerSecond, 1, 0, 200) } };
    // Like with like: both steps await their calls on the loop; only the gathering differs.
    list << Scenario { QStringLiteral("gather"), QStringLiteral("Sequential vs gathered API calls"),
        QStringLiteral("The scraper's five upstream calls (100 ms each), awaited one after "
                       "another (Semaphore(1)) or together with asyncio.gather.\n"
                       "Watch each request shrink from five calls' time to one's, while the loop "
                       "only awaits."),
        { step(QStringLiteral("await one after another"), QStringLiteral("GET /scrape"),
              QStringLiteral("async"), "/scrape?concurrency=1", 20, 2),
            step(QStringLiteral("asyncio.gather"), QStringLiteral("GET /scrape"),
                QStringLiteral("async"), "/scrape?concurrency=10", 20, 2) },
        { claim(QStringLiteral("one after another: the sum of the five calls"), M::MedianLatency, 0,
              0.5, 0.49, 1),
            claim(QStringLiteral("gathered: about the time of the slowest one"), M::MedianLatency,
                1, 0.1, 0.098, 0.35),
            ratio(QStringLiteral("gather cuts the wait about 5 times"), { M::MedianLatency, 0 },
                { M::MedianLatency, 1 }, 5, 2.5, 5.5) } };
    // The course's "10 seconds to ~1 second", then its scraper challenges: a timeout per URL and
    // a service that fails. One user, so the figures are the page's own load time.
    list << Scenario { QStringLiteral("ten-services"),
        QStringLiteral("A dashboard of 10 services: 10 s or 1 s"),
        QStringLiteral(
            "10 upstream services, 1 s each: awaited one after another the page takes 10 s; "
            "gathered, 1 s. asyncio.wait_for bounds a service that hangs.\n"
            "Watch the page's bar last 10 s, then 1 s, then 2 s; select one: the inspector lists "
            "its ten GET upstream/posts calls, the hanging one ended by its timeout."),
        { step(QStringLiteral("10 services one after another"), QStringLiteral("GET /scrape"),
              QStringLiteral("async"), tenServices(1), 1, 1),
            step(QStringLiteral("10 services gathered"), QStringLiteral("GET /scrape"),
                QStringLiteral("async"), tenServices(10), 2, 1),
            step(QStringLiteral("gathered, one hangs (timeout 2 s)"), QStringLiteral("GET /scrape"),
                QStringLiteral("async"), tenServices(10, "&timeout=2", "/posts/10?fail=hang"), 2,
                1) },
        { claim(QStringLiteral("fetched one after another, 10 services take 10 seconds"),
              M::MaxLatency, 0, 10, 9.9, 13),
            claim(QStringLiteral("fetched concurrently, the load time falls to about 1 second"),
                M::MaxLatency, 1, 1, 0.99, 2),
            claim(QStringLiteral("a timeout per URL: a hanging service costs its 2 s, not the "
                                 "page"),
                M::MaxLatency, 2, 2, 1.99, 3.5),
            claim(QStringLiteral("and the page still answers, that service marked as an error"),
                M::FailedShare, 2, 0, 0, 0) } };
    // The course writes its Semaphore(10) at module level: every user shares its 10 permits.
    list << Scenario { QStringLiteral("global-semaphore"),
        QStringLiteral("Semaphore(10): per request or shared by every user"),
        QStringLiteral(
            "4 users each load a page of 10 services (1 s each). A Semaphore(10) per request lets "
            "all 40 calls go at once; the course's module-level one lets 10 go, whoever made "
            "them.\n"
            "Watch four 1 s bars, then bars ending 1 s apart: each user waits for the others' "
            "permits (semaphore.acquire in the inspector)."),
        { step(QStringLiteral("a Semaphore(10) per request"), QStringLiteral("GET /scrape"),
              QStringLiteral("async"), tenServices(10, "&semaphore=request"), 4, 4),
            step(QStringLiteral("one global Semaphore(10)"), QStringLiteral("GET /scrape"),
                QStringLiteral("async"), tenServices(10, "&semaphore=global"), 4, 4) },
        { claim(QStringLiteral("a semaphore per request bounds each page, not the server: all 4 "
                               "pages in about 1 s"),
              M::MaxLatency, 0, 1, 0.99, 2),
            claim(QStringLiteral("Semaphore(10) shared: at most 10 requests to the services at "
                                 "once, so 40 calls take 4 rounds"),
                M::MaxLatency, 1, 4, 3.95, 6),
            claim(QStringLiteral("the first user still gets its page in about 1 s"), M::MinLatency,
                1, 1, 0.99, 2) } };
    // The course's "not using connection pools" mistake, on the database: the pooling switch is
    // PUT /_scope/database's, and the user's setting comes back after.
    const ScenarioStep pooled = withSettings(
        step(QStringLiteral("asyncpg.create_pool (pooled)"), QStringLiteral("GET /items/{item_id}"),
            QStringLiteral("async"), "/items/1", 4000, 10),
        { QStringLiteral("database.pooling=on") });
    const ScenarioStep unpooled = withSettings(
        step(QStringLiteral("a new connection per request"), QStringLiteral("GET /items/{item_id}"),
            QStringLiteral("async"), "/items/1", 4000, 10),
        { QStringLiteral("database.pooling=off") });
    list << Scenario { QStringLiteral("no-pool"),
        QStringLiteral("No connection pool: a new database connection per request"),
        QStringLiteral(
            "The same one-row query, through the pool's open connections, then opening and "
            "closing a connection for every request. Even SQLite's in-process open costs more "
            "than the query; a PostgreSQL connection costs a round trip and a server process.\n"
            "Watch requests/s fall and the database workers' lanes fill: each job now opens its "
            "own connection before its query."),
        { pooled, unpooled },
        // A ratio in one run: a busy machine slows both steps alike. 1.8x to 2.1x measured on
        // SQLite (1.7x beside two CPU hogs).
        { ratio(QStringLiteral("opening a database connection for every request is slow: the "
                               "pool serves more requests/s"),
            { M::RequestsPerSecond, 0 }, { M::RequestsPerSecond, 1 }, 2, 1.3) } };
    // The same mistake with HTTP: `async with httpx.AsyncClient() as client` inside the handler,
    // against one client shared by every request. Against a real API each new connection costs
    // a TLS handshake; the simulator's handshake_ms stands for it (loopback has none).
    const ScenarioStep sharedClient = withSettings(
        step(QStringLiteral("one shared AsyncClient"), QStringLiteral("GET /dashboard"),
            QStringLiteral("async"), "/dashboard?client=shared", 60, 6),
        { QStringLiteral("upstream.latency_ms=100"), QStringLiteral("upstream.jitter_ms=0"),
            QStringLiteral("upstream.handshake_ms=100"),
            QStringLiteral("upstream.failure_rate=0") });
    list << Scenario { QStringLiteral("per-call-client"),
        QStringLiteral("A new HTTP client per call, or one shared"),
        QStringLiteral(
            "The dashboard gathers 3 upstream calls (100 ms each, plus 100 ms to set up a new "
            "connection, as a TLS handshake costs against a real API). One shared AsyncClient "
            "keeps its connections open and pays the set-up once; a client made per call opens "
            "a new connection every time, and building it (httpx loads its SSL context) costs "
            "20 ms of CPU on the loop.\n"
            "Watch each page take one call's time, then the red client set-ups block the loop "
            "while every page waits for a new connection."),
        { sharedClient,
            step(QStringLiteral("a new AsyncClient per call"), QStringLiteral("GET /dashboard"),
                QStringLiteral("async"), "/dashboard?client=per-call", 60, 6) },
        { claim(QStringLiteral("a shared client reuses its connections: a page takes about one "
                               "call, 100 ms"),
              M::MedianLatency, 0, 0.1, 0.099, 0.15),
            ratio(QStringLiteral("a client per call sets up a connection for every call, and "
                                 "building each blocks the loop: pages wait more than twice as "
                                 "long"),
                { M::MedianLatency, 1 }, { M::MedianLatency, 0 }, 0, 2) } };
    // The scraper's "add error handling for failed requests", against the dashboard's gather
    // that has none: the same unreliable services, two ways to meet them.
    const ScenarioStep unguarded = withSettings(
        step(QStringLiteral("gather, no error handling (dashboard)"),
            QStringLiteral("GET /dashboard"), QStringLiteral("async"), "/dashboard", 200, 10),
        { QStringLiteral("upstream.latency_ms=100"), QStringLiteral("upstream.jitter_ms=0"),
            QStringLiteral("upstream.failure_rate=0.2"),
            QStringLiteral("upstream.failure_mode=500") });
    list << Scenario { QStringLiteral("failing-services"),
        QStringLiteral("Failing services: one error fails the page, or only its own line"),
        QStringLiteral(
            "The upstream fails 1 call in 5 (a 500). The dashboard gathers 3 calls and handles no "
            "error: one failure fails the whole page (a 502 here; the course's code, which never "
            "checks a status, would count the error body as data and serve a wrong page). The "
            "scraper wraps each fetch in try/except: every page answers, the failures marked "
            "\"error\" inside it.\n"
            "Watch the runs table: about half the dashboard's pages fail (502), none of the "
            "scraper's; select a request on the timeline: the inspector lists its upstream "
            "calls."),
        { unguarded,
            step(QStringLiteral("try/except per fetch (scrape)"), QStringLiteral("GET /scrape"),
                QStringLiteral("async"), "/scrape", 200, 10) },
        // 200 pages each: 1 - 0.8^3 = 0.49 has a standard deviation of 0.035 here, so the
        // bounds are more than 5 of them away.
        { claim(QStringLiteral("gathered without error handling, one failed call of three fails "
                               "the page: about half the pages (1 - 0.8^3)"),
              M::FailedShare, 0, 0.49, 0.3, 0.7),
            claim(QStringLiteral("with try/except around each fetch, every page answers"),
                M::FailedShare, 1, 0, 0, 0) } };
    // aiofiles against open().read() in an async def, on a slow disk: disk_read_ms makes each
    // 1 MiB read wait where it runs (the page cache would answer in microseconds).
    const ScenarioStep blockingRead = withSettings(
        step(QStringLiteral("f.read() in async def"), QStringLiteral("GET /files/{name}"),
            QStringLiteral("blocking"), "/files/10mb.txt", 24, 4),
        { QStringLiteral("upstream.disk_read_ms=20") });
    list << Scenario { QStringLiteral("aiofiles"),
        QStringLiteral("Reading files: aiofiles or a blocking read"),
        QStringLiteral(
            "4 users download a 10 MB file from a slow disk (20 ms per MiB read). open().read() "
            "inside async def waits for the disk on the loop: the users' reads take turns. "
            "aiofiles waits on a thread: the loop stays free and the reads overlap.\n"
            "Watch red read bars block the loop one after another, then reads on the workers "
            "side by side while the loop only awaits."),
        { blockingRead,
            step(QStringLiteral("aiofiles"), QStringLiteral("GET /files/{name}"),
                QStringLiteral("async"), "/files/10mb.txt", 24, 4) },
        { claim(QStringLiteral("a blocking read in async def holds the loop: each download "
                               "waits for every user's reads, about 4 x 10 x 20 ms"),
              M::MedianLatency, 0, 0.8, 0.75, 1.3),
            claim(QStringLiteral("aiofiles waits for the disk off the loop: each download takes "
                                 "its own reads' time, about 10 x 20 ms"),
                M::MedianLatency, 1, 0.2, 0.2, 0.4) } };
    list << Scenario { QStringLiteral("cpu-bound"), QStringLiteral("CPU-bound work on the loop"),
        QStringLiteral(
            "Counting primes on the loop freezes every other request; on the pool it does not.\n"
            "Watch the red bars and loop lag, then the pool jobs beside a loop that only waits "
            "for the GIL briefly (short red marks) to start each request."),
        { step(QStringLiteral("CPU on the loop"), QStringLiteral("GET /cpu"),
              QStringLiteral("blocking"), "/cpu?n=300000", 20, 4),
            step(QStringLiteral("CPU on the thread pool"), QStringLiteral("GET /cpu"),
                QStringLiteral("threadpool"), "/cpu?n=300000", 20, 4) },
        { ratio(QStringLiteral("CPU work blocks the event loop: 4 users are served one at a "
                               "time, the last waits several times the first"),
              { M::MaxLatency, 0 }, { M::MinLatency, 0 }, 4, 2.5, 6),
            // With CPython's GIL the pool only frees the loop; without it, threads also add
            // cores.
            ratio(QStringLiteral("on the thread pool the loop stays free, with no fewer "
                                 "requests/s"),
                { M::RequestsPerSecond, 1 }, { M::RequestsPerSecond, 0 }, 0, 0.8) } };
    // The same pool, with and without the GIL, then the course's advice: a process pool.
    const ScenarioStep gilOneThread = withSettings(
        step(QStringLiteral("thread pool, 1 client, GIL"), QStringLiteral("GET /cpu"),
            QStringLiteral("threadpool"), "/cpu?n=300000", 60, 1),
        { QStringLiteral("gil.enabled=on") });
    ScenarioStep gilTwoThreads = step(QStringLiteral("thread pool, 2 clients, GIL"),
        QStringLiteral("GET /cpu"), QStringLiteral("threadpool"), "/cpu?n=300000", 100, 2);
    const ScenarioStep noGil = withSettings(
        step(QStringLiteral("thread pool, 2 clients, no GIL"), QStringLiteral("GET /cpu"),
            QStringLiteral("threadpool"), "/cpu?n=300000", 100, 2),
        { QStringLiteral("gil.enabled=off") });
    const ScenarioStep processes = withSettings(
        step(QStringLiteral("process pool, 2 clients, GIL"), QStringLiteral("GET /cpu"),
            QStringLiteral("processpool"), "/cpu?n=300000", 100, 2),
        { QStringLiteral("gil.enabled=on") });
    list << Scenario { QStringLiteral("gil"),
        QStringLiteral("The GIL: threads take turns, processes count at once"),
        QStringLiteral(
            "CPython runs one thread's bytecode at a time, switching every 5 ms: a second thread "
            "adds no requests/s to CPU work. Without the GIL, or in a process pool, it does.\n"
            "Watch the pool jobs alternate between running and \"waiting for the GIL\", then run "
            "side by side."),
        { gilOneThread, gilTwoThreads, noGil, processes },
        // Judged on the trace: whether two jobs counted at once is the GIL's rule, whatever else
        // the machine runs; the requests/s it buys depend on free cores (beside two CPU hogs a
        // second thread added 1.15x), so they are shown, not judged. A job that lets the GIL go
        // at its end may be traced a moment longer, hence a bound above zero.
        { withShownRatio(claim(QStringLiteral("with the GIL, two threads never count at once: a "
                                              "second client adds no requests/s"),
                             M::TogetherShare, 1, 0, 0, 0.2),
              QStringLiteral("requests/s"), { M::RequestsPerSecond, 1 },
              { M::RequestsPerSecond, 0 }),
            withShownRatio(claim(QStringLiteral("without the GIL (C++ threads, free-threaded "
                                                "Python) two threads count at once"),
                               M::TogetherShare, 2, 1, 0.6),
                QStringLiteral("requests/s"), { M::RequestsPerSecond, 2 },
                { M::RequestsPerSecond, 1 }),
            withShownRatio(claim(QStringLiteral("the course's advice for CPU-bound work: a process "
                                                "pool counts in parallel, GIL or not"),
                               M::TogetherShare, 3, 1, 0.6),
                QStringLiteral("requests/s"), { M::RequestsPerSecond, 3 },
                { M::RequestsPerSecond, 1 }) } };
    list << Scenario { QStringLiteral("background-tasks"),
        QStringLiteral("Background tasks outliving requests"),
        QStringLiteral(
            "Each product creation answers at once and leaves a task that logs 3 s later.\n"
            "Watch the task lanes run on after their requests ended, and 'Product created' in the "
            "log."),
        { step(QStringLiteral("create products"), QStringLiteral("POST /products/"),
            QStringLiteral("async"), "/products/?name=lamp&price=9.5", 20, 5) },
        { claim(QStringLiteral("the endpoint returns immediately, without waiting for its 3 s "
                               "task"),
            M::MaxLatency, 0, 0, 0, 1.5) } };
    // The course's last common mistake: "tasks created with asyncio.create_task() are not
    // tracked. If the server restarts, they are lost."
    list << Scenario { QStringLiteral("restart-loses-tasks"),
        QStringLiteral("Background tasks lost on a restart"),
        QStringLiteral(
            "Ten requests each start a 5 s task with asyncio.create_task and answer at once; then "
            "the server restarts, as a deploy does.\n"
            "Watch their task lanes end early, cancelled, and the log: no 'Background task "
            "completed' for them. Ten signups' BackgroundTasks hold the next restart back until "
            "they are done; ten more tasks, with no restart, all complete."),
        { thenRestart(step(QStringLiteral("10 tasks, then a restart"),
              QStringLiteral("GET /start-task"), QStringLiteral("async"), "/start-task", 10, 10)),
            thenRestart(step(QStringLiteral("10 signups (BackgroundTasks), then a restart"),
                QStringLiteral("POST /signup"), QStringLiteral("async"),
                "/signup?username=ada&email=ada%40example.com", 10, 10)),
            step(QStringLiteral("10 tasks, no restart"), QStringLiteral("GET /start-task"),
                QStringLiteral("async"), "/start-task", 10, 10) },
        { claim(QStringLiteral("the endpoint answers at once, its task runs on without it"),
              M::MaxLatency, 0, 0, 0, 1),
            claim(QStringLiteral("tasks created with asyncio.create_task() are not tracked: if the "
                                 "server restarts, they are lost"),
                M::LostTaskShare, 0, 1, 1, 1),
            claim(QStringLiteral("FastAPI's BackgroundTasks run with their response: the server "
                                 "waits for them before it stops"),
                M::LostTaskShare, 1, 0, 0, 0),
            claim(QStringLiteral("left to run, every one of them completes"), M::LostTaskShare, 2,
                0, 0, 0) } };
    list << Scenario { QStringLiteral("pool-exhaustion"),
        QStringLiteral("Thread pool exhaustion (more than 40 concurrent def-route requests)"),
        QStringLiteral("80 clients on a def route that sleeps 1 s: only 40 pool threads, so half "
                       "of them queue.\n"
                       "Watch the queued segments before each pool job: the first 40 answer in "
                       "1 s, the rest in 2 s."),
        { step(QStringLiteral("80 clients, 40 threads"), QStringLiteral("GET /sync"),
            QStringLiteral("threadpool"), "/sync?delay=1", 160, 80) },
        { claim(QStringLiteral("the first 40 users get a thread at once: about 1 s"), M::MinLatency,
              0, 1, 0.98, 2),
            // A ratio: a burst of 80 connections on a busy machine delays both alike.
            ratio(QStringLiteral("the rest wait for a free thread first: twice as long"),
                { M::MaxLatency, 0 }, { M::MinLatency, 0 }, 2, 1.5, 2.6),
            claim(QStringLiteral("40 threads, 1 s each: at most 40 requests/s, whatever the 80 "
                                 "users"),
                M::RequestsPerSecond, 0, 40, 25, 40.5) } };
    // The common mistake the course names first after blocking: a coroutine called without
    // await is created and dropped; nothing of it runs.
    list << Scenario { QStringLiteral("forgotten-await"), QStringLiteral("Forgetting await"),
        QStringLiteral(
            "asyncio.sleep(0.5) called without await answers at once: the sleep never ran. "
            "user_service.create_user without await returns a coroutine, and every request "
            "fails.\n"
            "Watch the awaited requests' 0.5 s bars, then bars with no await at all, the "
            "dropped coroutines as zero-length tasks, and the RuntimeWarnings in the log."),
        { step(QStringLiteral("await asyncio.sleep(0.5)"), QStringLiteral("GET /async"),
              QStringLiteral("async"), "/async?delay=0.5", 20, 5),
            step(QStringLiteral("asyncio.sleep(0.5), no await"), QStringLiteral("GET /async"),
                QStringLiteral("no-await"), "/async?delay=0.5", 20, 5),
            step(QStringLiteral("create_user without await"), QStringLiteral("POST /users/"),
                QStringLiteral("no-await"), "/users/?username=ada&email=ada%40example.com", 20,
                5) },
        { claim(QStringLiteral("awaited, each request sleeps its 0.5 s"), M::MinLatency, 0, 0.5,
              0.49, 2),
            claim(QStringLiteral("without await the coroutine is never run: the answer comes "
                                 "before any sleep"),
                M::MaxLatency, 1, 0, 0, 0.25),
            claim(QStringLiteral("a coroutine object instead of the user: every request fails"),
                M::FailedShare, 2, 1, 1, 1) } };
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
