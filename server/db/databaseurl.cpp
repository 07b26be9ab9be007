#include "databaseurl.h"

#include <QDir>
#include <QSqlDatabase>
#include <QStandardPaths>
#include <QUrl>
#include <QUrlQuery>

namespace loopscope::db {

namespace {

const QString usage
    = QStringLiteral("use sqlite:///RELATIVE.db, sqlite:////ABSOLUTE.db, sqlite::memory: or "
                     "postgresql://USER:PASS@HOST:PORT/DBNAME");

DatabaseUrlParse failure(const QString &text, const QString &why)
{
    DatabaseUrlParse result;
    result.setOutcome(Result::failure(ErrorKind::BadArgument,
        QStringLiteral("bad database URL '%1': %2 (%3)").arg(text, why, usage)));
    return result;
}

// ?min_size=&max_size= as asyncpg.create_pool names them.
QString readPoolBounds(const QUrlQuery &query, DatabaseUrl &url)
{
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key != u"min_size" && key != u"max_size" && key != u"host")
            return QStringLiteral("unknown parameter '%1'").arg(key);
        if (key == u"host") {
            url.host = value;
            continue;
        }
        bool ok = false;
        const int number = value.toInt(&ok);
        if (!ok || number < 1 || number > 200)
            return QStringLiteral("%1 expects 1 to 200, got '%2'").arg(key, value);
        (key == u"min_size" ? url.minSize : url.maxSize) = number;
    }
    if (url.minSize > 0 && url.maxSize > 0 && url.minSize > url.maxSize)
        return QStringLiteral("min_size %1 exceeds max_size %2").arg(url.minSize).arg(url.maxSize);
    return {};
}

DatabaseUrlParse parseSqlite(const QString &text, const QString &rest)
{
    DatabaseUrlParse result;
    DatabaseUrl &url = result.url;
    url.backend = DatabaseUrl::Backend::Sqlite;
    QString location = rest;
    QString queryText;
    if (const qsizetype question = location.indexOf(u'?'); question >= 0) {
        queryText = location.mid(question + 1);
        location.truncate(question);
    }
    if (location == u":memory:") {
        url.memory = true;
    } else if (location.startsWith(QStringLiteral("///"))) {
        url.sqlitePath = QUrl::fromPercentEncoding(location.mid(3).toUtf8());
        if (url.sqlitePath.isEmpty())
            return failure(text, QStringLiteral("no file path"));
    } else {
        return failure(text, QStringLiteral("a SQLite URL is sqlite:///PATH or sqlite::memory:"));
    }
    if (const QString error = readPoolBounds(QUrlQuery(queryText), url); !error.isEmpty())
        return failure(text, error);
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return failure(
            text, QStringLiteral("the Qt SQLite driver is not installed (libqt6sql6-sqlite)"));
    return result;
}

DatabaseUrlParse parsePostgres(const QString &text)
{
    const QUrl parsed(text, QUrl::StrictMode);
    if (!parsed.isValid())
        return failure(text, parsed.errorString());
    DatabaseUrlParse result;
    DatabaseUrl &url = result.url;
    url.backend = DatabaseUrl::Backend::Postgres;
    url.host = parsed.host();
    url.port = parsed.port(5432);
    url.user = parsed.userName(QUrl::FullyDecoded);
    url.password = parsed.password(QUrl::FullyDecoded);
    url.database = parsed.path(QUrl::FullyDecoded).mid(1);
    if (url.port < 1)
        return failure(text, QStringLiteral("bad port"));
    if (url.database.isEmpty() || url.database.contains(u'/'))
        return failure(text, QStringLiteral("no database name"));
    if (const QString error = readPoolBounds(QUrlQuery(parsed), url); !error.isEmpty())
        return failure(text, error);
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
        return failure(
            text, QStringLiteral("the Qt PostgreSQL driver is not installed (libqt6sql6-psql)"));
    return result;
}

} // namespace

QString DatabaseUrl::backendName() const
{
    return isPostgres() ? QStringLiteral("postgresql") : QStringLiteral("sqlite");
}

QString DatabaseUrl::displayText() const
{
    if (!isPostgres())
        return memory ? QStringLiteral("sqlite::memory:")
                      : QStringLiteral("sqlite:///") + sqlitePath;
    QString text = QStringLiteral("postgresql://");
    if (!user.isEmpty())
        text += user + (password.isEmpty() ? QString() : QStringLiteral(":***")) + u'@';
    return text + host + u':' + QString::number(port) + u'/' + database;
}

DatabaseUrlParse parseDatabaseUrl(const QString &text)
{
    const qsizetype colon = text.indexOf(u':');
    if (colon <= 0)
        return failure(text, QStringLiteral("no scheme"));
    const QString scheme = text.left(colon).toLower();
    // The course's SQLAlchemy URLs name the async driver; the database is the same.
    if (scheme == u"sqlite" || scheme == u"sqlite+aiosqlite")
        return parseSqlite(text, text.mid(colon + 1));
    if (scheme == u"postgresql" || scheme == u"postgres" || scheme == u"postgresql+asyncpg")
        return parsePostgres(QStringLiteral("postgresql") + text.mid(colon));
    return failure(text, QStringLiteral("unsupported scheme '%1'").arg(scheme));
}

QString defaultDatabaseUrl()
{
    const QString directory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QStringLiteral("sqlite:///")
        + QDir(directory).absoluteFilePath(QStringLiteral("loopscope.db"));
}

} // namespace loopscope::db
