#pragma once

#include "support/httptestclient.h"

#include <QString>
#include <memory>

namespace loopscope {
class ServerHost;
}

namespace loopscope::testing {

// The server on its own thread, serving one database with a pool of poolMin..poolMax
// connections; check isRunning() (the reason is logged when it did not start).
std::unique_ptr<ServerHost> startDatabaseServer(
    const QString &databaseUrl, int poolMin = 5, int poolMax = 20);

// Flips one route ("POST /posts/") to a variant through the control API; false if refused.
bool setRouteVariant(quint16 port, const QString &route, const QString &variant);

// The 503 every database route answers while its database cannot be reached.
bool isDatabaseUnavailable(const TestResponse &response);

} // namespace loopscope::testing
