#pragma once

#include "recording.h"

#include <QtCore/QJsonObject>

namespace loopscope::recording {

// What `loopscope info FILE` prints: {"format_version", "span_ns", "requests", "stalls",
// "tasks", "events", "bytes"} plus what was lost while recording and the recorded records.
QJsonObject summarize(const Recording &recording, qint64 fileBytes);

} // namespace loopscope::recording
