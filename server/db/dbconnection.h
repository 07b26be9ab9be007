#pragma once

#include "core/result.h"

#include "databaseurl.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>
#include <chrono>
#include <stdexcept>

namespace loopscope::db {

// A failed statement inside a database job. It never leaves the pool: DatabasePool turns it into
// a DbResult (and tells a lost connection from a bad statement).
class DbFailure : public std::runtime_error
{
public:
    explicit DbFailure(const QString &message)
        : std::runtime_error(message.toStdString())
    { }
    QString message() const { return QString::fromStdString(what()); }
};

using Row = QVariantList;

// One QSqlDatabase connection, used only on the thread that created it (Qt's rule): named
// uniquely, opened, and removed from Qt's registry when destroyed on that thread. Statements
// are parameterised and prepared once per connection.
class DbConnection
{
public:
    explicit DbConnection(const DatabaseUrl &url);
    ~DbConnection();
    DbConnection(const DbConnection &) = delete;
    DbConnection &operator=(const DbConnection &) = delete;

    // Opens (or reopens after a loss) and applies the per-connection settings; an Io failure
    // naming the database (password masked) and why.
    Result open();
    bool isOpen() const { return m_open; }
    void close();
    // After a failed statement: is the server still there? A dead connection is closed so the
    // next job reconnects.
    bool checkAlive();
    // Since the last statement (or opening). A connection learns that the server cut it off only
    // when it next talks to it.
    std::chrono::steady_clock::duration idleFor() const
    {
        return std::chrono::steady_clock::now() - m_lastUsed;
    }

    // Runs a statement with positional `?` values; returns every row and resets the statement, so
    // no read stays open (in SQLite's WAL an open read pins the snapshot).
    QList<Row> query(const QString &sql, const QVariantList &values = {});
    // A statement without rows; returns the affected row count.
    qint64 execute(const QString &sql, const QVariantList &values = {});

    // A write transaction: BEGIN IMMEDIATE on SQLite (a deferred one can fail with
    // SQLITE_BUSY_SNAPSHOT when it upgrades), BEGIN on PostgreSQL.
    void beginWrite();
    void commit();
    void rollbackIfActive();

    // A slow query's wait: pg_sleep on PostgreSQL; SQLite has none, so the worker thread sleeps.
    void simulateLatency(double seconds);

    const DatabaseUrl &url() const { return m_url; }
    bool isPostgres() const { return m_url.isPostgres(); }

    // Connections opened by every DbConnection of the process (the "no pool" cost).
    static quint64 openedTotal();

private:
    QSqlQuery &prepared(const QString &sql);
    void run(QSqlQuery &query, const QString &sql, const QVariantList &values);

    DatabaseUrl m_url;
    QString m_name;
    QSqlDatabase m_database;
    QHash<QString, QSqlQuery> m_statements;
    bool m_open = false;
    bool m_inTransaction = false;
    std::chrono::steady_clock::time_point m_lastUsed = std::chrono::steady_clock::now();
};

} // namespace loopscope::db
