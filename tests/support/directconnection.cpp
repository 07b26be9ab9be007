#include "directconnection.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUrl>
#include <atomic>

namespace loopscope::testing {

namespace {
std::atomic<int> connectionCounter { 0 };
}

DirectConnection::DirectConnection(const QString &postgresUrl)
    : m_name(QStringLiteral("test direct connection %1").arg(++connectionCounter))
{
    const QUrl url(postgresUrl);
    m_database = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
    m_database.setHostName(url.host());
    m_database.setPort(url.port());
    m_database.setUserName(url.userName());
    m_database.setDatabaseName(url.path().mid(1));
    m_database.open();
}

DirectConnection::~DirectConnection()
{
    m_database.close();
    m_database = QSqlDatabase(); // no handle may be left when it is removed
    QSqlDatabase::removeDatabase(m_name);
}

DirectRows DirectConnection::select(const QString &sql)
{
    if (!m_database.isOpen())
        return { Result::failure(ErrorKind::Io, m_database.lastError().text()), {} };
    QSqlQuery query(m_database);
    if (!query.exec(sql))
        return { Result::failure(ErrorKind::Internal, query.lastError().text()), {} };
    DirectRows result;
    while (query.next()) {
        QVariantList row;
        for (int column = 0; column < query.record().count(); ++column)
            row << query.value(column);
        result.rows << row;
    }
    return result;
}

int DirectConnection::sleepingBackends()
{
    const DirectRows sleeping = select(
        QStringLiteral("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"));
    return sleeping ? sleeping.rows.value(0).value(0).toInt() : -1;
}

DirectRows selectDirectly(const QString &postgresUrl, const QString &sql)
{
    return DirectConnection(postgresUrl).select(sql);
}

} // namespace loopscope::testing
