#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <utility>
#include <vector>

namespace loopscope::http {

// One parsed request. Header names are lower-cased by the parser so lookups need no folding.
struct HttpRequest
{
    QByteArray method;
    QByteArray path; // still percent-encoded; the router decodes segments
    QByteArray query; // raw query string without '?'
    int minorVersion = 1; // HTTP/1.x
    bool keepAlive = true;
    bool expectsContinue = false; // `Expect: 100-continue`: the client waits before its body
    std::vector<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView lowerCaseName) const
    {
        for (const auto &[name, value] : headers) {
            if (name == lowerCaseName)
                return value;
        }
        return {};
    }
};

} // namespace loopscope::http
