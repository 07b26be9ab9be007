#include "tracelogging.h"

namespace loopscope {

Q_LOGGING_CATEGORY(lcTrace, "loopscope.trace", QtInfoMsg)

} // namespace loopscope
