#include "loadconnection.h"

#include <cerrno>
#include <charconv>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

namespace loopscope::load {

LoadConnection::ConnectOutcome LoadConnection::connectTo(
    const sockaddr_storage &address, socklen_t addressLength)
{
    rec.reusedConnection = false;
    fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return ConnectOutcome::Failed;
    const int one = 1;
    // Small request, then wait: Nagle plus delayed ACK would add 40 ms stalls.
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), addressLength) == 0)
        return ConnectOutcome::Connected;
    return errno == EINPROGRESS ? ConnectOutcome::InProgress : ConnectOutcome::Failed;
}

size_t LoadConnection::stampSendTime(qint64 steadyNs)
{
    const size_t fieldSize = size_t(req->sentField.size());
    sentTimeLength = fieldSize == 0
        ? 0
        : size_t(std::to_chars(sentTime, sentTime + sizeof sentTime, steadyNs).ptr - sentTime);
    return fieldSize + sentTimeLength;
}

LoadConnection::WriteOutcome LoadConnection::writePending()
{
    const size_t headSize = size_t(req->head.size());
    const size_t sentFieldSize = size_t(req->sentField.size());
    const size_t total
        = headSize + idLength + sentFieldSize + sentTimeLength + size_t(req->tail.size());
    while (sent < total) {
        iovec parts[5];
        int count = 0;
        size_t offset = sent;
        auto addPart = [&](const char *data, size_t size) {
            if (offset >= size) {
                offset -= size;
                return;
            }
            parts[count++] = iovec { const_cast<char *>(data) + offset, size - offset };
            offset = 0;
        };
        addPart(req->head.constData(), headSize);
        addPart(id, idLength);
        addPart(req->sentField.constData(), sentFieldSize);
        addPart(sentTime, sentTimeLength);
        addPart(req->tail.constData(), size_t(req->tail.size()));
        msghdr msg {};
        msg.msg_iov = parts;
        msg.msg_iovlen = size_t(count);
        const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (n > 0) {
            sent += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return WriteOutcome::WouldBlock;
        return WriteOutcome::Failed;
    }
    return WriteOutcome::Written;
}

LoadConnection::ReadOutcome LoadConnection::readAvailable(
    char *buffer, size_t size, qint64 relativeNowNs)
{
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, size, 0);
        if (n > 0) {
            if (rec.firstByteNs < 0)
                rec.firstByteNs = relativeNowNs;
            rec.bytes += n;
            switch (parser.feed(buffer, size_t(n))) {
            case HttpResponseParser::Result::Complete:
                return ReadOutcome::Complete;
            case HttpResponseParser::Result::Error:
                return ReadOutcome::ProtocolError;
            case HttpResponseParser::Result::NeedMore:
                break;
            }
            if (size_t(n) < size)
                return ReadOutcome::WaitForMore; // level-triggered: epoll says when there is more
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return ReadOutcome::WaitForMore;
        return n == 0 ? ReadOutcome::EndOfStream : ReadOutcome::Failed;
    }
}

void LoadConnection::close()
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
    events = 0;
}

} // namespace loopscope::load
