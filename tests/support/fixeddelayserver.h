#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace loopscope::testsupport {

// A test-only HTTP/1.1 server: answers every request after a fixed delay (a
// precise timer, so the delay is what the test asked for), on 127.0.0.1 and a
// port of its own, on a thread of its own so the test thread stays free to run
// the code under test. It counts what a load test wants to check: requests,
// the most requests in flight at once, the X-Request-Id values and targets it
// saw. `GET /status/NNN` answers with status NNN. It honours keep-alive,
// HTTP/1.0 and `Connection: close`, and answers in order per connection.
class FixedDelayServer
{
public:
    struct Received
    {
        QByteArray method;
        QByteArray target;
        QByteArray requestId;
    };

    explicit FixedDelayServer(std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    ~FixedDelayServer();
    FixedDelayServer(const FixedDelayServer &) = delete;
    FixedDelayServer &operator=(const FixedDelayServer &) = delete;

    // Starts the thread and listens; false when it could not bind.
    bool start(quint16 port = 0);
    quint16 port() const { return m_port; }

    void setDelay(std::chrono::milliseconds delay) { m_delayMs.store(int(delay.count())); }
    void setBody(const QByteArray &body);
    // Keeping every request (for the id checks) costs memory; a benchmark turns it off.
    void setRecordRequests(bool on) { m_record.store(on); }
    // Answers nothing for `length`, beginning `after` from now (a stalled server);
    // requests that arrive meanwhile are answered when the stall ends.
    void stall(std::chrono::milliseconds after, std::chrono::milliseconds length);

    // Holds every answer that comes due, however long, until release(): the test, not a timer,
    // decides when the upstream answers, so "still waiting when X happened" holds at any speed.
    void hold() { m_holding.store(true); }
    void release();

    qint64 requestCount() const { return m_requests.load(); }
    int inFlight() const { return m_inFlight.load(); }
    int maxInFlight() const { return m_maxInFlight.load(); }
    qint64 connectionCount() const { return m_connections.load(); }
    QList<Received> received() const;
    void resetCounters();

private:
    friend class FixedDelayServerWorker;

    // A std::thread running a QEventLoop rather than a QThread: start, stop
    // and join are then plain pthread and eventfd operations, which
    // ThreadSanitizer can see (Qt's own futex-based handshakes it cannot).
    std::thread m_thread;
    int m_quitFd = -1;
    int m_releaseFd = -1; // written by release(), read on the server's thread
    std::atomic<bool> m_holding { false };
    quint16 m_port = 0;
    std::atomic<qint64> m_stallBeginMs { 0 };
    std::atomic<qint64> m_stallEndMs { 0 };
    std::atomic<int> m_delayMs;
    std::atomic<bool> m_record { true };
    std::atomic<qint64> m_requests { 0 };
    std::atomic<int> m_inFlight { 0 };
    std::atomic<int> m_maxInFlight { 0 };
    std::atomic<qint64> m_connections { 0 };
    mutable std::mutex m_mutex; // guards m_received and m_body
    QList<Received> m_received;
    QByteArray m_body = QByteArrayLiteral("hello from the fixture\n");
};

} // namespace loopscope::testsupport
