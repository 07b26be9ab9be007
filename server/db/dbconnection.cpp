#include "dbconnection.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlRecord>
#include <atomic>
#include <thread>

namespace loopscope::db {

namespace {

std::atomic<quint64> connectionCounter { 0 };
std::atomic<quint64> openedCounter { 0 };

constexpr int sqliteBusyTimeoutMs = 30000;

QString describe(const QSqlError &error)
{
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    return text.trimmed();
}

} // namespace

DbConnection::DbConnection(const DatabaseUrl &url)
    : m_url(url)
    , m_name(QStringLiteral("loopscope-db-%1").arg(++connectionCounter))
{ }

DbConnection::~DbConnection()
{
    close();
    m_database = QSqlDatabase();
    if (QSqlDatabase::contains(m_name))
        QSqlDatabase::removeDatabase(m_name);
}

quint64 DbConnection::openedTotal()
{
    return openedCounter.load(std::memory_order_relaxed);
}

Result DbConnection::open()
{
    if (m_open)
        return {};
    if (!m_database.isValid()) {
        if (m_url.isPostgres()) {
            m_database = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
            m_database.setHostName(m_url.host);
            m_database.setPort(m_url.port);
            m_database.setUserName(m_url.user);
            m_database.setPassword(m_url.password);
            m_database.setDatabaseName(m_url.database);
            m_database.setConnectOptions(QStringLiteral("connect_timeout=5"));
        } else {
            m_database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
            m_database.setDatabaseName(m_url.sqlitePath);
            m_database.setConnectOptions(
                QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(sqliteBusyTimeoutMs));
        }
    }
    if (!m_url.isPostgres()) {
        // SQLite creates the file but not its directory (the user data directory on first run).
        QDir().mkpath(QFileInfo(m_url.sqlitePath).absolutePath());
    }
    if (!m_database.open()) {
        return Result::failure(ErrorKind::Io,
            QStringLiteral("cannot open %1: %2")
                .arg(m_url.displayText(), describe(m_database.lastError())));
    }
    m_open = true;
    m_lastUsed = std::chrono::steady_clock::now();
    ++openedCounter;
    try {
        if (!m_url.isPostgres()) {
            query(QStringLiteral("PRAGMA journal_mode=WAL"));
            execute(QStringLiteral("PRAGMA synchronous=NORMAL"));
        } else {
            // CREATE ... IF NOT EXISTS reports each existing table as a NOTICE on stderr.
            execute(QStringLiteral("SET client_min_messages TO WARNING"));
        }
    } catch (const DbFailure &failure) {
        close();
        return Result::failure(ErrorKind::Io,
            QStringLiteral("cannot set up %1: %2").arg(m_url.displayText(), failure.message()));
    }
    return {};
}

void DbConnection::close()
{
    m_statements.clear(); // prepared statements before their connection
    m_inTransaction = false;
    if (m_database.isValid())
        m_database.close();
    m_open = false;
}

bool DbConnection::checkAlive()
{
    if (!m_open)
        return false;
    m_lastUsed = std::chrono::steady_clock::now();
    QSqlQuery probe(m_database);
    if (probe.exec(QStringLiteral("SELECT 1")) && probe.next())
        return true;
    close();
    return false;
}

QSqlQuery &DbConnection::prepared(const QString &sql)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        QSqlQuery statement(m_database);
        statement.setForwardOnly(true);
        if (!statement.prepare(sql))
            throw DbFailure(describe(statement.lastError()));
        it = m_statements.insert(sql, statement); // QHash copies: it has no insert by move
    }
    return *it;
}

void DbConnection::run(QSqlQuery &statement, const QString &sql, const QVariantList &values)
{
    for (qsizetype i = 0; i < values.size(); ++i)
        statement.bindValue(int(i), values.at(i));
    if (!statement.exec()) {
        const QString message = describe(statement.lastError());
        statement.finish();
        // A statement that failed may be stale (its connection was lost): prepare it afresh.
        m_statements.remove(sql);
        throw DbFailure(message);
    }
}

namespace {

QList<Row> readRows(QSqlQuery &statement)
{
    QList<Row> rows;
    const int columns = statement.record().count();
    while (statement.next()) {
        Row row;
        row.reserve(columns);
        for (int c = 0; c < columns; ++c)
            row.append(statement.value(c));
        rows.append(std::move(row));
    }
    // next() returns false on an error as at the end. QPSQL streams a forward-only query's rows
    // one by one, so an error that arrives after them (the connection lost, or a deferred
    // constraint failing, at the commit of INSERT ... RETURNING) shows only in lastError(). The
    // rows read so far are then no result: the statement failed and its write rolled back.
    const QSqlError error = statement.lastError();
    statement.finish();
    if (error.isValid())
        throw DbFailure(describe(error));
    return rows;
}

} // namespace

// Statements with values are prepared once per connection and bound; the rest (DDL, PRAGMA,
// transaction control) run as plain text, since PostgreSQL cannot prepare some of them.
QList<Row> DbConnection::query(const QString &sql, const QVariantList &values)
{
    if (!m_open)
        throw DbFailure(QStringLiteral("not connected"));
    m_lastUsed = std::chrono::steady_clock::now();
    if (values.isEmpty()) {
        QSqlQuery plain(m_database);
        plain.setForwardOnly(true);
        if (!plain.exec(sql))
            throw DbFailure(describe(plain.lastError()));
        return readRows(plain);
    }
    QSqlQuery &statement = prepared(sql);
    run(statement, sql, values);
    return readRows(statement);
}

qint64 DbConnection::execute(const QString &sql, const QVariantList &values)
{
    if (!m_open)
        throw DbFailure(QStringLiteral("not connected"));
    m_lastUsed = std::chrono::steady_clock::now();
    if (values.isEmpty()) {
        QSqlQuery plain(m_database);
        if (!plain.exec(sql))
            throw DbFailure(describe(plain.lastError()));
        return plain.numRowsAffected();
    }
    QSqlQuery &statement = prepared(sql);
    run(statement, sql, values);
    const qint64 affected = statement.numRowsAffected();
    statement.finish();
    return affected;
}

void DbConnection::beginWrite()
{
    execute(m_url.isPostgres() ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE"));
    m_inTransaction = true;
}

void DbConnection::commit()
{
    execute(QStringLiteral("COMMIT"));
    m_inTransaction = false;
}

void DbConnection::rollbackIfActive()
{
    if (!m_inTransaction || !m_open)
        return;
    m_inTransaction = false;
    try {
        execute(QStringLiteral("ROLLBACK"));
    } catch (const DbFailure &) {
        // The connection is gone or the transaction already ended: nothing to undo here.
    }
}

void DbConnection::simulateLatency(double seconds)
{
    if (seconds <= 0)
        return;
    if (m_url.isPostgres()) {
        query(QStringLiteral("SELECT pg_sleep(?)"), { seconds });
        return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(qint64(seconds * 1e6)));
}

} // namespace loopscope::db
