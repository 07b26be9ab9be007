#pragma once

#include <QLoggingCategory>

// The diagnostic category of recordings: the writer, the reader, the live recorder. Debug output is
// off unless asked for: QT_LOGGING_RULES="loopscope.recording.debug=true" (see the README).
namespace loopscope {

Q_DECLARE_LOGGING_CATEGORY(lcRecording) // loopscope.recording

} // namespace loopscope
