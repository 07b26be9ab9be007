#include "stampedread.h"

#include "trace/realtimeclock.h"

#include <cstring>
#include <sys/socket.h>
#include <time.h>

namespace loopscope::http {

bool enableReceiveTimestamps(qintptr descriptor)
{
    trace::realtimeOffsetNs();
    const int on = 1;
    return ::setsockopt(int(descriptor), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
}

ssize_t receiveStamped(int descriptor, char *buffer, std::size_t capacity, trace::Nanos &arrived)
{
    iovec part { buffer, capacity };
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr message {};
    message.msg_iov = &part;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    const ssize_t received = ::recvmsg(descriptor, &message, MSG_DONTWAIT);
    arrived = 0;
    if (received <= 0)
        return received;
    for (cmsghdr *c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec stamp;
            std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
            if (stamp.tv_sec > 0)
                arrived = trace::fromRealtime(
                    trace::Nanos(stamp.tv_sec) * 1'000'000'000 + stamp.tv_nsec);
        }
    }
    return received;
}

} // namespace loopscope::http
