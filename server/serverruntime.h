#pragma once

#include "core/modetable.h"
#include "core/result.h"
#include "core/taskregistry.h"
#include "core/workerpool.h"
#include "http/connectionstats.h"
#include "routes/courseroutes.h"
#include "routes/scoperoutes.h"
#include "routing/dispatcher.h"
#include "routing/router.h"
#include "routing/settingtable.h"
#include "serverconfig.h"

#include <QObject>
#include <memory>

namespace loopscope {

class ServerLog;
namespace http {
class ExchangeLog;
class HttpListener;
} // namespace http
namespace trace {
class LoopWatchdog;
}
namespace db {
class DatabasePool;
}
namespace upstream {
class Outbound;
}

// Everything that lives on the server loop thread, created and destroyed there.
class ServerRuntime : public QObject
{
    Q_OBJECT
public:
    ServerRuntime(const ServerConfig &config, ServerLog &log, ModeTable &modes,
        SettingTable &settings, http::ExchangeLog &exchanges);
    ~ServerRuntime() override;

    // Applies --mode assignments and binds. A BadArgument failure means the configuration, not
    // the machine, is at fault.
    Result start();
    quint16 port() const;
    QHostAddress address() const;
    const http::ConnectionStats &stats() const { return m_stats; }
    const trace::LoopWatchdog *watchdog() const { return m_watchdog.get(); }
    const TaskRegistry &tasks() const { return m_tasks; }
    // What the connections hand their requests to (after start()); fuzzers feed it directly.
    http::RequestHandler *requestHandler() { return m_dispatcher.get(); }
    // Set when the server stops waiting for the work in flight (see ServerServices::stopping);
    // any thread may set it, e.g. when this loop is itself blocked past the drain timeout.
    std::shared_ptr<std::atomic<bool>> stoppingFlag() const { return m_services.stopping; }

    // Graceful stop: no new connections, answers in flight are written (bounded by the drain
    // timeout), background tasks get their grace period, then are cancelled and reported.
    QCoro::Task<> shutdown();

private:
    Result openDatabase(); // connects, creates the schema, starts the pool's workers
    void warnBeyondLoopback(ControlAccess::Mode controlMode);
    void fitConnectionCapToOpenFileLimit();

    const ServerConfig m_config;
    http::HttpLimits m_limits; // the configured ones, the connection cap fitted to the fd limit
    ServerLog &m_log;
    ModeTable &m_modes;
    SettingTable &m_settings;
    http::ExchangeLog &m_exchanges;
    // Before everything that tells it of work: requests and tasks end when they are destroyed.
    std::unique_ptr<trace::LoopWatchdog> m_watchdog;
    WorkerPool m_pool;
    WorkerPool m_processes;
    TaskRegistry m_tasks;
    std::unique_ptr<db::DatabasePool> m_database; // before the routes that use it
    std::unique_ptr<upstream::Outbound> m_outbound; // simulator and client, likewise
    Router m_router;
    CourseState m_course;
    ServerServices m_services;
    http::ConnectionStats m_stats;
    ScopeState m_scope;
    std::unique_ptr<Dispatcher> m_dispatcher;
    std::unique_ptr<http::HttpListener> m_listener;
};

// Builds the route table: the course's routes and the /_scope/ API. Also used by tests and docs
// (without a database, its routes answer 503).
void addAllRoutes(Router &router, CourseState &course, ScopeState &scope,
    db::DatabasePool *database = nullptr, upstream::Outbound *outbound = nullptr);

} // namespace loopscope
