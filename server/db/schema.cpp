#include "schema.h"

#include "dbconnection.h"

namespace loopscope::db {

void createSchema(DbConnection &connection)
{
    const bool pg = connection.isPostgres();
    const QString key = pg ? QStringLiteral("BIGSERIAL PRIMARY KEY")
                           : QStringLiteral("INTEGER PRIMARY KEY AUTOINCREMENT");
    const QString real = pg ? QStringLiteral("DOUBLE PRECISION") : QStringLiteral("REAL");
    connection.beginWrite();
    connection.execute(
        QStringLiteral("CREATE TABLE IF NOT EXISTS items (id %1, name TEXT NOT NULL, "
                       "price %2 NOT NULL)")
            .arg(key, real));
    connection.execute(QStringLiteral("CREATE INDEX IF NOT EXISTS ix_items_name ON items (name)"));
    connection.execute(
        QStringLiteral("CREATE TABLE IF NOT EXISTS posts (id %1, title TEXT NOT NULL, "
                       "content TEXT NOT NULL, author TEXT NOT NULL)")
            .arg(key));
    connection.execute(
        QStringLiteral("CREATE INDEX IF NOT EXISTS ix_posts_title ON posts (title)"));
    connection.commit();
}

void seedItems(DbConnection &connection, int count)
{
    connection.beginWrite();
    if (connection.isPostgres()) // two servers starting on one empty database seed once
        connection.execute(QStringLiteral("LOCK TABLE items IN EXCLUSIVE MODE"));
    const auto rows = connection.query(QStringLiteral("SELECT COUNT(*) FROM items"));
    if (!rows.isEmpty() && rows.constFirst().constFirst().toLongLong() == 0) {
        for (int id = 1; id <= count; ++id) {
            connection.execute(
                QStringLiteral("INSERT INTO items (id, name, price) VALUES (?, ?, ?)"),
                { id, QStringLiteral("Item %1").arg(id), seedPrice(id) });
        }
        if (connection.isPostgres()) {
            // Explicit ids leave the sequence behind; later inserts continue after the seed.
            connection.query(QStringLiteral("SELECT setval(pg_get_serial_sequence('items', 'id'), "
                                            "(SELECT MAX(id) FROM items))"));
        }
    }
    connection.commit();
}

} // namespace loopscope::db
