#include "serverlogging.h"

namespace loopscope {

Q_LOGGING_CATEGORY(lcHttp, "loopscope.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRoutes, "loopscope.routes", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDb, "loopscope.db", QtInfoMsg)
Q_LOGGING_CATEGORY(lcOutbound, "loopscope.outbound", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCore, "loopscope.core", QtInfoMsg)

} // namespace loopscope
