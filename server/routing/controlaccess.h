#pragma once

#include "http/httprequest.h"
#include "http/httpresponse.h"
#include "router.h"

#include <QHostAddress>
#include <QStringList>
#include <optional>

namespace loopscope {

// Who may use the /_scope/ control API. On loopback it is open, as a development server's is;
// bound beyond loopback it needs a token, and without one it is off: anyone who can reach the
// port could otherwise switch variants, read the trace and the exchanges.
//
// What it trusts, in order: the route a request matched (never its raw target), the mode below,
// the Host a browser put in the request (open mode: a web page that rebinds its own name to
// 127.0.0.1 still sends that name), and for requests that change state a JSON content type (a
// cross-site form can send text/plain without asking, not application/json).
class ControlAccess
{
public:
    enum class Mode
    {
        Open, // loopback without a token: only for Hosts that name this machine
        Token, // `Authorization: Bearer TOKEN` (or `X-Scope-Token: TOKEN`) on every request
        Off // answers 404, as if the API did not exist
    };

    // --no-control-api, --control-token and --control-host, resolved against the address the
    // server binds. `extraHosts` are Host names besides loopback's that open mode answers.
    static ControlAccess resolve(const QHostAddress &bindAddress, bool enabled, QByteArray token,
        QStringList extraHosts = {});

    Mode mode() const { return m_mode; }
    // The one access decision, made on what routing found: empty when the request may go on,
    // otherwise the answer to send instead. Requests that touch no control route always go on.
    // Works on a head whose body has not arrived yet.
    std::optional<http::HttpResponse> admit(
        const http::HttpRequest &request, const Router::Match &match) const;

    // Whether a Host header value (`name[:port]`, `[v6]:port`) names this machine, or one of
    // `extraHosts`. An absent Host (HTTP/1.0) is no browser's, so it passes.
    bool isTrustedHost(QByteArrayView host) const;

private:
    std::optional<http::HttpResponse> checkCaller(const http::HttpRequest &request) const;

    Mode m_mode = Mode::Open;
    QByteArray m_token;
    QStringList m_extraHosts; // lower case
};

} // namespace loopscope
