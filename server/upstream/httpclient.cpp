#include "httpclient.h"

#include "responsereader.h"
#include "trace/trace.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

namespace loopscope::upstream {

namespace {

QString secondsText(std::chrono::milliseconds timeout)
{
    return QString::number(timeout.count() / 1000.0, 'g', 4);
}

bool isHttps(const QUrl &url)
{
    return url.scheme() == u"https";
}

quint16 portOf(const QUrl &url)
{
    return quint16(url.port(isHttps(url) ? 443 : 80));
}

QByteArray requestBytes(const QUrl &url, bool keepAlive)
{
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (url.port() >= 0)
        host += ':' + QByteArray::number(url.port());
    return "GET " + target + " HTTP/1.1\r\nHost: " + host
        + "\r\nAccept: */*\r\nUser-Agent: loopscope\r\nConnection: "
        + (keepAlive ? "keep-alive" : "close") + "\r\n\r\n";
}

QString validate(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty())
        return QStringLiteral("InvalidURL: '%1'").arg(url.toString());
    if (url.scheme() != u"http" && url.scheme() != u"https")
        return QStringLiteral("UnsupportedProtocol: '%1'").arg(url.scheme());
    if (isHttps(url) && !QSslSocket::supportsSsl())
        return QStringLiteral("UnsupportedProtocol: no TLS backend for https");
    return {};
}

QAbstractSocket *newSocket(const QUrl &url)
{
    QAbstractSocket *socket = isHttps(url) ? new QSslSocket : new QTcpSocket;
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    return socket;
}

void startConnecting(QAbstractSocket *socket, const QUrl &url)
{
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        ssl->connectToHostEncrypted(url.host(), portOf(url));
    else
        socket->connectToHost(url.host(), portOf(url));
}

void discard(QAbstractSocket *socket)
{
    socket->abort();
    socket->deleteLater(); // may be inside one of its own signals
}

// Suspends until the socket is connected (TLS: encrypted) or has data, closes, fails, or the
// time runs out. Whatever comes first resumes the coroutine once.
class SocketEvent
{
public:
    enum class Wait
    {
        Connected,
        ReadyRead
    };
    enum class Result
    {
        Ready,
        Closed,
        Failed,
        TimedOut
    };

    SocketEvent(QAbstractSocket *socket, Wait wait, qint64 remainingMs)
        : m_socket(socket)
        , m_wait(wait)
        , m_remainingMs(remainingMs)
    { }
    // GCC moves the temporary of `co_await SocketEvent(..)` before awaiting it: nothing is
    // connected or started until await_suspend, so there is no state to carry.
    SocketEvent(SocketEvent &&other) noexcept
        : m_socket(other.m_socket)
        , m_wait(other.m_wait)
        , m_remainingMs(other.m_remainingMs)
    { }
    SocketEvent(const SocketEvent &) = delete;
    SocketEvent &operator=(const SocketEvent &) = delete;

    bool await_ready()
    {
        if (m_remainingMs == 0) {
            m_result = Result::TimedOut;
            return true;
        }
        if (m_wait == Wait::ReadyRead) {
            if (m_socket->bytesAvailable() > 0)
                return true;
            if (m_socket->state() != QAbstractSocket::ConnectedState) {
                m_result = Result::Closed;
                return true;
            }
        }
        return false;
    }

    void await_suspend(std::coroutine_handle<> awaiting)
    {
        m_awaiting = awaiting;
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(
            &m_timer, &QTimer::timeout, &m_timer, [this] { finish(Result::TimedOut); });
        if (m_wait == Wait::ReadyRead) {
            QObject::connect(
                m_socket, &QIODevice::readyRead, &m_timer, [this] { finish(Result::Ready); });
        } else if (auto *ssl = qobject_cast<QSslSocket *>(m_socket)) {
            QObject::connect(
                ssl, &QSslSocket::encrypted, &m_timer, [this] { finish(Result::Ready); });
            QObject::connect(
                ssl, &QSslSocket::sslErrors, &m_timer, [this] { finish(Result::Failed); });
        } else {
            QObject::connect(
                m_socket, &QAbstractSocket::connected, &m_timer, [this] { finish(Result::Ready); });
        }
        QObject::connect(
            m_socket, &QAbstractSocket::disconnected, &m_timer, [this] { finish(Result::Closed); });
        QObject::connect(m_socket, &QAbstractSocket::errorOccurred, &m_timer,
            [this](QAbstractSocket::SocketError error) {
                finish(error == QAbstractSocket::RemoteHostClosedError ? Result::Closed
                                                                       : Result::Failed);
            });
        m_timer.start(int(qMax<qint64>(1, m_remainingMs)));
    }

