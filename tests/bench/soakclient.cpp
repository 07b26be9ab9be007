#include "soakclient.h"

#include "support/httptestclient.h"

#include <QHostAddress>
#include <QRandomGenerator>
#include <QTcpSocket>

namespace loopscope::bench {

using testing::splitResponses;

SoakClient::SoakClient(const Workload &workload, WorkloadTally &tally, quint16 port)
    : m_workload(workload)
    , m_tally(tally)
    , m_port(port)
{
    m_pause.setSingleShot(true);
    m_answerTimeout.setSingleShot(true);
    connect(&m_pause, &QTimer::timeout, this, [this] { sendNext(); });
    connect(&m_answerTimeout, &QTimer::timeout, this, [this] {
        finishExchange(
            false, QStringLiteral("no answer within %1 s").arg(soakAnswerTimeoutMs / 1000));
    });
}

void SoakClient::start()
{
    m_stopRequested = false;
    m_running = true;
    // Staggered, so the clients of one workload do not move in lockstep.
    m_pause.start(int(QRandomGenerator::global()->bounded(100)));
}

void SoakClient::stop()
{
    m_stopRequested = true;
    if (!m_awaitingAnswer)
        halt();
}

void SoakClient::sendNext()
{
    if (m_stopRequested) {
        halt();
        return;
    }
    QByteArray request = m_workload.method + ' ' + m_workload.target()
        + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) + "\r\n";
    if (!m_workload.keepAlive)
        request += "Connection: close\r\n";
    if (m_workload.method == "POST")
        request += "Content-Length: 0\r\n";
    request += "\r\n";

    m_awaitingAnswer = true;
    m_received.clear();
    m_sentAt.start();
    m_answerTimeout.start(soakAnswerTimeoutMs);
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
        m_socket->write(request);
        return;
    }
    closeSocket();
    m_socket = new QTcpSocket(this);
    ++m_tally.connections;
    connect(m_socket, &QTcpSocket::connected, this, [this, request] { m_socket->write(request); });
    connect(m_socket, &QTcpSocket::readyRead, this, [this] { readAnswer(); });
    connect(m_socket, &QTcpSocket::disconnected, this,
        [this] { connectionLost(QStringLiteral("closed by the server")); });
    connect(m_socket, &QTcpSocket::errorOccurred, this,
        [this] { connectionLost(m_socket->errorString()); });
    m_socket->connectToHost(QHostAddress::LocalHost, m_port);
}

void SoakClient::readAnswer()
{
    m_received += m_socket->readAll();
    const auto answers = splitResponses(m_received);
    if (answers.isEmpty())
        return;
    const auto &answer = answers.constFirst();
    const bool ok = answer.status >= 200 && answer.status < 300;
    const bool serverCloses = answer.header("connection").toLower() == "close";
    if (ok && m_workload.onAnswer)
        m_workload.onAnswer(answer.body);
    if (!m_workload.keepAlive || serverCloses)
        closeSocket();
    finishExchange(ok,
        QStringLiteral("HTTP %1: %2")
            .arg(answer.status)
            .arg(QString::fromUtf8(answer.body.left(200))));
}

void SoakClient::connectionLost(const QString &why)
{
    closeSocket();
    // An idle keep-alive connection may close; only a request without its answer failed.
    if (m_awaitingAnswer)
        finishExchange(false, QStringLiteral("connection lost before the answer: ") + why);
}

void SoakClient::finishExchange(bool ok, const QString &failure)
{
    m_awaitingAnswer = false;
    m_answerTimeout.stop();
    m_tally.latencySumMs += m_sentAt.nsecsElapsed() / 1e6;
    if (ok) {
        ++m_tally.answered;
    } else {
        ++m_tally.failed;
        if (m_tally.firstFailure.isEmpty())
            m_tally.firstFailure = failure;
        closeSocket(); // a timed-out or broken connection is not reused
    }
    if (m_stopRequested)
        halt();
    else
        m_pause.start(m_workload.pauseMs);
}

void SoakClient::halt()
{
    m_pause.stop();
    closeSocket();
    m_running = false;
}

void SoakClient::closeSocket()
{
    if (!m_socket)
        return;
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
}

EarlyLeaver::EarlyLeaver(quint16 port, int intervalMs)
    : m_port(port)
{
    m_visits.setInterval(intervalMs);
    connect(&m_visits, &QTimer::timeout, this, [this] { visit(); });
}

void EarlyLeaver::visit()
{
    static const QByteArray departureBytes[] = {
        QByteArray(),
        QByteArrayLiteral("GET /async?delay=0.05 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Ag"),
        QByteArrayLiteral("GET /async?delay=0.2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
    };
    const QByteArray bytes = departureBytes[m_departures++ % std::size(departureBytes)];
    auto *socket = new QTcpSocket(this);
    ++m_open;
    auto done = [this, socket] {
        socket->disconnect(this);
        socket->deleteLater();
        --m_open;
    };
    connect(socket, &QTcpSocket::connected, this, [socket, bytes] {
        socket->write(bytes);
        socket->disconnectFromHost(); // after the bytes are flushed
    });
    connect(socket, &QTcpSocket::disconnected, this, done);
    connect(socket, &QTcpSocket::errorOccurred, this, [this, socket, done] {
        // Errors after our own close are ours; before it, the server refused us.
        if (socket->state() != QAbstractSocket::ClosingState
            && socket->error() != QAbstractSocket::RemoteHostClosedError) {
            ++m_failed;
            if (m_firstFailure.isEmpty())
                m_firstFailure = socket->errorString();
        }
        done();
    });
    socket->connectToHost(QHostAddress::LocalHost, m_port);
}

} // namespace loopscope::bench
