#pragma once

#include <QString>

namespace loopscope {

struct AppOptions;

// `loopscope --headless`: the server alone, its log on stdout, stopped by SIGINT/SIGTERM.
int runHeadless(const AppOptions &options);

// --trace-out: the retained trace window as Chrome JSON. Returns an error text, empty when done.
QString writeTrace(const QString &path);

} // namespace loopscope
