#include "refusedconnection.h"

#include "requestids.h"

#include <cerrno>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace loopscope::http {

std::atomic<int> RefusedConnection::s_lingering { 0 };

void RefusedConnection::refuse(qintptr socketDescriptor, QObject *parent)
{
    constexpr std::string_view body = "{\"detail\":\"Too many connections, retry\"}\n";
    constexpr std::string_view head
        = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
          "content-length: 41\r\nconnection: close\r\nx-request-id: ";
    static_assert(body.size() == 41, "content-length is the body's");
    // Every answer carries an X-Request-Id, this one too (no request was read to take it from).
    QByteArray refusal(head.data(), qsizetype(head.size()));
    refusal += generateRequestId();
    refusal += "\r\n\r\n";
    refusal.append(body.data(), qsizetype(body.size()));
    const int descriptor = static_cast<int>(socketDescriptor);
    (void)::send(
        descriptor, refusal.constData(), size_t(refusal.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (s_lingering >= maxLingering) {
        ::close(descriptor);
        return;
    }
    ::shutdown(descriptor, SHUT_WR);
    new RefusedConnection(descriptor, parent);
}

RefusedConnection::RefusedConnection(int descriptor, QObject *parent)
    : QObject(parent)
    , m_descriptor(descriptor)
    , m_readable(descriptor, QSocketNotifier::Read)
{
    ++s_lingering;
    connect(&m_readable, &QSocketNotifier::activated, this, &RefusedConnection::drain);
    m_grace.setSingleShot(true);
    connect(&m_grace, &QTimer::timeout, this, &QObject::deleteLater);
    m_grace.start(2000);
}

RefusedConnection::~RefusedConnection()
{
    --s_lingering;
    ::close(m_descriptor);
}

void RefusedConnection::drain()
{
    char discard[4096];
    for (;;) {
        const ssize_t received = ::recv(m_descriptor, discard, sizeof discard, MSG_DONTWAIT);
        if (received > 0)
            continue;
        if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return; // more may come; the client has not hung up yet
        break; // the client closed (0) or the connection failed
    }
    m_readable.setEnabled(false);
    deleteLater();
}

} // namespace loopscope::http
