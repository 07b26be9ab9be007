#pragma once

#include <QString>
#include <QTemporaryDir>
#include <memory>

namespace loopscope::testing {

// A throwaway PostgreSQL server on loopback for tests and benchmarks: initdb into a temporary
// directory, a free port, the unix socket inside that directory, trust authentication for one
// superuser. Root may not run postgres, so as root the server runs as `nobody` (runuser) in a
// directory handed over to it. Stopped and removed on destruction, or, when the process dies
// without destroying it (an aborted test), by a watcher process soon after.
class PostgresFixture
{
public:
    PostgresFixture();
    ~PostgresFixture();
    PostgresFixture(const PostgresFixture &) = delete;
    PostgresFixture &operator=(const PostgresFixture &) = delete;

    // Where initdb and pg_ctl are (/usr/lib/postgresql/<newest>/bin), or empty.
    static QString binDirectory();

    // initdb + start; on failure `errorMessage()` says why (missing package, initdb log, ...).
    bool start();
    QString errorMessage() const { return m_error; }

    // How the cluster goes down. Fast (`pg_ctl stop -m fast`): sessions are cut off, then a
    // shutdown checkpoint. Immediate (`-m immediate`): PostgreSQL's own crash, every backend
    // quits at once mid-statement, no checkpoint, crash recovery on the next start.
    enum class StopMode
    {
        Fast,
        Immediate
    };
    // pg_ctl stop/start of the same cluster: the outage and the recovery.
    bool stopServer(StopMode mode = StopMode::Fast);
    bool startServer();
    bool isRunning() const { return m_running; }

    // A new, empty database; returns its postgresql:// URL, or empty (see errorMessage()).
    QString createDatabase(const QString &name);
    QString url(const QString &database) const;
    quint16 port() const { return m_port; }
    // The cluster's directory: data, log and unix socket.
    QString directory() const { return m_dir ? m_dir->path() : QString(); }

private:
    bool runAsOwner(const QString &program, const QStringList &arguments, int timeoutMs,
        QString *output = nullptr);
    QStringList asOwner(const QString &program, const QStringList &arguments) const;
    void watchForOrphaning();

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_bin;
    QString m_dataDir;
    QString m_error;
    quint16 m_port = 0;
    bool m_asNobody = false;
    bool m_running = false;
};

} // namespace loopscope::testing
