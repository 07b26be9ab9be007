#include "rawsocket.h"

#include <QDeadlineTimer>
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace loopscope::testing {

RawSocket::RawSocket(quint16 port, int receiveBuffer)
{
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        return;
    if (receiveBuffer > 0)
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

RawSocket::~RawSocket()
{
    close();
}

bool RawSocket::send(QByteArrayView bytes)
{
    while (m_fd >= 0 && !bytes.isEmpty()) {
        const ssize_t sent = ::send(m_fd, bytes.data(), size_t(bytes.size()), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent <= 0)
            return false;
        bytes = bytes.sliced(sent);
    }
    return m_fd >= 0;
}

bool RawSocket::waitReadable(int timeoutMs)
{
    pollfd readable { m_fd, POLLIN, 0 };
    return m_fd >= 0 && ::poll(&readable, 1, timeoutMs) > 0;
}

QByteArray RawSocket::readUntil(QByteArrayView end, int timeoutMs)
{
    QByteArray received;
    const QDeadlineTimer deadline(timeoutMs);
    while (m_fd >= 0 && !received.endsWith(end) && !deadline.hasExpired()) {
        pollfd readable { m_fd, POLLIN, 0 };
        if (::poll(&readable, 1, int(deadline.remainingTime())) <= 0)
            continue;
        char byte = 0; // one at a time: nothing after `end` is taken from the socket
        const ssize_t got = ::recv(m_fd, &byte, 1, 0);
        if (got == 1)
            received.append(byte);
        else if (got == 0 || errno != EINTR)
            break;
    }
    return received;
}

QByteArray RawSocket::readUntilClosed(int timeoutMs, bool *closedByServer)
{
    QByteArray received;
    bool closed = false;
    const QDeadlineTimer deadline(timeoutMs);
    while (m_fd >= 0 && !closed && !deadline.hasExpired()) {
        pollfd readable { m_fd, POLLIN, 0 };
        if (::poll(&readable, 1, int(deadline.remainingTime())) <= 0)
            continue;
        char chunk[16384];
        const ssize_t got = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (got > 0)
            received.append(chunk, got);
        else if (got == 0 || errno != EINTR)
            closed = true; // an orderly close or a reset
    }
    if (closedByServer)
        *closedByServer = closed;
    return received;
}

void RawSocket::shutdownWrite()
{
    if (m_fd >= 0)
        ::shutdown(m_fd, SHUT_WR);
}

void RawSocket::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

void RawSocket::reset()
{
    if (m_fd < 0)
        return;
    const linger abortive { 1, 0 };
    ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
    close();
}

} // namespace loopscope::testing
