#pragma once

#include <QDateTime>

namespace loopscope {

class Router;
class ModeTable;
class SettingTable;
class TaskRegistry;
class WorkerPool;
namespace http {
struct ConnectionStats;
struct HttpLimits;
} // namespace http

// What the /_scope/ control API reads and changes.
struct ScopeState
{
    ModeTable &modes;
    SettingTable &settings; // each area adds the group its PUT route changes
    TaskRegistry &tasks;
    const http::ConnectionStats &stats;
    WorkerPool &pool; // exports run here, never on the loop
    const http::HttpLimits &limits; // shown in /_scope/metrics
    qint64 startedMs = QDateTime::currentMSecsSinceEpoch();
};

// GET /_scope/health, GET|PUT /_scope/modes, GET|PUT /_scope/gil, GET /_scope/tasks, GET
// /_scope/trace, GET /_scope/metrics, GET /_scope/stalls, and the API's own docs: GET
// /openapi.json, GET /docs.
void addScopeRoutes(Router &router, ScopeState &state);

} // namespace loopscope
