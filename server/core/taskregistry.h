#pragma once

#include "canceltoken.h"

#include <QCoro/QCoroTask>
#include <QJsonArray>
#include <QObject>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <utility>

namespace loopscope {
namespace trace {
class LoopWatchdog;
}

class ServerLog;
class TaskRegistry;

// A place for one background task, taken before a request does anything the task belongs to:
// at the cap the request is refused whole instead of, say, creating a product whose task
// cannot start. Move-only; a slot never used gives its place back. Server loop only.
class TaskSlot
{
public:
    TaskSlot() = default;
    TaskSlot(TaskSlot &&other) noexcept
        : m_registry(std::exchange(other.m_registry, nullptr))
    { }
    TaskSlot &operator=(TaskSlot &&other) noexcept;
    TaskSlot(const TaskSlot &) = delete;
    TaskSlot &operator=(const TaskSlot &) = delete;
    ~TaskSlot();

    explicit operator bool() const { return m_registry != nullptr; }

private:
    friend class TaskRegistry;
    explicit TaskSlot(TaskRegistry *registry)
        : m_registry(registry)
    { }
    TaskRegistry *m_registry = nullptr;
};

// Background tasks (`asyncio.create_task`, `BackgroundTasks`) are tracked here so none is lost
// silently: each has a state, a parent request, and at shutdown a grace period, then cancellation
// and a report. Lives on the server loop.
class TaskRegistry : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Running,
        Finished,
        Failed,
        Cancelled
    };
    using Body = std::function<QCoro::Task<>(CancelToken &)>;
    // What a graceful shutdown does with a task, as uvicorn does (measured: SIGTERM to FastAPI):
    // one from asyncio.create_task() is not tracked, and is cancelled; FastAPI's BackgroundTasks
    // run as part of their response, and the server waits for them as for a request.
    enum class Lifetime
    {
        Detached, // asyncio.create_task(): the task grace, then cancelled
        WithResponse, // BackgroundTasks: waited for within the drain, like a request
    };

    struct Record
    {
        quint64 id = 0;
        QString name;
        QString parentRoute;
        QByteArray parentRequestId;
        quint64 parentSpan = 0;
        State state = State::Running;
        Lifetime lifetime = Lifetime::Detached;
        QString error;
        qint64 startedMs = 0;
        qint64 endedMs = 0;
    };

    // At most `maxRunning` tasks run (or are reserved) at once; see reserve().
    explicit TaskRegistry(ServerLog &log, int maxRunning = 10000, QObject *parent = nullptr);
    ~TaskRegistry() override;

    // A slot for a task a request wants to start, or an empty one (counted as refused) when
    // maxRunning tasks already run or are reserved.
    TaskSlot reserve();

    // Starts `body` at once in the reserved slot. The body must take what it needs by value
    // (lambda captures live in the std::function, which the registry keeps alive until the
    // task ends).
    quint64 spawn(TaskSlot slot, const QString &name, const QString &parentRoute,
        const QByteArray &parentRequestId, quint64 parentSpan, Body body,
        Lifetime lifetime = Lifetime::Detached);
    // Starts a task's own follow-up (signup's log_signup after its welcome email), whatever
    // the cap: its request was admitted with the first task, and refusing the rest would leave
    // that request's work half done. It runs as its parent ends, so each running task adds at
    // most one.
    quint64 spawnFollowUp(const QString &name, const QString &parentRoute,
        const QByteArray &parentRequestId, quint64 parentSpan, Body body,
        Lifetime lifetime = Lifetime::Detached);

    // Told of every task while it runs, so it watches the loop only while something does.
    void setLoopWatchdog(trace::LoopWatchdog *watchdog) { m_watchdog = watchdog; }

    int runningCount() const { return static_cast<int>(m_running.size()); }
    // The same count, readable from any thread: the window waits on it for a lesson's tasks.
    int runningCountFromAnyThread() const { return m_runningNow.load(std::memory_order_acquire); }
    int maxRunning() const { return m_maxRunning; }
    quint64 refusedCount() const { return m_refused; } // reserve() at the cap
    QJsonArray toJson() const;

    // A shutdown's drain: waits up to `limit` for the tasks that run with their response
    // (Lifetime::WithResponse); the others run on meanwhile.
    QCoro::Task<> awaitResponseTasks(std::chrono::milliseconds limit);
    // Waits up to `grace` for running tasks, cancels the rest and reports them in the log.
    QCoro::Task<> shutdown(std::chrono::milliseconds grace);

signals:
    void allTasksEnded();
    void responseTasksEnded(); // no Lifetime::WithResponse task runs any more

private:
    friend class TaskSlot;
    struct Running;
    quint64 start(const QString &name, const QString &parentRoute,
        const QByteArray &parentRequestId, quint64 parentSpan, Body body, Lifetime lifetime);
    bool responseTasksRunning() const;
    QCoro::Task<> run(std::shared_ptr<Running> task);
    void remember(const Record &record);

    ServerLog &m_log;
    std::vector<std::shared_ptr<Running>> m_running;
    std::atomic<int> m_runningNow { 0 }; // m_running.size(), published for other threads
    std::deque<Record> m_ended; // bounded history for /_scope/tasks
    quint64 m_nextId = 0;
    const int m_maxRunning;
    int m_reserved = 0; // slots taken by requests whose task has not started yet
    quint64 m_refused = 0;
    trace::LoopWatchdog *m_watchdog = nullptr;
};

QString taskStateName(TaskRegistry::State state);

} // namespace loopscope
