#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace loopscope::testing {

// A client socket on 127.0.0.1 below Qt, for what QTcpSocket cannot do: a tiny receive buffer
// for a client that stops reading, and a hang-up with a reset instead of a FIN.
class RawSocket
{
public:
    // receiveBuffer > 0 sets SO_RCVBUF before connecting, so the window it advertises is small.
    explicit RawSocket(quint16 port, int receiveBuffer = 0);
    ~RawSocket();
    RawSocket(const RawSocket &) = delete;
    RawSocket &operator=(const RawSocket &) = delete;

    bool isConnected() const { return m_fd >= 0; }
    // Writes everything (blocking); false when the server closed the connection.
    bool send(QByteArrayView bytes);
    // True once bytes (or the server's close) can be read, within `timeoutMs`.
    bool waitReadable(int timeoutMs);
    // Reads until what arrived ends with `end`, the server closes or `timeoutMs` passes.
    QByteArray readUntil(QByteArrayView end, int timeoutMs);
    // Reads until the server closes or `timeoutMs` passes; what arrived either way.
    QByteArray readUntilClosed(int timeoutMs, bool *closedByServer = nullptr);
    void shutdownWrite(); // a FIN: "no more requests", still reading
    void close(); // a FIN
    void reset(); // SO_LINGER 0, then close: the server sees a RST

private:
    int m_fd = -1;
};

} // namespace loopscope::testing
