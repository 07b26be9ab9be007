#pragma once

#include <QByteArray>
#include <QtGlobal>
#include <atomic>
#include <thread>

namespace loopscope::testing {

// An upstream that answers every request with the same head and a body of `bodyBytes` filler
// bytes, for what a well-behaved fixture cannot do: lie in its Content-Length, send a chunked or
// close-delimited body of any size. On 127.0.0.1, a port of its own, a thread of its own (plain
// sockets), so the test thread may block in a client meanwhile. It stops writing when the client
// hangs up, as a real server does.
class CannedUpstream
{
public:
    enum class Body
    {
        Raw, // the filler bytes as they are, then keep the connection until the client leaves
        Chunked, // the filler in 64 KiB chunks, then the last chunk
        UntilClose, // the filler, then close
    };

    CannedUpstream(QByteArray head, Body body, qint64 bodyBytes);
    ~CannedUpstream();
    CannedUpstream(const CannedUpstream &) = delete;
    CannedUpstream &operator=(const CannedUpstream &) = delete;

    quint16 port() const { return m_port; }

private:
    void serve(int client) const;

    const QByteArray m_head;
    const Body m_body;
    const qint64 m_bodyBytes;
    int m_listener = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_stopping { false };
    std::thread m_thread;
};

} // namespace loopscope::testing
