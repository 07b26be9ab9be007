#include "cannedupstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace loopscope::testing {

namespace {

bool sendAll(int fd, QByteArrayView bytes)
{
    while (!bytes.isEmpty()) {
        const ssize_t sent = ::send(fd, bytes.data(), size_t(bytes.size()), MSG_NOSIGNAL);
        if (sent <= 0)
            return false;
        bytes = bytes.sliced(sent);
    }
    return true;
}

} // namespace

CannedUpstream::CannedUpstream(QByteArray head, Body body, qint64 bodyBytes)
    : m_head(std::move(head))
    , m_body(body)
    , m_bodyBytes(bodyBytes)
{
    m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(m_listener, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0
        || ::listen(m_listener, 16) != 0
        || ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        qFatal("canned upstream: cannot listen");
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this] {
        while (!m_stopping.load()) {
            pollfd ready { m_listener, POLLIN, 0 };
            if (::poll(&ready, 1, 50) <= 0)
                continue; // wakes up to see m_stopping
            const int client = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0)
                continue;
            serve(client);
            ::close(client);
        }
    });
}

CannedUpstream::~CannedUpstream()
{
    m_stopping.store(true);
    m_thread.join();
    ::close(m_listener);
}

void CannedUpstream::serve(int client) const
{
    QByteArray request;
    char buffer[4096];
    while (!request.contains("\r\n\r\n")) {
        const ssize_t got = ::recv(client, buffer, sizeof buffer, 0);
        if (got <= 0)
            return;
        request.append(buffer, got);
    }
    if (!sendAll(client, m_head))
        return;
    const QByteArray filler(64 * 1024, 'x');
    for (qint64 sent = 0; sent < m_bodyBytes && !m_stopping.load();) {
        const qint64 piece = qMin<qint64>(filler.size(), m_bodyBytes - sent);
        const QByteArrayView bytes(filler.constData(), piece);
        QByteArray frame;
        if (m_body == Body::Chunked) {
            frame = QByteArray::number(piece, 16);
            frame += "\r\n";
            frame += bytes;
            frame += "\r\n";
        }
        const bool ok = sendAll(client, m_body == Body::Chunked ? QByteArrayView(frame) : bytes);
        if (!ok)
            return; // the client hung up: it has seen enough
        sent += piece;
    }
    if (m_body == Body::Chunked)
        sendAll(client, "0\r\n\r\n");
    if (m_body == Body::Raw) {
        // The body the head promised never ends: hold on until the client gives up.
        while (!m_stopping.load()) {
            pollfd readable { client, POLLIN, 0 };
            if (::poll(&readable, 1, 50) > 0 && ::recv(client, buffer, sizeof buffer, 0) <= 0)
                return;
        }
    }
}

} // namespace loopscope::testing
