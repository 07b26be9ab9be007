#pragma once

#include "outboundconfig.h"

#include <QMutex>
#include <QObject>
#include <QThread>
#include <QUrl>
#include <atomic>

namespace loopscope::upstream {

class SimulatorServer;

// The local stand-in for the external APIs the course calls: jsonplaceholder (/users, /posts,
// /comments, /posts/{id}, /comments/{id}, /albums/{id}) and a weather service (/v1/{city}).
// Runs on its own thread and port so the server loop only ever sees it across a socket.
// Latency is a precise timer, never a sleep: one simulator thread answers any number of
// requests at once.
//
// Per request, `?latency_ms=N` overrides the latency and `?fail=500|reset|hang` forces a
// failure (tests and the scraper exercise use them to make one URL misbehave).
class UpstreamSimulator
{
public:
    explicit UpstreamSimulator(SimulatorSettings settings = {});
    ~UpstreamSimulator();
    UpstreamSimulator(const UpstreamSimulator &) = delete;
    UpstreamSimulator &operator=(const UpstreamSimulator &) = delete;

    // Binds 127.0.0.1 on `port` (0: a free one) and starts answering. Blocks until bound.
    bool start(quint16 port = 0);
    void stop();
    QString errorString() const { return m_error; }
    quint16 port() const { return m_port; }
    QUrl url() const; // http://127.0.0.1:PORT

    SimulatorSettings settings() const;
    void setSettings(const SimulatorSettings &settings);

    // Counters, for tests and /_scope/upstream.
    quint64 requestsServed() const { return m_requests.load(); }
    quint64 connectionsAccepted() const { return m_connections.load(); }

private:
    friend class SimulatorServer;

    mutable QMutex m_mutex;
    SimulatorSettings m_settings;
    QThread m_thread;
    SimulatorServer *m_server = nullptr; // lives on m_thread
    QObject *m_context = nullptr; // lives on m_thread: where work for it is posted
    quint16 m_port = 0;
    QString m_error;
    std::atomic<quint64> m_requests { 0 };
    std::atomic<quint64> m_connections { 0 };
};

// The simulator's answer to one request, without latency or failures (socket-free for tests).
struct SimulatedAnswer
{
    int status = 200;
    QByteArray body;
};
SimulatedAnswer simulatedAnswer(QByteArrayView path);

} // namespace loopscope::upstream
