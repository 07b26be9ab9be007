#pragma once

#include "core/modetable.h"
#include "core/result.h"
#include "core/serverlog.h"
#include "http/exchangelog.h"
#include "routing/settingtable.h"
#include "serverconfig.h"

#include <QObject>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>

namespace loopscope {

class ServerRuntime;
namespace http {
struct ConnectionStats;
}

// Runs the server on its own thread with its own event loop, so a blocked server loop never
// freezes the window. Created and driven from the GUI or main thread.
class ServerHost : public QObject
{
    Q_OBJECT
public:
    explicit ServerHost(ServerConfig config, QObject *parent = nullptr);
    ~ServerHost() override;

    // Starts the thread and binds; returns once it accepts connections or has failed. A
    // BadArgument failure means the configuration, not the machine, is at fault.
    Result start();
    QHostAddress address() const { return m_address; }
    quint16 port() const { return m_port; }
    QString url() const;

    const ServerConfig &config() const { return m_config; }
    ModeTable &modes() { return m_modes; }
    // Live settings by name (GIL, database pooling, the upstream simulator); empty until start().
    SettingTable &settings() { return m_settings; }
    ServerLog &log() { return m_log; }
    // Recent requests and answers for the inspector; off until enabled (it costs the loop time).
    http::ExchangeLog &exchanges() { return m_exchanges; }
    const http::ConnectionStats *stats() const;
    // Latest heartbeat lag of the server loop and whether it is stalled right now (any thread).
    qint64 loopLagNs() const;
    bool loopStalled() const;
    // Background tasks running now (any thread): a lesson is over once its tasks are.
    int backgroundTasksRunning() const;
    // The thread the server loop runs on: tests put probes on it (an EventLoopChecker).
    QThread *loopThread() { return &m_thread; }

    // Graceful stop (see ServerRuntime::shutdown); blocks until the server thread has ended, or
    // config().stopDeadline() passed. At the drain timeout the work in flight is cancelled from
    // here, as the server loop may itself be blocked by it. False when the deadline passed: the
    // thread cannot be destroyed while it runs, so the caller must end the process.
    bool stop();
    // A deploy: stops the server as stop() does (requests drained, background tasks given their
    // grace, then cancelled) and starts it again on the same address and port, without blocking
    // the calling thread, whose event loop must run. `done` is called on it with the start's
    // result. Meanwhile the server reads as stopped (stats() null, no tasks running). Variants
    // survive (the ModeTable is the host's); live settings start again from the configuration.
    void restart(std::function<void(Result)> done);
    bool isRunning() const { return m_runtime != nullptr; }
    bool isRestarting() const { return m_restartPoll != nullptr; }
    // How many times the server started: its counters (stats()) start again from zero each time.
    int starts() const { return m_starts; }

private:
    // stop()'s first half: the runtime's shutdown posted to the server loop; the future is set
    // once the runtime is gone and the loop told to quit.
    std::future<void> beginStop();
    // stop()'s last half, once that future is set.
    void finishStop();
    // The one rule for a stop's deadlines, followed by stop() (blocking) and restart() (polled),
    // `waited` after the stop began: from the drain timeout on, the work in flight is cancelled
    // from here, as the server loop may itself be blocked by it; at config().stopDeadline() the
    // server thread is given up. False once given up.
    bool pressStop(std::chrono::steady_clock::duration waited);
    // How often a stop in progress is looked at.
    static constexpr std::chrono::milliseconds kStopPoll { 10 };

    ServerConfig m_config;
    ModeTable m_modes;
    SettingTable m_settings;
    ServerLog m_log;
    http::ExchangeLog m_exchanges;
    QThread m_thread;
    ServerRuntime *m_runtime = nullptr; // lives on m_thread
    std::shared_ptr<std::atomic<bool>> m_stopping; // ServerRuntime::stoppingFlag()
    bool m_abandoned = false; // stop() gave up on the server thread
    QObject *m_anchor = nullptr; // lives on m_thread
    QHostAddress m_address;
    quint16 m_port = 0;
    QTimer *m_restartPoll = nullptr; // while restart() waits for the stop
    std::future<void> m_pendingStop; // restart()'s stop
    int m_starts = 0;
};

} // namespace loopscope
