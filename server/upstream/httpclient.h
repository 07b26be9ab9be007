#pragma once

#include <QCoro/QCoroTask>
#include <QObject>
#include <QString>
#include <QUrl>
#include <chrono>
#include <coroutine>
#include <deque>
#include <map>

class QAbstractSocket;

namespace loopscope::upstream {

// One response, or why there is none. A status other than 200 is still a response.
struct FetchResult
{
    int status = 0;
    QByteArray body;
    QString error; // empty when a response arrived; httpx-style ("ReadTimeout: ...")
    double seconds = 0; // from the call to the result, connection wait included

    explicit operator bool() const { return error.isEmpty(); }
};

struct FetchOptions
{
    std::chrono::milliseconds timeout { 10000 }; // the whole exchange, like asyncio.wait_for
    quint64 span = 0; // the request or task that awaits; 0: not traced
    std::uint32_t label = 0; // trace label; 0: "GET host/path"
    qint64 maxBodyBytes = 10 * 1024 * 1024; // a larger body fails the call (ResponseTooLarge)
};

// The async client handlers use, like httpx.AsyncClient: HTTP/1.1 keep-alive connections,
// pooled per host (default limit 100, httpx's; Qt 6.4's QNetworkAccessManager stops at 6),
// a timeout per request, and each call an await point in the trace. Lives on one thread (the
// server loop) and must be used only there.
class HttpClient : public QObject
{
    Q_OBJECT
public:
    explicit HttpClient(int connectionsPerHost = 100, QObject *parent = nullptr);
    ~HttpClient() override;

    QCoro::Task<FetchResult> get(QUrl url, FetchOptions options = {});

    int connectionsPerHost() const { return m_limit; }
    int openConnections() const;
    int idleConnections() const;
    quint64 connectionsOpened() const { return m_opened; }

    struct Waiter
    {
        std::coroutine_handle<> handle;
        QAbstractSocket *socket = nullptr; // a kept-alive connection handed over, or none
    };
    struct HostPool
    {
        std::deque<QAbstractSocket *> idle;
        int open = 0; // idle + in use + being opened
        std::deque<Waiter *> waiters;
    };

private:
    QCoro::Task<FetchResult> exchange(
        QUrl url, std::chrono::milliseconds timeout, qint64 maxBodyBytes);
    void release(HostPool &pool, QAbstractSocket *socket, bool reusable);

    int m_limit;
    quint64 m_opened = 0;
    std::map<QString, HostPool> m_pools;
};

// A synchronous GET on a fresh connection, like `requests.get`: blocks the calling thread.
// Usable on any thread (the loop in `blocking` variants, a pool thread in `threadpool` ones).
FetchResult blockingGet(
    const QUrl &url, std::chrono::milliseconds timeout, qint64 maxBodyBytes = 10 * 1024 * 1024);

// "GET upstream/users" style text for a URL whose host:port is `upstreamAuthority` ("GET
// host/path" otherwise).
QString requestLabelText(const QUrl &url, const QString &upstreamAuthority);

} // namespace loopscope::upstream
