#pragma once

#include "connectionstats.h"
#include "httplimits.h"
#include "requesthandler.h"

#include <QTcpServer>
#include <QTimer>
#include <unordered_set>

namespace loopscope::http {

class HttpConnection;

// Accepts connections on the server loop and owns them. Brings its own QTcpServer so the
// listen backlog, the connection cap and the idle timers are ours to set.
class HttpListener : public QTcpServer
{
    Q_OBJECT
public:
    HttpListener(RequestHandler &handler, const HttpLimits &limits, ConnectionStats &stats,
        QObject *parent = nullptr);
    ~HttpListener() override;

    bool start(const QHostAddress &address, quint16 port);
    // Stop accepting; let each connection finish what it is answering, then close.
    void beginShutdown();
    int openConnections() const { return static_cast<int>(m_connections.size()); }

signals:
    void allConnectionsClosed();

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    void onConnectionClosed(HttpConnection *connection);
    void sweepTimeouts();

    RequestHandler &m_handler;
    HttpLimits m_limits;
    ConnectionStats &m_stats;
    std::unordered_set<HttpConnection *> m_connections;
    QTimer m_sweepTimer;
    QTimer m_acceptRetry;
    quint64 m_nextConnectionId = 0;
    bool m_shuttingDown = false;
};

} // namespace loopscope::http
