#pragma once

#include <QLoggingCategory>

// The diagnostic category of the window, its exports and the command line. Debug output is off
// unless asked for: QT_LOGGING_RULES="loopscope.app.debug=true" (see the README).
namespace loopscope {

Q_DECLARE_LOGGING_CATEGORY(lcApp) // loopscope.app

} // namespace loopscope
