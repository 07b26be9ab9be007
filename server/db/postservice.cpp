#include "postservice.h"

#include "dbcall.h"

namespace loopscope::db {

namespace {

const QString columns = QStringLiteral("id, title, content, author");

QJsonObject postJson(const Row &row)
{
    return { { QStringLiteral("id"), row.at(0).toLongLong() },
        { QStringLiteral("title"), row.at(1).toString() },
        { QStringLiteral("content"), row.at(2).toString() },
        { QStringLiteral("author"), row.at(3).toString() } };
}

std::optional<QJsonObject> firstPost(const QList<Row> &rows)
{
    if (rows.isEmpty())
        return std::nullopt;
    return postJson(rows.constFirst());
}

} // namespace

QCoro::Task<DbResult<QJsonObject>> PostService::createPost(
    RequestContext &context, QString title, QString content, QString author)
{
    static const std::uint32_t label = trace::label("db.insert posts");
    return dbCall(context, m_pool, label, Access::Write, [title, content, author](DbConnection &c) {
        const auto rows = c.query(QStringLiteral("INSERT INTO posts (title, content, author) "
                                                 "VALUES (?, ?, ?) RETURNING ")
                + columns,
            { title, content, author });
        if (rows.isEmpty())
            throw DbFailure(QStringLiteral("INSERT returned no row"));
        return postJson(rows.constFirst());
    });
}

QCoro::Task<DbResult<std::optional<QJsonObject>>> PostService::getPost(
    RequestContext &context, qint64 id, double delay)
{
    static const std::uint32_t label = trace::label("db.fetchrow posts");
    return dbCall(context, m_pool, label, Access::Read, [id, delay](DbConnection &c) {
        c.simulateLatency(delay);
        return firstPost(c.query(
            QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM posts WHERE id = ?"),
            { id }));
    });
}

QCoro::Task<DbResult<QJsonArray>> PostService::listPosts(
    RequestContext &context, qint64 skip, qint64 limit, double delay)
{
    static const std::uint32_t label = trace::label("db.fetch posts");
    return dbCall(context, m_pool, label, Access::Read, [skip, limit, delay](DbConnection &c) {
        c.simulateLatency(delay);
        QJsonArray posts;
        const auto rows = c.query(QStringLiteral("SELECT ") + columns
                + QStringLiteral(" FROM posts ORDER BY id LIMIT ? OFFSET ?"),
            { limit, skip });
        for (const Row &row : rows)
            posts.append(postJson(row));
        return posts;
    });
}

QCoro::Task<DbResult<std::optional<QJsonObject>>> PostService::updatePost(
    RequestContext &context, qint64 id, QString title, QString content)
{
    static const std::uint32_t label = trace::label("db.update posts");
    return dbCall(context, m_pool, label, Access::Write, [id, title, content](DbConnection &c) {
        return firstPost(c.query(QStringLiteral("UPDATE posts SET title = ?, content = ? "
                                                "WHERE id = ? RETURNING ")
                + columns,
            { title, content, id }));
    });
}

QCoro::Task<DbResult<bool>> PostService::deletePost(RequestContext &context, qint64 id)
{
    static const std::uint32_t label = trace::label("db.delete posts");
    return dbCall(context, m_pool, label, Access::Write, [id](DbConnection &c) {
        return !c.query(QStringLiteral("DELETE FROM posts WHERE id = ? RETURNING id"), { id })
                    .isEmpty();
    });
}

} // namespace loopscope::db
