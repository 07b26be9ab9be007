#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <QTimer>
#include <atomic>

namespace loopscope::http {

// A connection turned away at the connection cap or during shutdown, without a QTcpSocket:
// a short 503, then a lingering close. Closing at once would answer the request bytes still
// arriving with a reset, and a reset makes the client's kernel drop the 503 it had not read
// yet; so the write side is shut, what the client sends is read and discarded until it hangs
// up, and the descriptor is closed then or after a short grace at the latest.
class RefusedConnection : public QObject
{
    Q_OBJECT
public:
    // At most this many refusals linger at once; beyond, they are closed at once (a flood of
    // connections must not hold descriptors the cap exists to protect).
    static constexpr int maxLingering = 64;

    // Sends the 503 and takes ownership of the descriptor; deletes itself once closed.
    static void refuse(qintptr socketDescriptor, QObject *parent);

private:
    RefusedConnection(int descriptor, QObject *parent);
    ~RefusedConnection() override;
    void drain();

    int m_descriptor;
    QSocketNotifier m_readable;
    QTimer m_grace;
    static std::atomic<int> s_lingering; // over every server in the process
};

} // namespace loopscope::http
