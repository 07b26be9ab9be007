#include "applogging.h"

namespace loopscope {

Q_LOGGING_CATEGORY(lcApp, "loopscope.app", QtInfoMsg)

} // namespace loopscope
