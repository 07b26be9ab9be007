#include "postgresfixture.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QVersionNumber>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loopscope::testing {

namespace {

constexpr auto superuser = "loopscope";

quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

bool chownTree(const QString &path, uid_t uid, gid_t gid)
{
    return ::chown(QFile::encodeName(path).constData(), uid, gid) == 0;
}

} // namespace

PostgresFixture::PostgresFixture() = default;

PostgresFixture::~PostgresFixture()
{
    if (m_running)
        stopServer();
}

QString PostgresFixture::binDirectory()
{
    const QDir root(QStringLiteral("/usr/lib/postgresql"));
    QVersionNumber best;
    QString found;
    for (const QString &version : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString bin = root.filePath(version + QStringLiteral("/bin"));
        const QVersionNumber number = QVersionNumber::fromString(version);
        if (QFile::exists(bin + QStringLiteral("/initdb"))
            && QFile::exists(bin + QStringLiteral("/pg_ctl"))
            && (found.isEmpty() || number > best)) {
            best = number;
            found = bin;
        }
    }
    return found;
}

// The command line that runs `program` as the cluster's owner: this user, or nobody for root.
QStringList PostgresFixture::asOwner(const QString &program, const QStringList &arguments) const
{
    if (!m_asNobody)
        return QStringList { program } + arguments;
    return QStringList { QStringLiteral("runuser"), QStringLiteral("-u"), QStringLiteral("nobody"),
        QStringLiteral("--"), program }
    + arguments;
}

bool PostgresFixture::runAsOwner(
    const QString &program, const QStringList &arguments, int timeoutMs, QString *output)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_dir->path());
    const QStringList command = asOwner(program, arguments);
    process.start(command.first(), command.mid(1));
    const bool finished = process.waitForFinished(timeoutMs);
    if (!finished)
        process.kill();
    const QString text = QString::fromLocal8Bit(process.readAll());
    if (output)
        *output = text;
    if (!finished || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        m_error
            = QStringLiteral("%1 failed: %2").arg(QFileInfo(program).fileName(), text.right(800));
        return false;
    }
    return true;
}

