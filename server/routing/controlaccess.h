#pragma once

#include "http/httprequest.h"
#include "http/httpresponse.h"

#include <QHostAddress>
#include <optional>

namespace loopscope {

// Who may use the /_scope/ control API. On loopback it is open, as a development server's is;
// bound beyond loopback it needs a token, and without one it is off: anyone who can reach the
// port could otherwise switch variants, read the trace and the exchanges.
class ControlAccess
{
public:
    enum class Mode
    {
        Open,
        Token, // `Authorization: Bearer TOKEN` (or `X-Scope-Token: TOKEN`) on every request
        Off // answers 404, as if the API did not exist
    };

    // --no-control-api and --control-token, resolved against the address the server binds.
    static ControlAccess resolve(const QHostAddress &bindAddress, bool enabled, QByteArray token);

    Mode mode() const { return m_mode; }
    // Empty when the request may go on; otherwise the answer to send instead.
    std::optional<http::HttpResponse> check(const http::HttpRequest &request) const;
    static bool isControlPath(const QByteArray &path) { return path.startsWith("/_scope/"); }

private:
    Mode m_mode = Mode::Open;
    QByteArray m_token;
};

} // namespace loopscope
