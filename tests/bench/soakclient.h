#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>
#include <functional>

class QTcpSocket;

// The clients of bench_soak: closed loops over one kind of request, and a visitor that leaves
// early. They run on the benchmark's one thread, driven by its event loop.
namespace loopscope::bench {

constexpr int soakAnswerTimeoutMs = 30000;

// One kind of request that `clients` connections repeat, each waiting for its answer and then
// `pauseMs`: a closed loop, so a slow server lowers the rate instead of queueing requests.
struct Workload
{
    QString name;
    QByteArray method;
    std::function<QByteArray()> target; // path and query of the next request
    bool keepAlive = true;
    int clients = 1;
    int pauseMs = 0;
    std::function<void(const QByteArray &body)> onAnswer = {}; // 2xx answers only
};

struct WorkloadTally
{
    qint64 answered = 0; // 2xx
    qint64 failed = 0; // another status, a connection lost before the answer, or a timeout
    qint64 connections = 0;
    double latencySumMs = 0;
    QString firstFailure;
};

// One connection's closed loop over a workload; reconnects when the workload or the server
// closes the connection.
class SoakClient : public QObject
{
public:
    SoakClient(const Workload &workload, WorkloadTally &tally, quint16 port);

    void start();
    // Lets the request in flight finish, then closes the connection.
    void stop();
    bool isRunning() const { return m_running; }

private:
    void sendNext();
    void readAnswer();
    void connectionLost(const QString &why);
    void finishExchange(bool ok, const QString &failure);
    void halt();
    void closeSocket();

    const Workload &m_workload;
    WorkloadTally &m_tally;
    const quint16 m_port;
    QTcpSocket *m_socket = nullptr;
    QByteArray m_received;
    QElapsedTimer m_sentAt;
    QTimer m_pause;
    QTimer m_answerTimeout;
    bool m_awaitingAnswer = false;
    bool m_stopRequested = false;
    bool m_running = false;
};

// Connection churn the server must clean up after: every `intervalMs` a client connects and
// leaves without a request, after half a request, or after a whole one but before its answer
// (the server then drops the answer).
class EarlyLeaver : public QObject
{
public:
    EarlyLeaver(quint16 port, int intervalMs);

    void start() { m_visits.start(); }
    void stop() { m_visits.stop(); }
    bool isRunning() const { return m_visits.isActive() || m_open > 0; }
    qint64 departures() const { return m_departures; }
    qint64 failed() const { return m_failed; }
    QString firstFailure() const { return m_firstFailure; }

private:
    void visit();

    const quint16 m_port;
    QTimer m_visits;
    int m_open = 0;
    qint64 m_departures = 0;
    qint64 m_failed = 0;
    QString m_firstFailure;
};

} // namespace loopscope::bench
