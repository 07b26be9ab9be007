#pragma once

#include <QDateTime>

namespace loopscope {

class Router;
class ModeTable;
class TaskRegistry;
namespace http {
struct ConnectionStats;
}

// What the /_scope/ control API reads and changes.
struct ScopeState
{
    ModeTable &modes;
    TaskRegistry &tasks;
    const http::ConnectionStats &stats;
    qint64 startedMs = QDateTime::currentMSecsSinceEpoch();
};

// GET /_scope/health, GET|PUT /_scope/modes, GET /_scope/tasks.
void addScopeRoutes(Router &router, ScopeState &state);

} // namespace loopscope
