#pragma once

#include "canceltoken.h"

#include <QCoro/QCoroTask>
#include <QJsonArray>
#include <QObject>
#include <deque>
#include <functional>
#include <memory>

namespace loopscope {
namespace trace {
class LoopWatchdog;
}

class ServerLog;

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

    struct Record
    {
        quint64 id = 0;
        QString name;
        QString parentRoute;
        QByteArray parentRequestId;
        quint64 parentSpan = 0;
        State state = State::Running;
        QString error;
        qint64 startedMs = 0;
        qint64 endedMs = 0;
    };

    explicit TaskRegistry(ServerLog &log, QObject *parent = nullptr);
    ~TaskRegistry() override;

    // Starts `body` at once. The body must take what it needs by value (lambda captures live in
    // the std::function, which the registry keeps alive until the task ends).
    quint64 spawn(const QString &name, const QString &parentRoute,
        const QByteArray &parentRequestId, quint64 parentSpan, Body body);

    // Told of every task while it runs, so it watches the loop only while something does.
    void setLoopWatchdog(trace::LoopWatchdog *watchdog) { m_watchdog = watchdog; }

    int runningCount() const { return static_cast<int>(m_running.size()); }
    QJsonArray toJson() const;

    // Waits up to `grace` for running tasks, cancels the rest and reports them in the log.
    QCoro::Task<> shutdown(std::chrono::milliseconds grace);

signals:
    void allTasksEnded();

private:
    struct Running;
    QCoro::Task<> run(std::shared_ptr<Running> task);
    void remember(const Record &record);

    ServerLog &m_log;
    std::vector<std::shared_ptr<Running>> m_running;
    std::deque<Record> m_ended; // bounded history for /_scope/tasks
    quint64 m_nextId = 0;
    trace::LoopWatchdog *m_watchdog = nullptr;
};

QString taskStateName(TaskRegistry::State state);

} // namespace loopscope
