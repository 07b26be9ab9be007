#pragma once

#include "trace/trace.h"

#include <QtGlobal>
#include <cstddef>
#include <sys/types.h>

namespace loopscope::http {

// Asks the kernel to stamp every segment this socket receives (SO_TIMESTAMPNS). On a listening
// socket the accepted ones inherit it (Linux copies the flag to each connection it creates), so
// a request that arrives before the server accepts its connection, while the loop is blocked,
// is stamped too. Also samples the realtime-to-trace clock offset, at start.
bool enableReceiveTimestamps(qintptr descriptor);

// recv(MSG_DONTWAIT) through recvmsg, with the kernel's receive time of what it read on the
// trace clock in `arrived` (0 when the kernel gave none). A read that drains several segments
// carries the last one's time. Returns and sets errno as recv does.
ssize_t receiveStamped(int descriptor, char *buffer, std::size_t capacity, trace::Nanos &arrived);

} // namespace loopscope::http
