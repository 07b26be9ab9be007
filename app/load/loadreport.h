#pragma once

#include "loadresult.h"

#include <QString>

namespace loopscope::load {

// The ab-like text summary of a finished run (what `loopscope load` prints).
QString formatLoadReport(const LoadResult &result);

} // namespace loopscope::load
