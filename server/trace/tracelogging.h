#pragma once

#include <QLoggingCategory>

// The diagnostic category of the tracing library: rings, the hub, the loop watchdog. Debug output
// is off unless asked for: QT_LOGGING_RULES="loopscope.trace.debug=true" (see the README).
namespace loopscope {

Q_DECLARE_LOGGING_CATEGORY(lcTrace) // loopscope.trace

} // namespace loopscope
