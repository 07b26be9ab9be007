#pragma once

#include "trace/trace.h"

#include <QObject>

#include <chrono>

namespace loopscope {

class ServerHost;

// One reading of the server's figures at one instant.
struct ServerSample
{
    trace::Nanos at = 0; // trace clock
    quint64 requests = 0; // answered since start
    int inFlight = 0;
    qint64 loopLagNs = 0;
    bool loopStalled = false;
};

// Reads the server's figures on one schedule for every view that shows them: the status bar
// and the live charts take the same sample, so they never show two figures for one instant
// (each reading the lag on its own timer did).
class ServerSampler : public QObject
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds kInterval { 250 };

    explicit ServerSampler(const ServerHost &host, QObject *parent = nullptr);

    // Takes a sample now and hands it to every receiver (the timer calls it).
    void sample();
    const ServerSample &latest() const { return m_latest; }

signals:
    void sampled(const loopscope::ServerSample &sample);

private:
    const ServerHost &m_host;
    ServerSample m_latest;
    // A restarted server counts from zero again: the requests its earlier runs answered, so the
    // session's count (and the requests/s drawn from it) goes on.
    quint64 m_answeredBefore = 0;
    quint64 m_lastCount = 0;
    int m_lastStarts = 0;
};

} // namespace loopscope
