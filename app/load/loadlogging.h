#pragma once

#include <QLoggingCategory>

// The diagnostic category of the load generator. Debug output is off unless asked for:
// QT_LOGGING_RULES="loopscope.load.debug=true" (see the README).
namespace loopscope {

Q_DECLARE_LOGGING_CATEGORY(lcLoad) // loopscope.load

} // namespace loopscope
