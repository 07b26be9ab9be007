#include "connectionsocket.h"

#include <QMetaObject>

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace loopscope::http {

ConnectionSocket::ConnectionSocket(int descriptor, QObject *context, Callbacks callbacks)
    : m_descriptor(descriptor)
    , m_context(context)
    , m_callbacks(std::move(callbacks))
    , m_reader(descriptor, QSocketNotifier::Read)
{
    // QTcpServer hands the descriptor over as accept() made it, which may block.
    const int flags = ::fcntl(descriptor, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK))
        ::fcntl(descriptor, F_SETFL, flags | O_NONBLOCK);
    // Small answers must not wait for Nagle: a keep-alive client waits for each one.
    const int on = 1;
    ::setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    QObject::connect(
        &m_reader, &QSocketNotifier::activated, context, [this] { m_callbacks.readable(); });
}

ConnectionSocket::~ConnectionSocket()
{
    if (m_descriptor >= 0) {
        m_reader.setEnabled(false);
        ::close(m_descriptor);
    }
}

void ConnectionSocket::setReading(bool on)
{
    m_reader.setEnabled(on && m_descriptor >= 0);
}

bool ConnectionSocket::sendSome(const char *data, qsizetype size, qsizetype &sent)
{
    while (sent < size) {
        const ssize_t written
            = ::send(m_descriptor, data + sent, size_t(size - sent), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (written > 0)
            sent += written;
        else if (written < 0 && errno == EINTR)
            continue;
        else if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true; // full: the rest waits for the client to read
        else
            return false;
    }
    return true;
}

void ConnectionSocket::write(QByteArray bytes)
{
    if (m_descriptor < 0 || m_failed || bytes.isEmpty())
        return;
    qsizetype sent = 0;
    // Straight into the kernel only while nothing waits, so the bytes leave in order.
    if (m_unsentBytes == 0 && !sendSome(bytes.constData(), bytes.size(), sent)) {
        failLater();
        return;
    }
    if (sent == bytes.size())
        return;
    if (m_unsent.isEmpty())
        m_frontOffset = sent; // else sent is 0: something waited already
    m_unsentBytes += bytes.size() - sent;
    m_unsent.append(std::move(bytes));
    if (!m_writer) {
        m_writer = std::make_unique<QSocketNotifier>(m_descriptor, QSocketNotifier::Write);
        QObject::connect(
            m_writer.get(), &QSocketNotifier::activated, m_context, [this] { sendWaiting(); });
    }
    m_writer->setEnabled(true);
}

void ConnectionSocket::sendWaiting()
{
    const qint64 before = m_unsentBytes;
    while (!m_unsent.isEmpty()) {
        const QByteArray &front = m_unsent.front();
        qsizetype sent = m_frontOffset;
        const bool alive = sendSome(front.constData(), front.size(), sent);
        m_unsentBytes -= sent - m_frontOffset;
        m_frontOffset = sent;
        if (!alive) {
            m_writer->setEnabled(false);
            failLater();
            return;
        }
        if (sent < front.size())
            break; // the kernel is full again
        m_unsent.pop_front();
        m_frontOffset = 0;
    }
    if (m_unsent.isEmpty()) {
        m_unsent = QList<QByteArray>(); // a connection that once waited does not keep the list
        m_writer->setEnabled(false);
        if (m_closeWhenSent) {
            closeNow();
            return;
        }
    }
    if (m_unsentBytes < before)
        m_callbacks.wrote();
}

void ConnectionSocket::close()
{
    if (m_descriptor < 0)
        return;
    if (bytesToWrite() > 0 && !m_failed)
        m_closeWhenSent = true;
    else
        closeNow();
}

void ConnectionSocket::abort()
{
    if (m_descriptor < 0)
        return;
    // A zero linger makes close() send a reset instead of a graceful end.
    const linger reset { 1, 0 };
    ::setsockopt(m_descriptor, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    closeNow();
}

void ConnectionSocket::closeNow()
{
    if (m_descriptor < 0)
        return;
    // The notifiers leave the loop's poll before the descriptor is closed (and maybe reused).
    // Disabled, not deleted: this may run inside the write notifier's own signal.
    m_reader.setEnabled(false);
    if (m_writer)
        m_writer->setEnabled(false);
    m_unsent = QList<QByteArray>();
    m_frontOffset = 0;
    m_unsentBytes = 0;
    ::close(m_descriptor);
    m_descriptor = -1;
    m_callbacks.closed();
}

void ConnectionSocket::failLater()
{
    // Reported from the loop, not from inside the write that met it: its caller may be in the
    // middle of changing the connection's state.
    m_failed = true;
    QMetaObject::invokeMethod(
        m_context, [this] { closeNow(); }, Qt::QueuedConnection);
}

bool ConnectionSocket::hasUnreadBytes() const
{
    int unread = 0;
    return m_descriptor >= 0 && ::ioctl(m_descriptor, FIONREAD, &unread) == 0 && unread > 0;
}

} // namespace loopscope::http
