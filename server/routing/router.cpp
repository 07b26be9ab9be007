#include "router.h"

#include <QUrl>

namespace loopscope {

namespace {

QStringList splitPath(QByteArrayView rawPath)
{
    // "/users/42" -> {"users", "42"}; "/users/" -> {"users", ""}: the trailing slash matters.
    QStringList segments;
    qsizetype start = 1;
    while (start <= rawPath.size()) {
        qsizetype slash = rawPath.indexOf('/', start);
        if (slash < 0)
            slash = rawPath.size();
        const QByteArrayView raw = rawPath.sliced(start, slash - start);
        segments << (raw.contains('%') ? QUrl::fromPercentEncoding(raw.toByteArray())
                                       : QString::fromUtf8(raw));
        start = slash + 1;
    }
    return segments;
}

QByteArray toggledSlash(QByteArrayView path)
{
    if (path.size() > 1 && path.endsWith('/'))
        return path.chopped(1).toByteArray();
    return path.toByteArray() + '/';
}

} // namespace

int Router::add(Route route)
{
    Compiled compiled;
    const QStringList parts = route.pattern.mid(1).split(u'/');
    for (const QString &part : parts) {
        Segment segment;
        if (part.startsWith(u'{') && part.endsWith(u'}')) {
            segment.isParam = true;
            segment.literal = part.mid(1, part.size() - 2);
        } else {
            segment.literal = part;
        }
        compiled.segments.push_back(std::move(segment));
    }
    if (route.isControlApi() && !m_controlApiRoots.contains(compiled.segments.front().literal))
        m_controlApiRoots << compiled.segments.front().literal;
    m_routes.push_back(std::move(route));
    m_compiled.push_back(std::move(compiled));
    return static_cast<int>(m_routes.size()) - 1;
}

bool Router::matches(
    const Compiled &compiled, const QStringList &segments, PathParams *params) const
{
    if (compiled.segments.size() != static_cast<std::size_t>(segments.size()))
        return false;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const Segment &segment = compiled.segments[i];
        if (segment.isParam) {
            // Starlette's default str convertor, `[^/]+` on the decoded path: one non-empty
            // segment, and `%2F` does not smuggle a slash into a value that may be put into
            // another URL or a file path.
            if (segments[i].isEmpty() || segments[i].contains(u'/'))
                return false;
        } else if (segment.literal != segments[i]) {
            return false;
        }
    }
    if (params) {
        params->clear();
        for (qsizetype i = 0; i < segments.size(); ++i) {
            if (compiled.segments[i].isParam)
                params->emplace_back(compiled.segments[i].literal, segments[i]);
        }
    }
    return true;
}

Router::Match Router::matchPath(QByteArrayView method, const QStringList &segments) const
{
    Match result;
    for (std::size_t i = 0; i < m_routes.size(); ++i) {
        if (!matches(m_compiled[i], segments, nullptr))
            continue;
        if (m_routes[i].method == method) {
            result.kind = Match::Kind::Found;
            result.routeIndex = static_cast<int>(i);
            result.touchesControlApi = m_routes[i].isControlApi();
            matches(m_compiled[i], segments, &result.params);
            return result;
        }
        result.kind = Match::Kind::MethodNotAllowed;
        result.touchesControlApi = result.touchesControlApi || m_routes[i].isControlApi();
        if (!result.allow.isEmpty())
            result.allow += ", ";
        result.allow += m_routes[i].method;
    }
    return result;
}

Router::Match Router::match(QByteArrayView method, QByteArrayView rawPath) const
{
    if (!rawPath.startsWith('/'))
        return {};
    const QStringList segments = splitPath(rawPath);
    Match result = matchPath(method, segments);
    if (result.kind != Match::Kind::NotFound)
        return result;
    // A closed API must not tell which of its paths exist: its unknown paths are its too.
    result.touchesControlApi = m_controlApiRoots.contains(segments.front());
    const QByteArray alternative = toggledSlash(rawPath);
    const Match redirected = matchPath(method, splitPath(alternative));
    if (redirected.kind == Match::Kind::Found) {
        result.kind = Match::Kind::Redirect;
        result.location = alternative;
        result.touchesControlApi = redirected.touchesControlApi;
    }
    return result;
}

} // namespace loopscope
