#pragma once

namespace loopscope {

struct AppOptions;

// `loopscope --headless`: the server alone, its log on stdout, stopped by SIGINT/SIGTERM.
int runHeadless(const AppOptions &options);

} // namespace loopscope
