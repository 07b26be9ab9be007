#include "connectionstats.h"

namespace loopscope::http {

Rejection rejectionForStatus(int status)
{
    switch (status) {
    case 408:
        return Rejection::RequestTimeout;
    case 413:
        return Rejection::BodyTooLarge;
    case 414:
        return Rejection::UriTooLong;
    case 431:
        return Rejection::HeadersTooLarge;
    default:
        return Rejection::Malformed;
    }
}

const char *rejectionName(Rejection rejection)
{
    switch (rejection) {
    case Rejection::Malformed:
        return "malformed";
    case Rejection::UriTooLong:
        return "uri_too_long";
    case Rejection::HeadersTooLarge:
        return "headers_too_large";
    case Rejection::BodyTooLarge:
        return "body_too_large";
    case Rejection::RequestTimeout:
        return "request_timeout";
    case Rejection::Count:
        break;
    }
    return "unknown";
}

} // namespace loopscope::http
