#include "visualizerlogging.h"

namespace loopscope {

Q_LOGGING_CATEGORY(lcVisualizer, "loopscope.visualizer", QtInfoMsg)

} // namespace loopscope
