#pragma once

#include "timemapping.h"

#include <QtCore/QByteArrayView>
#include <QtCore/QString>

#include <functional>
#include <optional>

namespace loopscope::viz {

// What a request's own client measured of it, when the window knows (the built-in load
// generator sent it): the inspector shows it beside what the server traced, so that a reader sees
// how far the server's picture is from the wait its client lived. Times are on the trace clock.
struct ClientMeasurement
{
    Nanos scheduled = 0; // when an open-loop run meant to send it; its start otherwise
    Nanos started = 0; // when its client began it, connecting included
    Nanos connected = 0; // a new connection's; 0 when it went on one already open
    Nanos firstByte = 0; // its answer's first byte; 0 when none came
    Nanos ended = 0; // its answer complete, or its error
    int status = 0; // 0 without a status line
    QString error; // what went wrong, empty when nothing did
};

// The measurement of the request with this X-Request-Id, or none when no client said.
using ClientMeasurementLookup
    = std::function<std::optional<ClientMeasurement>(QByteArrayView requestId)>;

} // namespace loopscope::viz
