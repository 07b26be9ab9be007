#pragma once

#include <QByteArray>

namespace loopscope::http {

// X-Request-Id values from clients are echoed only when short and printable, so a hostile
// header cannot inject bytes into our response or bloat the trace.
bool isAcceptableRequestId(const QByteArray &id);
QByteArray generateRequestId();
// The id a request is known by: the client's when acceptable, else a new one.
QByteArray requestIdFor(const QByteArray &fromClient);

} // namespace loopscope::http
