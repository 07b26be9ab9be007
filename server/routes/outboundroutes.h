#pragma once

namespace loopscope {

class Router;
class SettingTable;
namespace upstream {
class Outbound;
}

// The course's outbound examples: GET /weather/{city}, GET /dashboard (asyncio.gather),
// GET /scrape (the step-by-step exercise), GET /files/{name} (the aiofiles FAQ), and the
// simulator's control API GET|PUT /_scope/upstream. Without an Outbound they answer 503. With a
// simulator, its settings are "upstream.latency_ms", "upstream.failure_rate", ...
void addOutboundRoutes(Router &router, upstream::Outbound *outbound, SettingTable &settings);

} // namespace loopscope
