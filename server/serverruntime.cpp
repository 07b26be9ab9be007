#include "serverruntime.h"

#include "core/gil.h"
#include "core/serverlog.h"
#include "db/databasepool.h"
#include "http/httplistener.h"
#include "http/openfilelimit.h"
#include "routes/databaseroutes.h"
#include "routes/outboundroutes.h"
#include "serverlogging.h"
#include "trace/loopwatchdog.h"
#include "trace/trace.h"
#include "upstream/outbound.h"

#include <QAbstractEventDispatcher>
#include <QCoro/QCoroSignal>
#include <QThread>

namespace loopscope {

void addAllRoutes(Router &router, CourseState &course, ScopeState &scope,
    db::DatabasePool *database, upstream::Outbound *outbound)
{
    addCourseRoutes(router, course);
    addDatabaseRoutes(router, database, scope.settings);
    addOutboundRoutes(router, outbound, scope.settings);
    addScopeRoutes(router, scope);
}

ServerRuntime::ServerRuntime(const ServerConfig &config, ServerLog &log, ModeTable &modes,
    SettingTable &settings, http::ExchangeLog &exchanges)
    : m_config(config)
    , m_limits(config.limits)
    , m_log(log)
    , m_modes(modes)
    , m_settings(settings)
    , m_exchanges(exchanges)
    , m_pool(config.workerThreads)
    // ProcessPoolExecutor's default: a worker process per core.
    , m_processes(QThread::idealThreadCount(), QStringLiteral("process pool"))
    , m_tasks(log, config.maxBackgroundTasks)
    , m_services { m_pool, m_processes, m_tasks, m_log, m_modes }
    , m_scope { m_modes, m_settings, m_tasks, m_stats, m_pool, m_limits }
{ }

ServerRuntime::~ServerRuntime()
{
    m_settings.clear(); // its groups write to the pool and the simulator, which go with this
    m_listener.reset(); // connections first: their handlers reference the dispatcher
    if (m_watchdog)
        m_watchdog->stop();
}

Result ServerRuntime::start()
{
    // Before the loop's and the pools' rings are made, which it pays for.
    trace::setRingBudget(std::size_t(m_config.traceRingBudget));
    // The loop records the most events of any thread: give its ring room before its first one.
    trace::setRingCapacity(1 << 18);
    trace::setRecording(m_config.tracing);
    trace::setThreadName(QStringLiteral("server loop"));
    trace::prepareRing();
    Gil::process().setEnabled(m_config.gil);
    // An idle asyncio loop sleeps in its poll without the GIL: let it go before every poll.
    Gil::process().becomeLoopThread();
    connect(QAbstractEventDispatcher::instance(), &QAbstractEventDispatcher::aboutToBlock, this,
        [] { Gil::process().loopLetsGo(); });
    if (Result opened = openDatabase(); !opened)
        return opened;
    m_outbound = std::make_unique<upstream::Outbound>(m_config.outbound);
    if (Result started = m_outbound->start(); !started)
        return started;
    addAllRoutes(m_router, m_course, m_scope, m_database.get(), m_outbound.get());
    std::vector<int> modeIndexByRoute;
    for (const Route &route : m_router.routes()) {
        modeIndexByRoute.push_back(
            route.internal ? -1 : m_modes.add(route.key(), route.variants, route.defaultVariant));
    }
    for (const QString &assignment : m_config.modeAssignments) {
        if (const Result applied = m_modes.applyAssignment(assignment); !applied)
            return Result::failure(ErrorKind::BadArgument,
                QStringLiteral("--mode %1: %2").arg(assignment, applied.message()));
    }
    for (const QString &assignment : m_config.settingAssignments) {
        if (const Result applied = m_settings.applyAssignment(assignment); !applied)
            return Result::failure(ErrorKind::BadArgument,
                QStringLiteral("--set %1: %2").arg(assignment, applied.message()));
    }
    const ControlAccess controlAccess = ControlAccess::resolve(
        m_config.address, m_config.controlApiEnabled, m_config.controlToken, m_config.controlHosts);
    m_dispatcher = std::make_unique<Dispatcher>(
        m_router, m_services, std::move(modeIndexByRoute), controlAccess);
    m_dispatcher->setExchangeLog(&m_exchanges);
    fitConnectionCapToOpenFileLimit();
    m_listener = std::make_unique<http::HttpListener>(*m_dispatcher, m_limits, m_stats);
    // A heartbeat every 4 ms still reports a 5 ms stall within 10 ms of its start, at half the
    // wake-ups of the default 2 ms (the loop runs one per heartbeat).
    trace::WatchdogOptions watchdogOptions;
    watchdogOptions.heartbeatInterval = std::chrono::microseconds(4000);
    // Lag under 1 ms is sampled once a second: enough for the charts.
    watchdogOptions.lagSampleInterval = std::chrono::microseconds(1'000'000);
    // Only handlers and background tasks run code that can block the loop: with none running
    // the heartbeat pauses, so an idle server neither wakes nor records.
    watchdogOptions.onlyWhileWorking = true;
    m_watchdog = std::make_unique<trace::LoopWatchdog>(this, watchdogOptions);
    m_dispatcher->setLoopWatchdog(m_watchdog.get());
    m_tasks.setLoopWatchdog(m_watchdog.get());
    m_watchdog->start();
    if (!m_listener->start(m_config.address, m_config.port)) {
        return Result::failure(ErrorKind::Io,
            QStringLiteral("cannot listen on %1:%2: %3")
                .arg(m_config.address.toString())
                .arg(m_config.port)
                .arg(m_listener->errorString()));
    }
    warnBeyondLoopback(controlAccess.mode());
    qCDebug(lcCore) << "serving on" << port() << "with" << m_router.routes().size() << "routes";
    return {};
}

void ServerRuntime::fitConnectionCapToOpenFileLimit()
{
    // Descriptors beside the connections: database, log and trace files, the upstream client's
    // sockets, Qt's own. With the cap below the fd limit, one connection too many is refused
    // with a 503 instead of failing to be accepted at all.
    constexpr long reserve = 128;
    const long available = http::raiseOpenFileLimit(m_limits.maxConnections + reserve);
    if (available - reserve >= m_limits.maxConnections)
        return;
    m_limits.maxConnections = int(std::max(1L, available - reserve));
    m_log.warning(QStringLiteral("the open-file limit (%1) allows %2 connections, not the %3 asked "
                                 "for (raise it with ulimit -n)")
                      .arg(available)
                      .arg(m_limits.maxConnections)
                      .arg(m_config.limits.maxConnections));
}

void ServerRuntime::warnBeyondLoopback(ControlAccess::Mode controlMode)
{
    if (m_config.address.isLoopback())
        return;
    m_log.warning(QStringLiteral("listening beyond loopback (%1): anyone who can reach this "
                                 "address can use the course's routes")
                      .arg(m_config.address.toString()));
    switch (controlMode) {
    case ControlAccess::Mode::Token:
        m_log.warning(QStringLiteral("the /_scope/ control API needs the control token "
                                     "(Authorization: Bearer TOKEN)"));
        break;
    case ControlAccess::Mode::Off:
        m_log.warning(QStringLiteral("the /_scope/ control API is off; give --control-token "
                                     "TOKEN to use it from elsewhere"));
        break;
    case ControlAccess::Mode::Open:
        break;
    }
}

Result ServerRuntime::openDatabase()
{
    const QString text
        = m_config.databaseUrl.isEmpty() ? db::defaultDatabaseUrl() : m_config.databaseUrl;
    const db::DatabaseUrlParse parsed = db::parseDatabaseUrl(text);
    if (!parsed)
        return Result::failure(
            ErrorKind::BadArgument, QStringLiteral("--database: %1").arg(parsed.message()));
    m_database = std::make_unique<db::DatabasePool>(
        parsed.url, m_config.databasePoolMin, m_config.databasePoolMax);
    if (const Result opened = m_database->open(); !opened) {
        m_database.reset();
        return Result::failure(
            ErrorKind::Io, QStringLiteral("database unreachable: %1").arg(opened.message()));
    }
    return {};
}

quint16 ServerRuntime::port() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

QHostAddress ServerRuntime::address() const
{
    return m_listener ? m_listener->serverAddress() : QHostAddress();
}

QCoro::Task<> ServerRuntime::shutdown()
{
    const auto drainEnds = std::chrono::steady_clock::now() + m_config.drainTimeout;
    if (m_listener) {
        m_listener->beginShutdown();
        if (m_listener->openConnections() > 0)
            co_await qCoro(
                m_listener.get(), &http::HttpListener::allConnectionsClosed, m_config.drainTimeout);
    }
    // Whatever still computes is past its deadline, or works for a client that left.
    m_services.stopping->store(true);
    if (m_listener && m_listener->openConnections() > 0) {
        m_log.warning(
            QStringLiteral("%1 connection(s) still busy after %2 ms; cancelling their work")
                .arg(m_listener->openConnections())
                .arg(m_config.drainTimeout.count()));
        co_await qCoro(
            m_listener.get(), &http::HttpListener::allConnectionsClosed, m_config.cancelGrace);
        if (m_listener->openConnections() > 0)
            m_log.warning(QStringLiteral("%1 connection(s) still busy; closing them")
                              .arg(m_listener->openConnections()));
    }
    // The background tasks of answered requests belong to them (FastAPI's BackgroundTasks):
    // waited for within what is left of the drain, as uvicorn does, while the others run on.
    const auto drainLeft = std::chrono::duration_cast<std::chrono::milliseconds>(
        drainEnds - std::chrono::steady_clock::now());
    if (drainLeft.count() > 0)
        co_await m_tasks.awaitResponseTasks(drainLeft);
    co_await m_tasks.shutdown(m_config.taskGrace);
    Gil::process().loopLetsGo(); // the jobs waited for next may need it to finish
    // Cancelled calls kill their worker processes; the pools' threads then come back at once.
    m_processes.stop(m_config.cancelGrace);
    if (const int abandoned = m_pool.stop(m_config.cancelGrace); abandoned > 0) {
        m_log.warning(QStringLiteral("%1 worker thread(s) still busy after %2 ms; abandoning them")
                          .arg(abandoned)
                          .arg(m_config.cancelGrace.count()));
    }
}

} // namespace loopscope
