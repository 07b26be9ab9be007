#pragma once

#include <QLoggingCategory>

// The diagnostic category of the timeline model and its views. Debug output is off unless asked
// for: QT_LOGGING_RULES="loopscope.visualizer.debug=true" (see the README).
namespace loopscope {

Q_DECLARE_LOGGING_CATEGORY(lcVisualizer) // loopscope.visualizer

} // namespace loopscope
