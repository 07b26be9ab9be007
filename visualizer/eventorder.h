#pragma once

#include "trace.h"

#include <vector>

namespace loopscope::viz {

// The events in time order, ties in the order given (a stable sort). A trace records each
// thread's events in order and the hub hands them on a thread at a time, so a recording is a
// handful of ordered threads interleaved: merged thread by thread, that costs one pass, where a
// general sort of millions of 64-byte events takes seconds. Events not ordered per thread (a
// hand-made trace) take the general sort.
std::vector<trace::Event> inTimeOrder(std::vector<trace::Event> events);

} // namespace loopscope::viz
