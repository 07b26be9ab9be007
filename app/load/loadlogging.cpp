#include "loadlogging.h"

namespace loopscope {

Q_LOGGING_CATEGORY(lcLoad, "loopscope.load", QtInfoMsg)

} // namespace loopscope