bool PostgresFixture::start()
{
    m_bin = binDirectory();
    if (m_bin.isEmpty()) {
        m_error
            = QStringLiteral("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; "
                             "apt-get install postgresql)");
        return false;
    }
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
        m_error = QStringLiteral(
            "the Qt PostgreSQL driver is missing (apt-get install libqt6sql6-psql)");
        return false;
    }
    m_dir = std::make_unique<QTemporaryDir>(
        QDir::tempPath() + QStringLiteral("/loopscope-pg-XXXXXX"));
    if (!m_dir->isValid()) {
        m_error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    m_dataDir = m_dir->filePath(QStringLiteral("data"));
    m_asNobody = ::geteuid() == 0;
    if (m_asNobody) {
        const passwd *nobody = ::getpwnam("nobody");
        if (!nobody) {
            m_error = QStringLiteral(
                "running as root, and there is no 'nobody' user to run postgres as");
            return false;
        }
        ::chmod(QFile::encodeName(m_dir->path()).constData(), 0700);
        if (!chownTree(m_dir->path(), nobody->pw_uid, nobody->pw_gid)) {
            m_error = QStringLiteral("cannot hand %1 to nobody").arg(m_dir->path());
            return false;
        }
    }
    if (!runAsOwner(m_bin + QStringLiteral("/initdb"),
            { QStringLiteral("-D"), m_dataDir, QStringLiteral("-U"), QString::fromLatin1(superuser),
                QStringLiteral("--auth=trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                QStringLiteral("--no-sync"), QStringLiteral("--locale=C") },
            120000))
        return false;
    m_port = freePort();
    watchForOrphaning();
    return startServer();
}

// An aborted test never runs the destructor, and its cluster would run on (pg_ctl detaches it),
// holding a port and memory until someone stops it by hand. A detached shell outlives this
// process: once the process is gone while the directory is still there, it stops the cluster
// and removes the directory. A normal teardown removes the directory, which ends the watcher.
void PostgresFixture::watchForOrphaning()
{
    const QString script = QStringLiteral(
        "while [ -d /proc/%1 ] && [ -d \"$1\" ]; do sleep 1; done; [ -d \"$1\" ] || exit 0; "
        "\"$2\" -D \"$1/data\" -m immediate -w stop; rm -rf \"$1\"")
                               .arg(QCoreApplication::applicationPid());
    const QStringList command = asOwner(QStringLiteral("/bin/sh"),
        { QStringLiteral("-c"), script, QStringLiteral("postgres-orphan-watcher"), m_dir->path(),
            m_bin + QStringLiteral("/pg_ctl") });
    QProcess watcher;
    watcher.setProgram(command.first());
    watcher.setArguments(command.mid(1));
    // Not the test's own output channels: ctest reads them until every holder has closed them.
    watcher.setStandardInputFile(QProcess::nullDevice());
    watcher.setStandardOutputFile(QProcess::nullDevice());
    watcher.setStandardErrorFile(QProcess::nullDevice());
    watcher.startDetached();
}

bool PostgresFixture::startServer()
{
    // The socket directory is ours, not /var/run/postgresql; listen on loopback only. fsync off:
    // a test cluster need not survive a power cut, and it makes writes cheaper on a shared CI box.
    const QString options = QStringLiteral("-c listen_addresses=127.0.0.1 -p %1 -k %2 "
                                           "-c max_connections=300 -c fsync=off")
                                .arg(m_port)
                                .arg(m_dir->path());
    if (!runAsOwner(m_bin + QStringLiteral("/pg_ctl"),
            { QStringLiteral("-D"), m_dataDir, QStringLiteral("-l"),
                m_dir->filePath(QStringLiteral("server.log")), QStringLiteral("-o"), options,
                QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("60"),
                QStringLiteral("start") },
            90000)) {
        QFile log(m_dir->filePath(QStringLiteral("server.log")));
        if (log.open(QIODevice::ReadOnly))
            m_error += QStringLiteral("\nserver log: ")
                + QString::fromLocal8Bit(log.readAll().right(800));
        return false;
    }
    m_running = true;
    return true;
}

bool PostgresFixture::stopServer(StopMode mode)
{
    // -w returns once the postmaster is gone: no new connection is accepted after this.
    const QString modeName
        = mode == StopMode::Immediate ? QStringLiteral("immediate") : QStringLiteral("fast");
    const bool stopped = runAsOwner(m_bin + QStringLiteral("/pg_ctl"),
        { QStringLiteral("-D"), m_dataDir, QStringLiteral("-m"), modeName, QStringLiteral("-w"),
            QStringLiteral("stop") },
        60000);
    if (stopped)
        m_running = false;
    return stopped;
}

QString PostgresFixture::url(const QString &database) const
{
    return QStringLiteral("postgresql://%1@127.0.0.1:%2/%3")
        .arg(QString::fromLatin1(superuser))
        .arg(m_port)
        .arg(database);
}

QString PostgresFixture::createDatabase(const QString &name)
{
    const QString connectionName = QStringLiteral("postgres-fixture-admin");
    QString error;
    {
        QSqlDatabase admin = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
        admin.setHostName(QStringLiteral("127.0.0.1"));
        admin.setPort(m_port);
        admin.setUserName(QString::fromLatin1(superuser));
        admin.setDatabaseName(QStringLiteral("postgres"));
        if (!admin.open()) {
            error = admin.lastError().text();
        } else {
            QSqlQuery query(admin);
            // An identifier cannot be a bound value; the tests choose plain names.
            if (!query.exec(QStringLiteral("CREATE DATABASE \"%1\"").arg(name)))
                error = query.lastError().text();
        }
        admin.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
    if (!error.isEmpty()) {
        m_error = QStringLiteral("CREATE DATABASE %1: %2").arg(name, error);
        return {};
    }
    return url(name);
}

} // namespace loopscope::testing
