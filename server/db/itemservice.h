#pragma once

#include "dbresult.h"

#include <QCoro/QCoroTask>
#include <QJsonArray>
#include <QJsonObject>
#include <optional>

namespace loopscope {
struct RequestContext;
}

namespace loopscope::db {

class DatabasePool;

// The course's `GET /items/{item_id}` (asyncpg fetchrow) and the CSV upload scenario.
class ItemService
{
public:
    explicit ItemService(DatabasePool &pool)
        : m_pool(pool)
    { }

    // {"id", "name", "price"}, or nothing for an unknown id. `delay` simulates a slow query.
    QCoro::Task<DbResult<std::optional<QJsonObject>>> getItem(
        RequestContext &context, qint64 id, double delay);

    struct ImportOutcome
    {
        qint64 imported = 0;
        QJsonArray errors; // FastAPI-shaped entries, one per bad line; nothing imported when any
    };
    // Validates every line of a `name,price` CSV body, then inserts all rows in one transaction.
    // Parsing runs where the job runs, so a large body never occupies the loop (async variant).
    QCoro::Task<DbResult<ImportOutcome>> importCsv(RequestContext &context, QByteArray csv);

private:
    DatabasePool &m_pool;
};

} // namespace loopscope::db
