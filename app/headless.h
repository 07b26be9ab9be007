#pragma once

#include <QString>

namespace loopscope {

struct AppOptions;

// `loopscope --headless`: the server alone, its log on stdout, stopped by SIGINT/SIGTERM.
int runHeadless(const AppOptions &options);

// `loopscope info FILE`: a recording's summary as one line of JSON; 1 when it cannot be read.
int runInfoCommand(const QStringList &arguments);

} // namespace loopscope
