#pragma once

namespace loopscope {

class Router;

// GET|PUT /_scope/gil: whether CPython's global interpreter lock applies (core/gil.h), the
// switch the window's Python menu, --gil and the scenarios set.
void addGilRoutes(Router &router);

} // namespace loopscope
