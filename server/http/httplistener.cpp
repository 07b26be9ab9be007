#include "httplistener.h"

#include "httpconnection.h"
#include "refusedconnection.h"
#include "serverlogging.h"
#include "stampedread.h"

#include <QDeadlineTimer>
#include <algorithm>
#include <utility>

namespace loopscope::http {

HttpListener::HttpListener(
    RequestHandler &handler, const HttpLimits &limits, ConnectionStats &stats, QObject *parent)
    : QTcpServer(parent)
    , m_handler(handler)
    , m_limits(limits)
    , m_stats(stats)
{
    // QTcpServer's default backlog of 50 makes 10,000 simultaneous clients retry their SYNs
    // for seconds; 4096 matches somaxconn here.
    setListenBacklogSize(4096);
    // Often enough that a short configured timeout is enforced close to its value.
    const auto shortest = std::min(m_limits.keepAliveTimeout, m_limits.requestTimeout);
    m_sweepTimer.setInterval(
        std::clamp(shortest / 4, std::chrono::milliseconds(25), std::chrono::milliseconds(1000)));
    connect(&m_sweepTimer, &QTimer::timeout, this, &HttpListener::sweepTimeouts);
    // QTcpServer stops accepting for good on a failed accept (out of descriptors, EMFILE): the
    // server would be deaf from then on. Try again shortly; the kernel keeps the clients queued.
    m_acceptRetry.setSingleShot(true);
    m_acceptRetry.setInterval(100);
    connect(&m_acceptRetry, &QTimer::timeout, this, [this] {
        if (!m_shuttingDown)
            resumeAccepting();
    });
    connect(this, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
        ++m_stats.acceptErrors;
        m_acceptRetry.start();
    });
}

HttpListener::~HttpListener()
{
    // A connection being deleted may still report its close: it must find neither this set
    // (erased while iterated) nor onConnectionClosed (a deleteLater of a deleted object).
    const auto connections = std::exchange(m_connections, {});
    for (HttpConnection *connection : connections) {
        disconnect(connection, nullptr, this, nullptr);
        delete connection;
    }
}

bool HttpListener::start(const QHostAddress &address, quint16 port)
{
    if (!listen(address, port))
        return false;
    // Every request's arrival is stamped by the kernel, also while the loop is blocked and
    // its connection not yet accepted: the wait before the server read it becomes visible.
    enableReceiveTimestamps(socketDescriptor());
    m_sweepTimer.start();
    qCDebug(lcHttp) << "listening on" << serverAddress() << serverPort();
    return true;
}

void HttpListener::incomingConnection(qintptr socketDescriptor)
{
    if (m_shuttingDown || static_cast<int>(m_connections.size()) >= m_limits.maxConnections) {
        qCDebug(lcHttp) << "refusing a connection:"
                        << (m_shuttingDown ? "shutting down" : "at the connection cap");
        // Counted before the 503 is written: a client that has read it finds it counted.
        ++m_stats.refusedConnections;
        RefusedConnection::refuse(socketDescriptor, this);
        return;
    }
    auto *connection
        = new HttpConnection(socketDescriptor, ++m_nextConnectionId, m_handler, m_limits, m_stats);
    m_connections.insert(connection);
    connect(connection, &HttpConnection::closed, this, &HttpListener::onConnectionClosed);
}

void HttpListener::onConnectionClosed(HttpConnection *connection)
{
    m_connections.erase(connection);
    connection->deleteLater();
    if (m_shuttingDown && m_connections.empty())
        emit allConnectionsClosed();
}

void HttpListener::sweepTimeouts()
{
    const qint64 now = QDeadlineTimer::current().deadline();
    // Copy: enforcing a timeout may close a connection and erase it from the set.
    const std::vector<HttpConnection *> connections(m_connections.begin(), m_connections.end());
    for (HttpConnection *connection : connections) {
        if (m_connections.count(connection))
            connection->enforceTimeouts(now);
    }
}

void HttpListener::beginShutdown()
{
    m_shuttingDown = true;
    close();
    if (m_connections.empty()) {
        emit allConnectionsClosed();
        return;
    }
    const std::vector<HttpConnection *> connections(m_connections.begin(), m_connections.end());
    for (HttpConnection *connection : connections) {
        if (m_connections.count(connection))
            connection->closeWhenDone();
    }
}

} // namespace loopscope::http
