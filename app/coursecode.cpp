#include "coursecode.h"

#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QStringList>

namespace loopscope {

namespace {

struct RouteCode
{
    QString cppFile;
    QString cppFunction;
    QHash<QString, QString> pythonByVariant;
};

QString resourceText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

// "## ROUTE", "cpp: FILE FUNCTION", "### VARIANT" and the Python below it; "#" lines before
// the first route are the file's own comments.
QHash<QString, RouteCode> parseRoutes(const QString &text)
{
    QHash<QString, RouteCode> routes;
    RouteCode *route = nullptr;
    QString *python = nullptr;
    for (const QString &line : text.split(u'\n')) {
        if (line.startsWith(u"## ")) {
            route = &routes[line.mid(3).trimmed()];
            python = nullptr;
        } else if (route && line.startsWith(u"cpp: ")) {
            const QStringList parts = line.mid(5).split(u' ', Qt::SkipEmptyParts);
            route->cppFile = parts.value(0);
            route->cppFunction = parts.value(1);
        } else if (route && line.startsWith(u"### ")) {
            python = &route->pythonByVariant[line.mid(4).trimmed()];
        } else if (python) {
            *python += line + u'\n';
        }
    }
    for (RouteCode &code : routes) {
        for (QString &snippet : code.pythonByVariant)
            snippet = snippet.trimmed() + u'\n';
    }
    return routes;
}

const QHash<QString, RouteCode> &allRoutes()
{
    static const QHash<QString, RouteCode> routes
        = parseRoutes(resourceText(QStringLiteral(":/loopscope/code/routes.py.txt")));
    return routes;
}

} // namespace

QString functionSource(const QString &source, const QString &name)
{
    const QStringList lines = source.split(u'\n');
    const QRegularExpression definition(
        QStringLiteral("^(\\s*)[A-Za-z_:<>]+\\s+%1\\(").arg(QRegularExpression::escape(name)));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QRegularExpressionMatch match = definition.match(lines[i]);
        if (!match.hasMatch() || lines[i].trimmed().endsWith(u';'))
            continue;
        const QString indent = match.captured(1);
        qsizetype first = i;
        while (first > 0 && lines[first - 1].startsWith(indent + QStringLiteral("//")))
            --first;
        for (qsizetype last = i; last < lines.size(); ++last) {
            if (lines[last] == indent + u'}')
                return lines.mid(first, last - first + 1).join(u'\n') + u'\n';
        }
        return {};
    }
    return {};
}

CourseCode courseCodeFor(const QString &route, const QString &variant)
{
    CourseCode code;
    code.route = route;
    code.variant = variant;
    const auto found = allRoutes().constFind(route);
    if (found == allRoutes().constEnd())
        return code;
    code.python = found->pythonByVariant.value(variant);
    code.cppFile = QStringLiteral("server/routes/") + found->cppFile;
    code.cpp = functionSource(
        resourceText(QStringLiteral(":/loopscope/code/") + found->cppFile), found->cppFunction);
    return code;
}

int pythonLineOfWait(const QString &python, const QString &waitLabel)
{
    // The server's wait labels, by prefix, and the Python calls that wait so in the course's
    // code. One table: a new kind of wait adds its row here.
    struct WaitCall
    {
        QLatin1StringView labelPrefix;
        std::initializer_list<QLatin1StringView> calls;
    };
    static const WaitCall table[] = {
        { QLatin1StringView("await asyncio.sleep(0)"), { QLatin1StringView("asyncio.sleep(0)") } },
        { QLatin1StringView("sleep "),
            { QLatin1StringView("sleep("), QLatin1StringView("to_thread("),
                QLatin1StringView("_service.") } },
        { QLatin1StringView("db."),
            { QLatin1StringView("fetchrow("), QLatin1StringView("fetch("),
                QLatin1StringView("executemany("), QLatin1StringView("execute("),
                QLatin1StringView("commit()"), QLatin1StringView("service.") } },
        { QLatin1StringView("GET "), { QLatin1StringView(".get("), QLatin1StringView("gather(") } },
        { QLatin1StringView("semaphore.acquire"), { QLatin1StringView("semaphore") } },
        { QLatin1StringView("waiting for the GIL"),
            { QLatin1StringView("count_primes"), QLatin1StringView("run_in_executor") } },
        { QLatin1StringView("loop waits for the GIL"),
            { QLatin1StringView("count_primes"), QLatin1StringView("run_in_executor") } },
        { QLatin1StringView("count primes"),
            { QLatin1StringView("count_primes"), QLatin1StringView("run_in_executor") } },
        { QLatin1StringView("aiofiles read"), { QLatin1StringView("read(") } },
        { QLatin1StringView("f.read("), { QLatin1StringView("read(") } },
        { QLatin1StringView("ProductService"), { QLatin1StringView("product_service.") } },
    };
    for (const WaitCall &wait : table) {
        if (!waitLabel.startsWith(wait.labelPrefix))
            continue;
        const QStringList lines = python.split(u'\n');
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QString code = lines[i].section(u'#', 0, 0); // a comment is not the call
            for (const QLatin1StringView call : wait.calls) {
                if (code.contains(call))
                    return int(i);
            }
        }
        return -1;
    }
    return -1;
}

} // namespace loopscope