    Result await_resume() const { return m_result; }

private:
    void finish(Result result)
    {
        if (!m_awaiting)
            return;
        m_result = result;
        m_timer.stop();
        QObject::disconnect(m_socket, nullptr, &m_timer, nullptr);
        // Resumed from the event loop, never inside the socket's (or timer's) own signal: the
        // coroutine may abort or delete either, which Qt does not survive mid-emission.
        QMetaObject::invokeMethod(
            &m_timer, [awaiting = std::exchange(m_awaiting, {})] { awaiting.resume(); },
            Qt::QueuedConnection);
    }

    QAbstractSocket *m_socket;
    Wait m_wait;
    qint64 m_remainingMs;
    QTimer m_timer; // also the context of every connection: they die with the awaiter
    std::coroutine_handle<> m_awaiting;
    Result m_result = Result::Ready;
};

// Waits for a free connection slot of a host at its limit.
struct SlotWait
{
    HttpClient::HostPool &pool;
    HttpClient::Waiter &waiter;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> awaiting)
    {
        waiter.handle = awaiting;
        pool.waiters.push_back(&waiter);
    }
    void await_resume() const noexcept { }
};

FetchResult failure(QString error)
{
    FetchResult result;
    result.error = std::move(error);
    return result;
}

// Why a response could not be read, httpx-style. A body over the cap is its own kind of error:
// the upstream answered, but more than this server will hold for one call.
QString readError(const ResponseReader &reader, const QUrl &url)
{
    if (reader.bodyTooLarge())
        return QStringLiteral("ResponseTooLarge: the body from %1 is over the limit of %2 bytes "
                              "(--max-upstream-body-bytes)")
            .arg(url.authority())
            .arg(reader.maxBodyBytes());
    return QStringLiteral("RemoteProtocolError: %1").arg(QString::fromLatin1(reader.errorText()));
}

} // namespace

HttpClient::HttpClient(int connectionsPerHost, QObject *parent)
    : QObject(parent)
    , m_limit(qMax(1, connectionsPerHost))
{ }

HttpClient::~HttpClient()
{
    for (auto &[key, pool] : m_pools) {
        for (QAbstractSocket *socket : pool.idle)
            discard(socket);
    }
}

int HttpClient::openConnections() const
{
    int open = 0;
    for (const auto &[key, pool] : m_pools)
        open += pool.open;
    return open;
}

int HttpClient::idleConnections() const
{
    int idle = 0;
    for (const auto &[key, pool] : m_pools)
        idle += int(pool.idle.size());
    return idle;
}

QCoro::Task<FetchResult> HttpClient::get(QUrl url, FetchOptions options)
{
    QElapsedTimer clock;
    clock.start();
    std::uint32_t label = options.label;
    if (options.span && !label) {
        const QByteArray text = requestLabelText(url, {}).toUtf8();
        label = trace::label(std::string_view(text.constData(), size_t(text.size())));
    }
    if (options.span)
        trace::record(trace::Kind::AwaitSuspend, options.span, label);
    FetchResult result = co_await exchange(std::move(url), options.timeout, options.maxBodyBytes);
    if (options.span)
        trace::record(trace::Kind::AwaitResume, options.span, label);
    result.seconds = clock.nsecsElapsed() / 1e9;
    co_return result;
}

