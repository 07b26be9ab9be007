#include "fixeddelayserver.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <deque>
#include <future>
#include <memory>
#include <vector>

#include <sys/eventfd.h>
#include <unistd.h>

namespace loopscope::testsupport {

namespace {

qint64 nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Rounded up: an answer due this many whole milliseconds after it arrived is never early, even
// when it arrived late in a millisecond.
qint64 nowMsRoundedUp()
{
    return std::chrono::ceil<std::chrono::milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Pending
{
    quint64 seq = 0;
    bool ready = false;
    bool close = false;
    QByteArray response;
};

struct ConnectionState
{
    QTcpSocket *socket = nullptr;
    QByteArray buffer;
    std::deque<Pending> queue;
    quint64 nextSeq = 0;
    bool closing = false;
};

} // namespace

// Everything here runs on the server's thread.
class FixedDelayServerWorker : public QObject
{
public:
    explicit FixedDelayServerWorker(FixedDelayServer *owner)
        : m_owner(owner)
    { }

    bool listen(quint16 port)
    {
        m_server = new QTcpServer(this);
        m_server->setListenBacklogSize(4096);
        connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *socket = m_server->nextPendingConnection())
                accept(socket);
        });
        return m_server->listen(QHostAddress::LocalHost, port);
    }
    quint16 port() const { return m_server->serverPort(); }

    // Answers the held requests, in order per connection; a client that left has none left.
    void releaseHeld()
    {
        std::vector<Held> held;
        held.swap(m_held);
        for (const Held &h : held)
            markReady(h.state, h.seq);
    }

private:
    void accept(QTcpSocket *socket)
    {
        ++m_owner->m_connections;
        auto state = std::make_shared<ConnectionState>();
        state->socket = socket;
        connect(socket, &QTcpSocket::readyRead, socket, [this, state] { onReadyRead(state); });
        connect(socket, &QTcpSocket::disconnected, socket, [this, state] {
            // Requests of a vanished client are no longer in flight.
            m_owner->m_inFlight -= int(state->queue.size());
            state->queue.clear();
            state->socket->deleteLater();
        });
    }

    void onReadyRead(const std::shared_ptr<ConnectionState> &state)
    {
        state->buffer += state->socket->readAll();
        while (!state->closing) {
            const qsizetype headerEnd = state->buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0)
                return;
            const QList<QByteArray> lines = state->buffer.left(headerEnd).split('\n');
            const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
            qint64 contentLength = 0;
            QByteArray requestId;
            bool close = requestLine.value(2) == "HTTP/1.0";
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines[i].trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    continue;
                const QByteArray name = line.left(colon).trimmed().toLower();
                const QByteArray value = line.mid(colon + 1).trimmed();
                if (name == "content-length")
                    contentLength = value.toLongLong();
                else if (name == "x-request-id")
                    requestId = value;
                else if (name == "connection")
                    close = value.toLower().contains("close")
                        || (close && !value.toLower().contains("keep-alive"));
            }
            const qint64 total = headerEnd + 4 + contentLength;
            if (state->buffer.size() < total)
                return;
            state->buffer.remove(0, total);
            handleRequest(state, requestLine.value(0), requestLine.value(1), requestId, close);
            if (close)
                state->closing = true;
        }
    }

    void handleRequest(const std::shared_ptr<ConnectionState> &state, const QByteArray &method,
        const QByteArray &target, const QByteArray &requestId, bool close)
    {
        ++m_owner->m_requests;
        const int inFlight = ++m_owner->m_inFlight;
        int seen = m_owner->m_maxInFlight.load();
        while (inFlight > seen && !m_owner->m_maxInFlight.compare_exchange_weak(seen, inFlight)) { }

        int status = 200;
        if (target.startsWith("/status/"))
            status = target.mid(8, 3).toInt();
        QByteArray body;
        {
            std::lock_guard lock(m_owner->m_mutex);
            if (m_owner->m_record.load())
                m_owner->m_received.append({ method, target, requestId });
            body = m_owner->m_body;
        }
        Pending pending;
        pending.seq = state->nextSeq++;
        pending.close = close;
        pending.response = "HTTP/1.1 " + QByteArray::number(status)
            + " Fixture\r\nContent-Type: text/plain\r\n"
            + "Content-Length: " + QByteArray::number(body.size()) + "\r\n"
            + (close ? "Connection: close\r\n" : "Connection: keep-alive\r\n") + "\r\n" + body;
        state->queue.push_back(std::move(pending));
        schedule(state, state->queue.back().seq, nowMsRoundedUp() + m_owner->m_delayMs.load());
    }

    void schedule(const std::shared_ptr<ConnectionState> &state, quint64 seq, qint64 dueMs)
    {
        const qint64 stallBegin = m_owner->m_stallBeginMs.load();
        const qint64 stallEnd = m_owner->m_stallEndMs.load();
        if (dueMs >= stallBegin && dueMs < stallEnd)
            dueMs = stallEnd;
        const qint64 wait = dueMs - nowMs();
        if (wait <= 0) {
            if (m_owner->m_holding.load())
                m_held.push_back({ state, seq });
            else
                markReady(state, seq);
            return;
        }
        QTimer::singleShot(std::chrono::milliseconds(wait), Qt::PreciseTimer, state->socket,
            [this, state, seq, dueMs] {
                // A stall may have begun while this one waited.
                const qint64 stallBegin = m_owner->m_stallBeginMs.load();
                const qint64 stallEnd = m_owner->m_stallEndMs.load();
                if (dueMs >= stallBegin && dueMs < stallEnd && nowMs() < stallEnd)
                    schedule(state, seq, stallEnd);
                else
                    schedule(state, seq, dueMs); // ready now, or re-armed if the timer was early
            });
    }

    void markReady(const std::shared_ptr<ConnectionState> &state, quint64 seq)
    {
        for (Pending &p : state->queue) {
            if (p.seq == seq)
                p.ready = true;
        }
        // Responses leave in request order, as HTTP/1.1 requires.
        while (!state->queue.empty() && state->queue.front().ready) {
            const Pending p = std::move(state->queue.front());
            state->queue.pop_front();
            --m_owner->m_inFlight;
            state->socket->write(p.response);
            if (p.close) {
                state->socket->disconnectFromHost();
                return;
            }
        }
    }

    struct Held
    {
        std::shared_ptr<ConnectionState> state;
        quint64 seq = 0;
    };

    FixedDelayServer *m_owner;
    QTcpServer *m_server = nullptr;
    std::vector<Held> m_held; // answers due while the owner holds them
};

