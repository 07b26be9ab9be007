#include "taskregistry.h"

#include "serverlog.h"
#include "trace/loopwatchdog.h"
#include "trace/trace.h"

#include <QCoro/QCoroSignal>
#include <QDateTime>
#include <QJsonObject>

namespace loopscope {

namespace {
constexpr std::size_t endedHistory = 1000;
}

struct TaskRegistry::Running
{
    Record record;
    std::uint64_t span = 0;
    Body body;
    CancelToken token;
};

QString taskStateName(TaskRegistry::State state)
{
    switch (state) {
    case TaskRegistry::State::Running:
        return QStringLiteral("running");
    case TaskRegistry::State::Finished:
        return QStringLiteral("finished");
    case TaskRegistry::State::Failed:
        return QStringLiteral("failed");
    case TaskRegistry::State::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

TaskSlot &TaskSlot::operator=(TaskSlot &&other) noexcept
{
    if (this != &other) {
        TaskSlot released(std::move(*this));
        m_registry = std::exchange(other.m_registry, nullptr);
    }
    return *this;
}

TaskSlot::~TaskSlot()
{
    if (m_registry)
        --m_registry->m_reserved;
}

TaskRegistry::TaskRegistry(ServerLog &log, int maxRunning, QObject *parent)
    : QObject(parent)
    , m_log(log)
    , m_maxRunning(maxRunning)
{ }

TaskRegistry::~TaskRegistry()
{
    // Suspended task frames cannot be destroyed from outside; cancelling resumes them so they
    // unwind and free themselves before the loop goes away.
    const auto running = m_running;
    for (const auto &task : running)
        task->token.cancel();
}

TaskSlot TaskRegistry::reserve()
{
    if (static_cast<int>(m_running.size()) + m_reserved >= m_maxRunning) {
        ++m_refused;
        return {};
    }
    ++m_reserved;
    return TaskSlot(this);
}

quint64 TaskRegistry::spawn(TaskSlot slot, const QString &name, const QString &parentRoute,
    const QByteArray &parentRequestId, quint64 parentSpan, Body body, Lifetime lifetime)
{
    Q_ASSERT(slot.m_registry == this);
    // The task takes the slot's place in the count.
    slot.m_registry = nullptr;
    --m_reserved;
    return start(name, parentRoute, parentRequestId, parentSpan, std::move(body), lifetime);
}

quint64 TaskRegistry::spawnFollowUp(const QString &name, const QString &parentRoute,
    const QByteArray &parentRequestId, quint64 parentSpan, Body body, Lifetime lifetime)
{
    return start(name, parentRoute, parentRequestId, parentSpan, std::move(body), lifetime);
}

quint64 TaskRegistry::start(const QString &name, const QString &parentRoute,
    const QByteArray &parentRequestId, quint64 parentSpan, Body body, Lifetime lifetime)
{
    auto task = std::make_shared<Running>();
    task->record.id = ++m_nextId;
    task->record.name = name;
    task->record.parentRoute = parentRoute;
    task->record.parentRequestId = parentRequestId;
    task->record.parentSpan = parentSpan;
    task->record.lifetime = lifetime;
    task->record.startedMs = QDateTime::currentMSecsSinceEpoch();
    task->body = std::move(body);
    task->span = trace::newSpanId();
    const QByteArray nameText = name.toUtf8();
    trace::record(trace::Kind::TaskSpawned, task->span,
        trace::label(std::string_view(nameText.constData(), nameText.size())), parentSpan);
    m_running.push_back(task);
    m_runningNow.store(int(m_running.size()), std::memory_order_release);
    run(std::move(task));
    return m_nextId;
}

QCoro::Task<> TaskRegistry::run(std::shared_ptr<Running> task)
{
    const trace::LoopWork work(m_watchdog);
    try {
        co_await task->body(task->token);
        task->record.state = State::Finished;
    } catch (const TaskCancelled &) {
        task->record.state = State::Cancelled;
    } catch (const std::exception &error) {
        task->record.state = State::Failed;
        task->record.error = QString::fromUtf8(error.what());
    } catch (...) {
        task->record.state = State::Failed;
        task->record.error = QStringLiteral("unknown exception");
    }
    task->record.endedMs = QDateTime::currentMSecsSinceEpoch();
    trace::record(task->record.state == State::Finished ? trace::Kind::TaskFinished
            : task->record.state == State::Cancelled    ? trace::Kind::TaskCancelled
                                                        : trace::Kind::TaskFailed,
        task->span);
    if (task->record.state == State::Failed) {
        m_log.error(QStringLiteral("background task %1 (from %2) failed: %3")
                        .arg(task->record.name, task->record.parentRoute, task->record.error));
    }
    remember(task->record);
    std::erase(m_running, task);
    m_runningNow.store(int(m_running.size()), std::memory_order_release);
    // A follow-up started by the body above runs already: the response's work is not over.
    if (task->record.lifetime == Lifetime::WithResponse && !responseTasksRunning())
        emit responseTasksEnded();
    if (m_running.empty())
        emit allTasksEnded();
}

bool TaskRegistry::responseTasksRunning() const
{
    return std::any_of(m_running.begin(), m_running.end(),
        [](const auto &task) { return task->record.lifetime == Lifetime::WithResponse; });
}

QCoro::Task<> TaskRegistry::awaitResponseTasks(std::chrono::milliseconds limit)
{
    if (!responseTasksRunning())
        co_return;
    m_log.info(QStringLiteral("waiting up to %1 ms for the background tasks of answered requests")
                   .arg(limit.count()));
    co_await qCoro(this, &TaskRegistry::responseTasksEnded, limit);
}

void TaskRegistry::remember(const Record &record)
{
    m_ended.push_back(record);
    if (m_ended.size() > endedHistory)
        m_ended.pop_front();
}

QJsonArray TaskRegistry::toJson() const
{
    QJsonArray tasks;
    auto describe = [](const Record &r) {
        QJsonObject object { { QStringLiteral("id"), qint64(r.id) },
            { QStringLiteral("name"), r.name }, { QStringLiteral("state"), taskStateName(r.state) },
            { QStringLiteral("parent_route"), r.parentRoute },
            { QStringLiteral("parent_request_id"), QString::fromLatin1(r.parentRequestId) },
            { QStringLiteral("started_ms"), r.startedMs } };
        if (r.endedMs)
            object.insert(QStringLiteral("duration_ms"), r.endedMs - r.startedMs);
        if (!r.error.isEmpty())
            object.insert(QStringLiteral("error"), r.error);
        return object;
    };
    for (const auto &task : m_running)
        tasks.append(describe(task->record));
    for (auto it = m_ended.rbegin(); it != m_ended.rend(); ++it)
        tasks.append(describe(*it));
    return tasks;
}

QCoro::Task<> TaskRegistry::shutdown(std::chrono::milliseconds grace)
{
    if (!m_running.empty()) {
        m_log.info(QStringLiteral("waiting up to %1 ms for %2 background task(s)")
                       .arg(grace.count())
                       .arg(m_running.size()));
        co_await qCoro(this, &TaskRegistry::allTasksEnded, grace);
    }
    const auto leftovers = m_running;
    for (const auto &task : leftovers) {
        m_log.warning(
            QStringLiteral("cancelled background task %1 (from %2, request %3) at shutdown")
                .arg(task->record.name, task->record.parentRoute,
                    QString::fromLatin1(task->record.parentRequestId)));
        task->token.cancel();
    }
}

} // namespace loopscope
