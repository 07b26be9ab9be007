#pragma once

#include "clientmeasurement.h"
#include "loadcontroller.h"

#include <QtCore/QList>

namespace loopscope {

// What the built-in load generator measured of the request with this X-Request-Id
// (load-<run>-<n>), from the run that sent it, on the trace clock; none for a request another
// client sent, or one its run kept no record of.
std::optional<viz::ClientMeasurement> clientMeasurement(
    const QList<RunSummary> &runs, QByteArrayView requestId);

// The inspector's lookup over a list of runs that outlives it and may grow.
viz::ClientMeasurementLookup clientMeasurements(const QList<RunSummary> &runs);

} // namespace loopscope
