#include "databasepool.h"

#include "schema.h"
#include "serverlogging.h"

#include <QCoreApplication>
#include <QDir>
#include <unordered_map>

namespace loopscope::db {

namespace {

std::atomic<quint64> poolCounter { 0 };

} // namespace

DatabasePool::DatabasePool(DatabaseUrl url, int minSize, int maxSize)
    : m_url(std::move(url))
    , m_minSize(std::max(1, m_url.minSize > 0 ? m_url.minSize : minSize))
    , m_maxSize(std::max(m_minSize, m_url.maxSize > 0 ? m_url.maxSize : maxSize))
    , m_id(++poolCounter)
{
    if (m_url.memory) {
        // Every connection of the pool must see the same database. A shared-cache in-memory
        // database answers concurrent writers with SQLITE_LOCKED, which the busy timeout does
        // not cover; a private temporary file in WAL mode behaves like the real thing.
        m_memoryDir = std::make_unique<QTemporaryDir>(
            QDir::tempPath() + QStringLiteral("/loopscope-memdb-XXXXXX"));
        m_url.sqlitePath = m_memoryDir->filePath(QStringLiteral("memory.db"));
    }
}

DatabasePool::~DatabasePool()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (std::thread &worker : m_workers)
        worker.join(); // each drains the queue (every promise finished) and removes its connection
    m_loopConnection.reset();
}

Result DatabasePool::open()
{
    DbConnection connection(m_url);
    if (Result opened = connection.open(); !opened)
        return opened;
    try {
        createSchema(connection);
        seedItems(connection);
    } catch (const DbFailure &failure) {
        connection.rollbackIfActive();
        return Result::failure(ErrorKind::Io,
            QStringLiteral("cannot create the schema in %1: %2")
                .arg(m_url.displayText(), failure.message()));
    }
    std::unique_lock lock(m_mutex);
    while (int(m_workers.size()) < m_minSize) {
        const int index = int(m_workers.size()) + 1;
        m_workers.emplace_back([this, index] { workerMain(index); });
    }
    // Up front, not behind the first requests: a connection opened meanwhile would be counted
    // against them (and, with asyncpg, the pool is ready when create_pool returns).
    m_workerStarted.wait(lock, [this] { return m_started >= m_minSize; });
    qCDebug(lcDb).noquote() << "opened" << m_url.displayText() << "with" << m_minSize
                            << "workers, at most" << m_maxSize;
    return {};
}

void DatabasePool::enqueue(PendingJob job)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(job));
        // Grow towards max while jobs outnumber idle connections, as asyncpg's pool does.
        const int idle = int(m_workers.size()) - m_busy;
        if (!m_stopping && int(m_queue.size()) > idle && int(m_workers.size()) < m_maxSize) {
            const int index = int(m_workers.size()) + 1;
            m_workers.emplace_back([this, index] { workerMain(index); });
        }
    }
    m_wake.notify_one();
}

void DatabasePool::workerMain(int index)
{
    trace::setThreadName(QStringLiteral("database worker %1").arg(index));
    trace::prepareRing();
    DbConnection connection(m_url);
    // As asyncpg opens min_size connections up front; a failure retries per job.
    static_cast<void>(connection.open());
    {
        const std::lock_guard lock(m_mutex);
        ++m_started;
    }
    m_workerStarted.notify_all();
    for (;;) {
        PendingJob job;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty())
                break;
            job = std::move(m_queue.front());
            m_queue.pop_front();
            ++m_busy;
        }
        trace::record(trace::Kind::JobStarted, job.span, job.label);
        job.body(connection);
        trace::record(trace::Kind::JobFinished, job.span, job.label);
        std::lock_guard lock(m_mutex);
        --m_busy;
    }
}

DatabasePool::Stats DatabasePool::stats() const
{
    std::lock_guard lock(m_mutex);
    return { int(m_workers.size()), m_busy, int(m_queue.size()) };
}

DbConnection &DatabasePool::threadConnection()
{
    // Pool threads outlive a job; their connections live in thread-local storage and are removed
    // on their own thread when it ends. Keyed by pool, since a thread may serve several servers.
    thread_local std::unordered_map<quint64, std::unique_ptr<DbConnection>> connections;
    auto &slot = connections[m_id];
    if (!slot)
        slot = std::make_unique<DbConnection>(m_url);
    return *slot;
}

DbConnection &DatabasePool::loopConnection()
{
    if (!m_loopConnection)
        m_loopConnection = std::make_unique<DbConnection>(m_url);
    return *m_loopConnection;
}

DatabasePool::Outcome DatabasePool::attempt(DbConnection &connection,
    const std::function<void(DbConnection &)> &body, Access access, bool firstAttempt)
{
    // A database server that restarted has cut off every idle connection, and each finds out only
    // when it next sends a statement. A read may find out and be replayed; a write may not (it may
    // have committed), so before a write a connection idle for longer than any restart takes
    // checks itself with one round trip, as asyncpg's pool drops connections whose socket closed
    // while idle. Under load connections are busier than that and pay nothing.
    constexpr auto checkAfterIdle = std::chrono::milliseconds(100);
    if (access == Access::Write && connection.isPostgres() && connection.isOpen()
        && connection.idleFor() > checkAfterIdle)
        connection.checkAlive(); // closes a dead connection: open() below makes a new one
    if (const Result opened = connection.open(); !opened)
        return { Result::failure(ErrorKind::Io, opened.message()), false };
    try {
        body(connection);
        return {};
    } catch (const DbFailure &failure) {
        connection.rollbackIfActive();
        if (connection.checkAlive())
            return { Result::failure(ErrorKind::Internal, failure.message()), false };
        // The connection died under the job (a server restart, a network cut). A read is safe
        // to replay once on a new connection; a write may have committed, so it reports.
        const bool retry = firstAttempt && access == Access::Read && bool(connection.open());
        return { Result::failure(ErrorKind::Io,
                     QStringLiteral("connection to %1 lost: %2")
                         .arg(m_url.displayText(), failure.message())),
            retry };
    } catch (const std::exception &other) {
        connection.rollbackIfActive();
        return { Result::failure(ErrorKind::Internal, QString::fromLocal8Bit(other.what())),
            false };
    }
}

} // namespace loopscope::db
