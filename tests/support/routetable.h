#pragma once

#include "core/modetable.h"
#include "core/serverlog.h"
#include "core/taskregistry.h"
#include "core/workerpool.h"
#include "http/connectionstats.h"
#include "serverruntime.h"

namespace loopscope::testing {

// The server's route table as the server builds it, with the state its handlers refer to, for the
// suites and fuzzers that walk it (or call a handler) without a socket. No database and no
// outbound client: the routes that need one answer its 503.
struct RouteTable
{
    ServerLog log;
    ModeTable modes;
    SettingTable settings;
    TaskRegistry tasks { log };
    http::ConnectionStats stats;
    WorkerPool pool { 1 };
    WorkerPool processes { 1, QStringLiteral("process pool") };
    http::HttpLimits limits;
    CourseState course;
    ScopeState scope { modes, settings, tasks, stats, pool, limits };
    Router router;

    RouteTable() { addAllRoutes(router, course, scope, nullptr, nullptr); }
};

} // namespace loopscope::testing
