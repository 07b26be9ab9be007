#pragma once

namespace loopscope {

class Router;
class SettingTable;
namespace db {
class DatabasePool;
}

// The course's database chapters: GET /items/{item_id}, POST /items/import (CSV), the blog
// CRUD under /posts/, and GET|PUT /_scope/database (pool figures, the pooling switch). Without
// a pool (a route table built for docs) every database route answers 503. With one, the pooling
// switch is the setting "database.pooling".
void addDatabaseRoutes(Router &router, db::DatabasePool *pool, SettingTable &settings);

} // namespace loopscope
