#pragma once

#include "serverhost.h"

#include <memory>

namespace loopscope::testing {

// A live server for a suite: on its own thread, on a free port, its database in memory unless
// the suite names one (never a file in the user's data directory). Ends the suite when the
// server cannot start: nothing after it could mean anything.
inline std::unique_ptr<ServerHost> startServer(ServerConfig config = {})
{
    config.port = 0;
    if (config.databaseUrl.isEmpty())
        config.databaseUrl = QStringLiteral("sqlite::memory:");
    auto host = std::make_unique<ServerHost>(config);
    if (const Result started = host->start(); !started)
        qFatal("server did not start: %s", qPrintable(started.message()));
    return host;
}

} // namespace loopscope::testing