FixedDelayServer::FixedDelayServer(std::chrono::milliseconds delay)
    : m_delayMs(int(delay.count()))
{ }

FixedDelayServer::~FixedDelayServer()
{
    if (m_thread.joinable()) {
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_quitFd, &one, sizeof one);
        m_thread.join();
    }
    if (m_quitFd >= 0)
        ::close(m_quitFd);
    if (m_releaseFd >= 0)
        ::close(m_releaseFd);
}

bool FixedDelayServer::start(quint16 port)
{
    m_quitFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    m_releaseFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_quitFd < 0 || m_releaseFd < 0)
        return false;
    std::promise<quint16> listening;
    std::future<quint16> bound = listening.get_future();
    m_thread = std::thread([this, port, &listening] {
        QEventLoop loop;
        FixedDelayServerWorker worker(this);
        QSocketNotifier quit(qintptr(m_quitFd), QSocketNotifier::Read);
        QObject::connect(&quit, &QSocketNotifier::activated, &loop, &QEventLoop::quit);
        QSocketNotifier release(qintptr(m_releaseFd), QSocketNotifier::Read);
        QObject::connect(&release, &QSocketNotifier::activated, &worker, [this, &worker] {
            quint64 count = 0;
            [[maybe_unused]] const ssize_t n = ::read(m_releaseFd, &count, sizeof count);
            worker.releaseHeld();
        });
        const bool ok = worker.listen(port);
        listening.set_value(ok ? worker.port() : 0);
        if (ok)
            loop.exec();
    });
    m_port = bound.get();
    if (m_port == 0) {
        m_thread.join();
        return false;
    }
    return true;
}

void FixedDelayServer::setBody(const QByteArray &body)
{
    std::lock_guard lock(m_mutex);
    m_body = body;
}

void FixedDelayServer::stall(std::chrono::milliseconds after, std::chrono::milliseconds length)
{
    const qint64 begin = nowMs() + after.count();
    // End first: the window never looks open with a stale end.
    m_stallEndMs.store(begin + length.count());
    m_stallBeginMs.store(begin);
}

void FixedDelayServer::release()
{
    m_holding.store(false);
    const quint64 one = 1;
    [[maybe_unused]] const ssize_t n = ::write(m_releaseFd, &one, sizeof one);
}

QList<FixedDelayServer::Received> FixedDelayServer::received() const
{
    std::lock_guard lock(m_mutex);
    return m_received;
}

void FixedDelayServer::resetCounters()
{
    std::lock_guard lock(m_mutex);
    m_received.clear();
    m_requests = 0;
    m_maxInFlight = m_inFlight.load();
    m_connections = 0;
}

} // namespace loopscope::testsupport