QCoro::Task<FetchResult> HttpClient::exchange(
    QUrl url, std::chrono::milliseconds timeout, qint64 maxBodyBytes)
{
    if (const QString invalid = validate(url); !invalid.isEmpty())
        co_return failure(invalid);
    const QDeadlineTimer deadline(timeout);
    const QString key = url.scheme() + u"://" + url.host() + u':' + QString::number(portOf(url));
    HostPool &pool = m_pools[key]; // std::map: stable while other entries are added
    const QByteArray request = requestBytes(url, true);

    for (int attempt = 0; attempt < 2; ++attempt) {
        QAbstractSocket *socket = nullptr;
        bool reused = false;
        while (!pool.idle.empty()) {
            QAbstractSocket *candidate = pool.idle.front();
            pool.idle.pop_front();
            // A server may have closed an idle connection (or sent junk) meanwhile.
            if (candidate->state() == QAbstractSocket::ConnectedState
                && candidate->bytesAvailable() == 0) {
                socket = candidate;
                reused = true;
                break;
            }
            discard(candidate);
            --pool.open;
        }
        if (!socket) {
            if (pool.open >= m_limit) {
                Waiter waiter;
                co_await SlotWait { pool, waiter }; // the slot is ours when resumed
                socket = waiter.socket;
                reused = socket != nullptr;
            } else {
                ++pool.open;
            }
        }
        if (!socket) {
            socket = newSocket(url);
            ++m_opened;
            startConnecting(socket, url);
            const auto connected = co_await SocketEvent(
                socket, SocketEvent::Wait::Connected, deadline.remainingTime());
            if (connected != SocketEvent::Result::Ready) {
                const QString why = connected == SocketEvent::Result::TimedOut
                    ? QStringLiteral("ConnectTimeout: no connection to %1 within %2 s")
                          .arg(url.authority(), secondsText(timeout))
                    : QStringLiteral("ConnectError: %1").arg(socket->errorString());
                release(pool, socket, false);
                co_return failure(why);
            }
        }

        socket->write(request);
        ResponseReader reader(maxBodyBytes);
        bool received = false;
        while (reader.state() == ResponseReader::State::NeedMore) {
            if (socket->bytesAvailable() > 0) {
                received = true;
                reader.feed(socket->readAll());
                continue;
            }
            const auto event = co_await SocketEvent(
                socket, SocketEvent::Wait::ReadyRead, deadline.remainingTime());
            if (event == SocketEvent::Result::TimedOut) {
                release(pool, socket, false);
                co_return failure(QStringLiteral("ReadTimeout: no response from %1 within %2 s")
                                      .arg(url.authority(), secondsText(timeout)));
            }
            if (event != SocketEvent::Result::Ready && socket->bytesAvailable() == 0)
                reader.finishAtClose();
        }
        if (reader.state() == ResponseReader::State::Complete) {
            release(pool, socket,
                reader.keepAlive() && reader.leftover() == 0
                    && socket->state() == QAbstractSocket::ConnectedState);
            FetchResult result;
            result.status = reader.status();
            result.body = reader.body();
            co_return result;
        }
        const QString why = readError(reader, url);
        const bool retry = reused && !received && attempt == 0 && deadline.remainingTime() != 0;
        release(pool, socket, false);
        if (!retry)
            co_return failure(why);
        // A kept-alive connection the server had already dropped: one more try on a new one,
        // as httpx does.
    }
    co_return failure(QStringLiteral("RemoteProtocolError: unreachable"));
}

void HttpClient::release(HostPool &pool, QAbstractSocket *socket, bool reusable)
{
    if (!reusable)
        discard(socket);
    if (!pool.waiters.empty()) {
        Waiter *waiter = pool.waiters.front();
        pool.waiters.pop_front();
        waiter->socket = reusable ? socket : nullptr; // the slot passes on either way
        waiter->handle.resume();
        return;
    }
    if (reusable)
        pool.idle.push_back(socket);
    else
        --pool.open;
}

FetchResult blockingGet(const QUrl &url, std::chrono::milliseconds timeout, qint64 maxBodyBytes)
{
    QElapsedTimer clock;
    clock.start();
    auto finish = [&clock](FetchResult result) {
        result.seconds = clock.nsecsElapsed() / 1e9;
        return result;
    };
    if (const QString invalid = validate(url); !invalid.isEmpty())
        return finish(failure(invalid));
    const QDeadlineTimer deadline(timeout);
    std::unique_ptr<QAbstractSocket> socket(newSocket(url));
    startConnecting(socket.get(), url);
    auto *ssl = qobject_cast<QSslSocket *>(socket.get());
    const bool connected = ssl ? ssl->waitForEncrypted(int(deadline.remainingTime()))
                               : socket->waitForConnected(int(deadline.remainingTime()));
    if (!connected) {
        return finish(failure(socket->error() == QAbstractSocket::SocketTimeoutError
                ? QStringLiteral("ConnectTimeout: no connection to %1 within %2 s")
                      .arg(url.authority(), secondsText(timeout))
                : QStringLiteral("ConnectError: %1").arg(socket->errorString())));
    }
    socket->write(requestBytes(url, false));
    ResponseReader reader(maxBodyBytes);
    while (reader.state() == ResponseReader::State::NeedMore) {
        if (socket->bytesAvailable() > 0) {
            reader.feed(socket->readAll());
            continue;
        }
        const qint64 remaining = deadline.remainingTime();
        if (remaining == 0
            || (!socket->waitForReadyRead(int(remaining)) && socket->bytesAvailable() == 0)) {
            if (socket->state() == QAbstractSocket::ConnectedState || remaining == 0
                || socket->error() == QAbstractSocket::SocketTimeoutError) {
                return finish(failure(QStringLiteral("ReadTimeout: no response from %1 within %2 s")
                                          .arg(url.authority(), secondsText(timeout))));
            }
            reader.finishAtClose();
        }
    }
    if (reader.state() != ResponseReader::State::Complete)
        return finish(failure(readError(reader, url)));
    FetchResult result;
    result.status = reader.status();
    result.body = reader.body();
    return finish(std::move(result));
}

QString requestLabelText(const QUrl &url, const QString &upstreamAuthority)
{
    const QString authority = url.authority();
    const QString host = !upstreamAuthority.isEmpty() && authority == upstreamAuthority
        ? QStringLiteral("upstream")
        : authority;
    return QStringLiteral("GET ") + host + url.path();
}

} // namespace loopscope::upstream
