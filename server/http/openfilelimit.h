#pragma once

namespace loopscope::http {

// Raises this process's soft open-file limit towards `wanted` (never past the hard limit) and
// returns the limit now in force. Each connection costs a descriptor; a server that runs out
// of them cannot even accept a connection to refuse it.
long raiseOpenFileLimit(long wanted);

} // namespace loopscope::http
