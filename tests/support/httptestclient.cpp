#include "httptestclient.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QTcpSocket>
#include <chrono>
#include <memory>
#include <vector>

namespace loopscope::testing {

QByteArray TestResponse::header(const QByteArray &lowerCaseName) const
{
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == lowerCaseName)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

namespace {

// The body of a chunked answer starting at `pos`; returns where the answer ends, or -1 while it
// is incomplete (or malformed: the test then sees an incomplete answer).
qsizetype decodeChunked(const QByteArray &stream, qsizetype pos, QByteArray *body)
{
    body->clear();
    for (;;) {
        const qsizetype lineEnd = stream.indexOf("\r\n", pos);
        if (lineEnd < 0)
            return -1;
        bool ok = false;
        const qint64 size
            = stream.mid(pos, lineEnd - pos).split(';').constFirst().toLongLong(&ok, 16);
        if (!ok || size < 0)
            return -1;
        pos = lineEnd + 2;
        if (size == 0)
            return stream.mid(pos, 2) == "\r\n" ? pos + 2 : -1; // no trailers from our server
        if (stream.size() - pos < size + 2)
            return -1;
        body->append(stream.constData() + pos, size);
        pos += size + 2;
    }
}

} // namespace

QList<TestResponse> splitResponses(const QByteArray &stream)
{
    QList<TestResponse> responses;
    qsizetype pos = 0;
    while (pos < stream.size()) {
        const qsizetype headEnd = stream.indexOf("\r\n\r\n", pos);
        if (headEnd < 0)
            break;
        TestResponse response;
        response.head = stream.mid(pos, headEnd - pos);
        const QList<QByteArray> statusLine
            = response.head.left(response.head.indexOf('\r')).split(' ');
        response.status = statusLine.size() > 1 ? statusLine.at(1).toInt() : 0;
        if (response.header("transfer-encoding").toLower() == "chunked") {
            const qsizetype end = decodeChunked(stream, headEnd + 4, &response.body);
            if (end < 0)
                break;
            response.complete = true;
            responses << response;
            pos = end;
            continue;
        }
        const qsizetype length = response.header("content-length").toLongLong();
        if (stream.size() - (headEnd + 4) < length)
            break;
        response.body = stream.mid(headEnd + 4, length);
        response.complete = true;
        responses << response;
        pos = headEnd + 4 + length;
    }
    return responses;
}

RawExchange exchange(quint16 port, const QByteArray &bytes, int responses, int timeoutMs)
{
    RawExchange result;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(timeoutMs))
        return result;
    socket.write(bytes);
    QByteArray received;
    QDeadlineTimer deadline(timeoutMs);
    while (splitResponses(received).size() < responses && !deadline.hasExpired()) {
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0)
            break;
        socket.waitForReadyRead(static_cast<int>(qMin<qint64>(deadline.remainingTime(), 100)));
        received += socket.readAll();
    }
    // A server that closes after its answer does so at once; give it a moment to show it.
    if (socket.state() == QAbstractSocket::ConnectedState)
        socket.waitForDisconnected(300);
    received += socket.readAll();
    result.responses = splitResponses(received);
    result.closedByServer = socket.state() != QAbstractSocket::ConnectedState;
    return result;
}

TestResponse fetch(quint16 port, const QByteArray &method, const QByteArray &target,
    const QByteArray &body, int timeoutMs)
{
    QByteArray request
        = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    // The bodies the suites send are JSON (the control API refuses others with a 415); the CSV
    // import reads its body whatever its declared type.
    if (!body.isEmpty())
        request += "Content-Type: application/json\r\n";
    request += "\r\n" + body;
    const RawExchange result = exchange(port, request, 1, timeoutMs);
    return result.responses.isEmpty() ? TestResponse {} : result.responses.constFirst();
}

QList<TestResponse> fetchConcurrently(quint16 port, const QByteArray &method,
    const QByteArray &target, int count, int timeoutMs, const QByteArray &requestIdPrefix,
    bool sendSentTime)
{
    const auto steadyNs = [] {
        return qint64(std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::steady_clock::now().time_since_epoch())
                          .count());
    };
    QElapsedTimer timer;
    timer.start();
    struct Client
    {
        std::unique_ptr<QTcpSocket> socket;
        QByteArray received;
        qint64 sentNs = 0;
        qint64 receivedNs = 0;
    };
    std::vector<Client> clients(std::size_t(qMax(count, 0)));
    for (int i = 0; i < count; ++i) {
        Client &client = clients[std::size_t(i)];
        client.socket = std::make_unique<QTcpSocket>();
        client.socket->connectToHost(QHostAddress::LocalHost, port);
        client.socket->waitForConnected(5000);
        QByteArray request = method + ' ' + target
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n";
        if (!requestIdPrefix.isEmpty())
            request += "X-Request-Id: " + requestIdPrefix + QByteArray::number(i) + "\r\n";
        client.sentNs = steadyNs();
        if (sendSentTime)
            request += "X-Loopscope-Sent: " + QByteArray::number(client.sentNs) + "\r\n";
        client.socket->write(request + "\r\n");
        client.socket->flush();
    }
    // Round robin with a short wait each: one slow answer does not hide the others' arrival.
    int open = count;
    while (open > 0 && timer.elapsed() < timeoutMs) {
        for (Client &client : clients) {
            if (client.receivedNs)
                continue;
            client.socket->waitForReadyRead(1);
            client.received += client.socket->readAll();
            if (client.socket->state() != QAbstractSocket::ConnectedState) {
                client.received += client.socket->readAll();
                client.receivedNs = steadyNs();
                --open;
            }
        }
    }
    QList<TestResponse> responses;
    for (Client &client : clients) {
        client.received += client.socket->readAll();
        const auto split = splitResponses(client.received);
        TestResponse response = split.isEmpty() ? TestResponse {} : split.constFirst();
        response.sentNs = client.sentNs;
        response.receivedNs = client.receivedNs;
        responses << response;
    }
    return responses;
}

} // namespace loopscope::testing
