#pragma once

#include "core/result.h"

#include <QString>

namespace loopscope::db {

// Where the database is, as given to --database. SQLAlchemy's spelling, since that is what the
// course uses: sqlite:///relative.db, sqlite:////absolute.db, sqlite::memory:,
// postgresql://user:pass@host:port/dbname. Pool bounds ride along as asyncpg's names:
// ?min_size=5&max_size=20.
struct DatabaseUrl
{
    enum class Backend
    {
        Sqlite,
        Postgres
    };

    Backend backend = Backend::Sqlite;
    QString sqlitePath; // empty with `memory`
    bool memory = false; // sqlite::memory: (a private temporary file shared by the pool)
    QString host; // Postgres: name, address, or a unix socket directory
    int port = 5432;
    QString user;
    QString password;
    QString database;
    int minSize = -1; // from the URL; -1 = the server's configuration decides
    int maxSize = -1;

    bool isPostgres() const { return backend == Backend::Postgres; }
    QString backendName() const;
    // The URL with the password masked, for messages and /_scope/database.
    QString displayText() const;
};

// A BadArgument naming the URL and what is wrong with it, or the URL.
struct DatabaseUrlParse : Result
{
    DatabaseUrl url;
};

DatabaseUrlParse parseDatabaseUrl(const QString &text);

// sqlite:////<user data directory>/loopscope.db (QStandardPaths::AppDataLocation).
QString defaultDatabaseUrl();

} // namespace loopscope::db
