#pragma once

#include "route.h"

#include <QByteArrayView>
#include <vector>

namespace loopscope {

using PathParams = std::vector<std::pair<QString, QString>>;

// Matches method + path against the route table the way Starlette does: 404 when no path
// matches, 405 (with Allow) when only the method is wrong, and a 307 to the slash-toggled path
// when only that one matches (FastAPI's redirect_slashes).
class Router
{
public:
    struct Match
    {
        enum class Kind
        {
            Found,
            NotFound,
            MethodNotAllowed,
            Redirect
        };
        Kind kind = Kind::NotFound;
        int routeIndex = -1;
        PathParams params;
        QByteArray allow; // for 405
        QByteArray location; // for 307
        // Some route the answer speaks of (the one found, one whose path matched for a 405, the
        // target of a 307) is a control-API route, or a 404 is under the control API's first
        // segment: the answer is for ControlAccess to allow.
        bool touchesControlApi = false;
    };

    int add(Route route);
    const std::vector<Route> &routes() const { return m_routes; }
    const Route &route(int index) const { return m_routes[index]; }
    Match match(QByteArrayView method, QByteArrayView rawPath) const;

private:
    struct Segment
    {
        QString literal;
        bool isParam = false;
    };
    struct Compiled
    {
        std::vector<Segment> segments;
    };
    bool matches(const Compiled &compiled, const QStringList &segments, PathParams *params) const;
    Match matchPath(QByteArrayView method, const QStringList &segments) const;

    std::vector<Route> m_routes;
    std::vector<Compiled> m_compiled;
    QStringList m_controlApiRoots; // first segments of control-API routes ("_scope")
};

} // namespace loopscope
