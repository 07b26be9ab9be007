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

} // namespace loopscope
