#pragma once

#include <QLoggingCategory>

// The server library's diagnostic categories, one per module. Debug output is off unless asked
// for, e.g. QT_LOGGING_RULES="loopscope.http.debug=true" (see the README). The user's log is
// ServerLog; these are for whoever works on the server.
namespace loopscope {

Q_DECLARE_LOGGING_CATEGORY(lcHttp) // loopscope.http: listener and connections
Q_DECLARE_LOGGING_CATEGORY(lcRoutes) // loopscope.routes: routing, the course's routes
Q_DECLARE_LOGGING_CATEGORY(lcDb) // loopscope.db: the database pool and its workers
Q_DECLARE_LOGGING_CATEGORY(lcOutbound) // loopscope.outbound: the upstream client and simulator
Q_DECLARE_LOGGING_CATEGORY(lcCore) // loopscope.core: server start and stop, tasks, workers

} // namespace loopscope
