#pragma once

#include "recordingreader.h"

#include <QtCore/QByteArrayView>
#include <QtCore/QString>

namespace loopscope::recording {

// Reads back the Chrome Trace Event JSON that `/_scope/trace` exports (trace::ChromeTraceWriter)
// into the trace events it was written from, so that it opens like a recording: the same
// requests, awaits, blocking calls, tasks, jobs, stalls and lag samples, on the exporting
// process's clock (otherData's time_origin_steady_ns is the origin). Only that exporter's output
// is read: any other JSON is refused with "FILE: what is wrong" (where, and which field).
//
// What the export does not say is rebuilt the way the timeline reads it: a request's route is
// known from its handler's start, its response is written where its last run ends, a span or
// await still open when exported ends where the export ends. The in-flight counter is derived
// from the requests, so it is not read back.
ReadResult parseChromeTrace(QByteArrayView bytes, const QString &name);

// What File > Open and `loopscope FILE` take: a .loopscope recording or a Chrome trace export,
// told by the file's first bytes.
ReadResult readRecordingOrTrace(const QString &path);

} // namespace loopscope::recording
