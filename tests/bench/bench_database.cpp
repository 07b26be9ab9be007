// bench_database: the database layer against its peer, in one run, on loopback only.
//  1. GET /items/{id} with `wrk -t1 -c64 -d10s`: Loopscope async and blocking on SQLite and on
//     PostgreSQL (a throwaway cluster started here), async without the pool, and the course's
//     FastAPI + SQLAlchemy async + aiosqlite app (Debian packages). Ratio async / FastAPI.
//  2. GET /items/{id}?delay=0.1 with 50 concurrent clients (`wrk -t1 -c50`): async, on a pool of
//     20 connections, should reach about 20 / 0.1 = 200 req/s; blocking about 1 / 0.1 = 10.
// Usage: bench_database [--duration S]
#include "support/postgresfixture.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <cstdio>

#include "benchsupport.h"

using namespace loopscope::bench;

namespace {

struct Server
{
    QString name;
    QProcess process;
    quint16 port = 0;
    ~Server()
    {
        if (process.state() != QProcess::NotRunning) {
            process.terminate();
            if (!process.waitForFinished(20000))
                process.kill();
            process.waitForFinished();
        }
    }
};

bool startLoopscope(Server &server, const QString &database, const QString &variant)
{
    server.name = QStringLiteral("loopscope");
    server.port = freePort();
    server.process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.process.start(QStringLiteral(LOOPSCOPE_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--port"), QString::number(server.port),
            QStringLiteral("--database"), database, QStringLiteral("--mode"),
            QStringLiteral("GET /items/{item_id}=") + variant });
    return server.process.waitForStarted() && waitForPort(server.port, 30000);
}

bool startFastApi(Server &server, const QString &databaseFile)
{
    server.name = QStringLiteral("fastapi");
    server.port = freePort();
    const QFileInfo app(QStringLiteral(FASTAPI_ITEMS_APP));
    server.process.setWorkingDirectory(app.absolutePath());
    server.process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("LOOPSCOPE_ITEMS_DB"), databaseFile);
    server.process.setProcessEnvironment(environment);
    // Debian's python3 has the Debian packages; a python3 earlier on PATH may not.
    server.process.start(QStringLiteral("/usr/bin/python3"),
        { QStringLiteral("-m"), QStringLiteral("uvicorn"),
            app.completeBaseName() + QStringLiteral(":app"), QStringLiteral("--port"),
            QString::number(server.port), QStringLiteral("--loop"), QStringLiteral("uvloop"),
            QStringLiteral("--http"), QStringLiteral("httptools"), QStringLiteral("--log-level"),
            QStringLiteral("warning") });
    return server.process.waitForStarted() && waitForPort(server.port, 30000);
}

// wrk on one URL; returns requests/s, or -1 with a note when wrk saw errors or failed.
double wrk(const Server &server, const QString &path, int connections, int seconds)
{
    const QString output = run(QStringLiteral("wrk"),
        { QStringLiteral("-t1"), QStringLiteral("-c%1").arg(connections),
            QStringLiteral("-d%1s").arg(seconds), QStringLiteral("--timeout"),
            QStringLiteral("30s"),
            QStringLiteral("http://127.0.0.1:%1%2").arg(server.port).arg(path) },
        (seconds + 60) * 1000);
    const auto rps = QRegularExpression(QStringLiteral("Requests/sec:\\s+([\\d.]+)")).match(output);
    const auto non2xx
        = QRegularExpression(QStringLiteral("Non-2xx or 3xx responses:\\s+(\\d+)")).match(output);
    if (!rps.hasMatch()) {
        note(QStringLiteral("%1 %2: wrk failed: %3").arg(server.name, path, output.right(400)));
        return -1;
    }
    if (non2xx.hasMatch())
        note(
            QStringLiteral("%1 %2: %3 non-2xx answers").arg(server.name, path, non2xx.captured(1)));
    return rps.captured(1).toDouble();
}

