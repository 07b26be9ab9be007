#pragma once

namespace loopscope {

class Router;
class SettingTable;

// GET|PUT /_scope/gil: whether CPython's global interpreter lock applies (core/gil.h), the
// switch the window's Python menu, --gil and the scenarios set; its setting is "gil.enabled".
void addGilRoutes(Router &router, SettingTable &settings);

} // namespace loopscope
