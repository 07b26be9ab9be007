#pragma once

#include "core/result.h"
#include "recording.h"

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>

#include <span>

namespace loopscope::recording {

// A load run's requests as a ClientRequests block holds them (recordingformat.h): the run id, a
// count, then each request's fields as deltas from the request before or from its own start,
// so that a block of them deflates to a few bytes each.
QByteArray encodeClientRequests(
    QByteArrayView runId, std::span<const load::RequestRecord> requests);
// Appends the block's requests to out (whose runId it sets); fails (BadData, saying what is
// wrong) on anything encodeClientRequests did not write.
Result decodeClientRequests(QByteArrayView raw, RunRequests &out);

} // namespace loopscope::recording
