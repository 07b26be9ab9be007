#pragma once

#include "core/result.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QVariantList>

namespace loopscope::testing {

// What a test itself reads from PostgreSQL.
struct DirectRows : Result
{
    QList<QVariantList> rows;
};

// A test's own look into a PostgreSQL database, independent of the server's pool and its
// driver wrapper: a QPSQL connection of this thread, removed when it goes.
class DirectConnection
{
public:
    explicit DirectConnection(const QString &postgresUrl);
    ~DirectConnection();
    DirectConnection(const DirectConnection &) = delete;
    DirectConnection &operator=(const DirectConnection &) = delete;

    DirectRows select(const QString &sql);
    // Backends of the cluster asleep in pg_sleep (the server's `delay`), or -1.
    int sleepingBackends();

private:
    QString m_name;
    QSqlDatabase m_database;
};

// One statement on a connection of its own.
DirectRows selectDirectly(const QString &postgresUrl, const QString &sql);

} // namespace loopscope::testing
