#pragma once

#include <QJsonObject>

namespace loopscope {

class Router;

// OpenAPI 3 from the route table, in FastAPI's shape: paths, parameters with types and bounds,
// responses (200, 404/422 with their bodies), and each route's variants as `x-variants`.
QJsonObject openApiDocument(const Router &router);

// GET /openapi.json, GET /docs (an interactive page with a try-it form per route) and GET
// /redoc (a reference page).
void addDocsRoutes(Router &router);

} // namespace loopscope
