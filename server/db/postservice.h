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

// The course's blog PostService (SQLAlchemy async session), one statement per operation: each
// write is a single atomic statement with RETURNING, so there is no read-then-write race.
class PostService
{
public:
    explicit PostService(DatabasePool &pool)
        : m_pool(pool)
    { }

    QCoro::Task<DbResult<QJsonObject>> createPost(
        RequestContext &context, QString title, QString content, QString author);
    QCoro::Task<DbResult<std::optional<QJsonObject>>> getPost(
        RequestContext &context, qint64 id, double delay);
    QCoro::Task<DbResult<QJsonArray>> listPosts(
        RequestContext &context, qint64 skip, qint64 limit, double delay);
    // Nothing when the post does not exist.
    QCoro::Task<DbResult<std::optional<QJsonObject>>> updatePost(
        RequestContext &context, qint64 id, QString title, QString content);
    // False when the post does not exist.
    QCoro::Task<DbResult<bool>> deletePost(RequestContext &context, qint64 id);

private:
    DatabasePool &m_pool;
};

} // namespace loopscope::db