double pooledOff(Server &server)
{
    const QString output = run(QStringLiteral("curl"),
        { QStringLiteral("-s"), QStringLiteral("-X"), QStringLiteral("PUT"), QStringLiteral("-H"),
            QStringLiteral("Content-Type: application/json"), QStringLiteral("-d"),
            QStringLiteral("{\"pooling\": false}"),
            QStringLiteral("http://127.0.0.1:%1/_scope/database").arg(server.port) },
        10000);
    return output.contains(QStringLiteral("\"pooling\":false")) ? 1 : -1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    int seconds = 10;
    const QStringList args = app.arguments();
    if (const qsizetype i = args.indexOf(QStringLiteral("--duration"));
        i > 0 && i + 1 < args.size())
        seconds = std::max(1, args.at(i + 1).toInt());
    for (const char *tool : { "wrk", "curl" }) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty()) {
            note(QStringLiteral("%1 is not installed (apt-get install %1)")
                     .arg(QString::fromLatin1(tool)));
            return 1;
        }
    }
    QTemporaryDir dir;
    const QString sqliteUrl
        = QStringLiteral("sqlite:///") + dir.filePath(QStringLiteral("bench.db"));
    note(QStringLiteral(
        "wrk -t1 -c64 -d%1s on GET /items/{id}; delay runs: wrk -t1 -c50 -d%1s on ?delay=0.1")
             .arg(seconds));

    // 1. Throughput of the plain query.
    double sqliteAsync = -1;
    for (const char *variant : { "async", "blocking" }) {
        Server server;
        if (!startLoopscope(server, sqliteUrl, QString::fromLatin1(variant))) {
            note(QStringLiteral("loopscope did not start"));
            return 1;
        }
        const double rps = wrk(server, QStringLiteral("/items/42"), 64, seconds);
        figure(QByteArray("loopscope_sqlite_") + variant + "_items_wrk_rps", rps, "req/s");
        if (qstrcmp(variant, "async") == 0) {
            sqliteAsync = rps;
            pooledOff(server);
            figure("loopscope_sqlite_async_no_pool_items_wrk_rps",
                wrk(server, QStringLiteral("/items/42"), 64, seconds), "req/s");
        }
    }

    loopscope::testing::PostgresFixture postgres;
    QString postgresUrl;
    if (!postgres.start()
        || (postgresUrl = postgres.createDatabase(QStringLiteral("bench"))).isEmpty()) {
        note(QStringLiteral("PostgreSQL figures skipped: %1").arg(postgres.errorMessage()));
    } else {
        for (const char *variant : { "async", "blocking" }) {
            Server server;
            if (!startLoopscope(server, postgresUrl, QString::fromLatin1(variant))) {
                note(QStringLiteral("loopscope on PostgreSQL did not start"));
                break;
            }
            figure(QByteArray("loopscope_postgresql_") + variant + "_items_wrk_rps",
                wrk(server, QStringLiteral("/items/42"), 64, seconds), "req/s");
            if (qstrcmp(variant, "async") == 0) {
                pooledOff(server);
                figure("loopscope_postgresql_async_no_pool_items_wrk_rps",
                    wrk(server, QStringLiteral("/items/42"), 64, seconds), "req/s");
            }
        }
    }

    {
        Server fastapi;
        if (!startFastApi(fastapi, dir.filePath(QStringLiteral("fastapi.db")))) {
            note(QStringLiteral("FastAPI peer did not start (python3-fastapi, python3-uvicorn, "
                                "python3-sqlalchemy, python3-aiosqlite)"));
        } else {
            const double rps = wrk(fastapi, QStringLiteral("/items/42"), 64, seconds);
            figure("fastapi_sqlalchemy_aiosqlite_items_wrk_rps", rps, "req/s");
            if (rps > 0 && sqliteAsync > 0)
                figure("loopscope_sqlite_async_vs_fastapi_ratio", sqliteAsync / rps, "x");
        }
    }

    // 2. A 100 ms query, 50 clients: the pool's width against a stalled loop.
    for (const char *variant : { "async", "blocking" }) {
        Server server;
        if (!startLoopscope(server, sqliteUrl, QString::fromLatin1(variant)))
            return 1;
        figure(QByteArray("loopscope_sqlite_") + variant + "_delay0.1_c50_rps",
            wrk(server, QStringLiteral("/items/42?delay=0.1"), 50, seconds), "req/s");
    }
    if (!postgresUrl.isEmpty()) {
        Server server;
        if (startLoopscope(server, postgresUrl, QStringLiteral("async")))
            figure("loopscope_postgresql_async_delay0.1_c50_rps",
                wrk(server, QStringLiteral("/items/42?delay=0.1"), 50, seconds), "req/s");
    }
    return 0;
}
