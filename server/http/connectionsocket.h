#pragma once

#include <QByteArray>
#include <QList>
#include <QSocketNotifier>

#include <functional>
#include <memory>

namespace loopscope::http {

// An accepted client's socket as a connection needs it, and no more. Not a QTcpSocket: it costs
// 1.7 KB per connection, idle or not, and Qt 6.4 reads ahead into its own buffer despite the
// Unbuffered flag, then takes the end of the client's input for a hang-up (it reads 0, closes
// the descriptor and reports RemoteHostClosedError, with the answers to what the client sent
// still unwritten). So reads are the connection's own, when readable() says; writes go straight
// into the kernel, and what it does not take waits here until the client reads. The write
// notifier is made only once a write had to wait.
class ConnectionSocket
{
public:
    struct Callbacks // all three are called, so all three are given
    {
        std::function<void()> readable;
        std::function<void()> wrote; // bytes that waited went out (the client is reading)
        // Closed: by close() or abort(), or the client is gone (a failed send). Called once.
        std::function<void()> closed;
    };

    // Takes the descriptor (non-blocking, connected) and owns it from here.
    ConnectionSocket(int descriptor, QObject *context, Callbacks callbacks);
    ~ConnectionSocket();
    ConnectionSocket(const ConnectionSocket &) = delete;
    ConnectionSocket &operator=(const ConnectionSocket &) = delete;

    int descriptor() const { return m_descriptor; } // -1 once closed
    void setReading(bool on);
    // What the kernel takes now goes now, the rest in order as the client reads.
    void write(QByteArray bytes);
    qint64 bytesToWrite() const { return m_unsentBytes; }
    // The memory what waits holds: a piece partly sent is held whole until the rest is out.
    qint64 bytesHeld() const { return m_unsentBytes + m_frontOffset; }
    // Whether the client sent bytes the server has not read yet: a loop held up by a blocking
    // call reads late, and what waits in the kernel is a request, not idleness.
    bool hasUnreadBytes() const;
    // Closes once every byte is out (at once when none waits).
    void close();
    // Closes now with a reset, dropping what waits: the client sees the answer cut short.
    void abort();

private:
    // Sends from data + sent on, advancing sent; false when the client is gone.
    bool sendSome(const char *data, qsizetype size, qsizetype &sent);
    void sendWaiting();
    void closeNow();
    void failLater(); // a send failed: the client is gone; report it from the loop

    int m_descriptor;
    QObject *m_context;
    Callbacks m_callbacks;
    QSocketNotifier m_reader;
    std::unique_ptr<QSocketNotifier> m_writer;
    // What waits, as it was written: pieces, not one growing array, whose reallocations would
    // leave the heap holding twice the cap per client that does not read.
    QList<QByteArray> m_unsent;
    qsizetype m_frontOffset = 0; // sent of m_unsent.front()
    qint64 m_unsentBytes = 0;
    bool m_closeWhenSent = false;
    bool m_failed = false;
};

} // namespace loopscope::http
