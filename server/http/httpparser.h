#pragma once

#include "httplimits.h"
#include "httprequest.h"

#include <QByteArrayView>

namespace loopscope::http {

// Parses one HTTP/1.x request from the front of a byte buffer. Pure and socket-free so it can
// be unit-tested and fuzzed directly.
class HttpParser
{
public:
    enum class Status
    {
        NeedMore,
        Complete,
        Error
    };

    struct Result
    {
        Status status = Status::NeedMore;
        qsizetype consumed = 0; // bytes of the buffer that made up the request (Complete only)
        int errorStatus = 0; // HTTP status to answer with (Error only)
        QByteArray errorDetail;
    };

    explicit HttpParser(const HttpLimits &limits)
        : m_limits(limits)
    { }

    Result parse(QByteArrayView data, HttpRequest &out) const;

private:
    Result parseChunkedBody(QByteArrayView data, qsizetype bodyStart, HttpRequest &out) const;

    HttpLimits m_limits;
};

} // namespace loopscope::http
