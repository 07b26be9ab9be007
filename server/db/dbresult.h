#pragma once

#include "core/result.h"

namespace loopscope::db {

// What a database job hands back to the handler: its value, or why there is none. The kind tells
// a database that could not be reached (ErrorKind::Io, a 503) from a statement it rejected
// (ErrorKind::Internal, a 500).
template <typename T> struct DbResult : Result
{
    T value {};
};

} // namespace loopscope::db
