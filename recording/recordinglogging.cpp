#include "recordinglogging.h"

namespace loopscope {

Q_LOGGING_CATEGORY(lcRecording, "loopscope.recording", QtInfoMsg)

} // namespace loopscope
