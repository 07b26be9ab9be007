#include "serverhost.h"

#include "core/crossthread.h"
#include "core/epolldispatcher.h"
#include "serverruntime.h"
#include "trace/loopwatchdog.h"
#include "trace/tracehub.h"

#include <QCoro/QCoroTask>
#include <future>

namespace loopscope {

ServerHost::ServerHost(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
    m_thread.setObjectName(QStringLiteral("server loop"));
}

ServerHost::~ServerHost()
{
    stop();
}

QString ServerHost::url() const
{
    const QString host = m_address.protocol() == QAbstractSocket::IPv6Protocol
        ? u'[' + m_address.toString() + u']'
        : m_address.toString();
    return QStringLiteral("http://%1:%2").arg(host).arg(m_port);
}

const http::ConnectionStats *ServerHost::stats() const
{
    return m_runtime ? &m_runtime->stats() : nullptr;
}

qint64 ServerHost::loopLagNs() const
{
    return m_runtime && m_runtime->watchdog() ? m_runtime->watchdog()->lagNs() : 0;
}

bool ServerHost::loopStalled() const
{
    return m_runtime && m_runtime->watchdog() && m_runtime->watchdog()->stalled();
}

int ServerHost::backgroundTasksRunning() const
{
    return m_runtime ? m_runtime->tasks().runningCountFromAnyThread() : 0;
}

Result ServerHost::start()
{
    if (m_runtime)
        return {};
    if (!trace::TraceHub::instance().isRunning())
        trace::TraceHub::instance().start();
    // A plain object on the server thread to post work to; it exists before the thread's loop.
    m_anchor = new QObject;
    m_anchor->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_anchor, &QObject::deleteLater);
    // Each start needs its own: the thread deletes its dispatcher as it finishes.
    m_thread.setEventDispatcher(new EpollEventDispatcher);
    m_thread.start();
    // Build the runtime on its own thread so every QObject in it belongs to the server loop. The
    // hand-over and hand-back (postTo, std::promise) are synchronisation thread sanitizers see.
    struct Started
    {
        ServerRuntime *runtime = nullptr;
        Result result;
        QHostAddress address;
        quint16 port = 0;
        std::shared_ptr<std::atomic<bool>> stopping;
    };
    auto startedPromise = std::make_shared<std::promise<Started>>();
    std::future<Started> startedFuture = startedPromise->get_future();
    postTo(m_anchor, [this, startedPromise] {
        Started started;
        started.runtime = new ServerRuntime(m_config, m_log, m_modes, m_settings, m_exchanges);
        started.result = started.runtime->start();
        if (started.result) {
            started.address = started.runtime->address();
            started.port = started.runtime->port();
            started.stopping = started.runtime->stoppingFlag();
        } else {
            delete started.runtime;
            started.runtime = nullptr;
        }
        startedPromise->set_value(std::move(started));
    });
    Started started = startedFuture.get();
    ServerRuntime *runtime = started.runtime;
    m_address = started.address;
    m_port = started.port;
    if (!runtime) {
        m_thread.quit();
        m_thread.wait();
        m_anchor = nullptr;
        return started.result;
    }
    m_runtime = runtime;
    m_stopping = std::move(started.stopping);
    ++m_starts;
    trace::record(trace::Kind::ServerStarted, 0);
    return {};
}

std::future<void> ServerHost::beginStop()
{
    ServerRuntime *runtime = m_runtime;
    m_runtime = nullptr;
    trace::record(trace::Kind::ServerStopping, 0);
    auto stoppedPromise = std::make_shared<std::promise<void>>();
    std::future<void> stopped = stoppedPromise->get_future();
    postTo(m_anchor, [runtime, this, stoppedPromise] {
        [](ServerRuntime *runtime, QThread *thread,
            std::shared_ptr<std::promise<void>> done) -> QCoro::Task<> {
            co_await runtime->shutdown();
            delete runtime;
            thread->quit();
            done->set_value();
        }(runtime, &m_thread, stoppedPromise);
    });
    return stopped;
}

void ServerHost::finishStop()
{
    m_thread.wait();
    m_anchor = nullptr; // deleted as the thread finished
}

bool ServerHost::stop()
{
    if (m_abandoned)
        return false;
    std::future<void> stopped;
    if (m_restartPoll) {
        // Stopped in the middle of a restart: its stop goes on here, blocking, and no start.
        delete m_restartPoll;
        m_restartPoll = nullptr;
        stopped = std::move(m_pendingStop);
    } else if (!m_runtime) {
        if (m_thread.isRunning()) {
            m_thread.quit();
            m_thread.wait();
        }
        return true;
    } else {
        stopped = beginStop();
    }
    const auto since = std::chrono::steady_clock::now();
    while (stopped.wait_for(kStopPoll) != std::future_status::ready) {
        if (!pressStop(std::chrono::steady_clock::now() - since))
            return false;
    }
    finishStop();
    return true;
}

bool ServerHost::pressStop(std::chrono::steady_clock::duration waited)
{
    // The runtime sets it too at the drain timeout, unless a blocking handler holds its loop.
    if (waited >= m_config.drainTimeout)
        m_stopping->store(true);
    if (waited < m_config.stopDeadline())
        return true;
    m_abandoned = true;
    return false;
}

void ServerHost::restart(std::function<void(Result)> done)
{
    if (m_abandoned || !m_runtime || m_restartPoll) {
        done(Result::failure(ErrorKind::Io, QStringLiteral("the server is not running")));
        return;
    }
    // The same address and port: the clients, the load panel and the window's title keep them.
    m_config.address = m_address;
    m_config.port = m_port;
    m_pendingStop = beginStop();
    const auto since = std::chrono::steady_clock::now();
    // Polled, not waited for: the caller's loop goes on drawing the shutdown as it happens.
    m_restartPoll = new QTimer(this);
    m_restartPoll->setInterval(kStopPoll);
    connect(m_restartPoll, &QTimer::timeout, this, [this, since, done = std::move(done)] {
        if (m_pendingStop.wait_for(std::chrono::seconds(0)) != std::future_status::ready
            && pressStop(std::chrono::steady_clock::now() - since))
            return;
        m_restartPoll->deleteLater();
        m_restartPoll = nullptr;
        m_pendingStop = {};
        if (m_abandoned) {
            done(Result::failure(ErrorKind::Io,
                QStringLiteral("the server did not stop within %1 ms")
                    .arg(m_config.stopDeadline().count())));
            return;
        }
        finishStop();
        done(start());
    });
    m_restartPoll->start();
}

} // namespace loopscope
