#pragma once

#include "canceltoken.h"
#include "sleepqueue.h"

#include <QtCore/QObject>

#include <chrono>
#include <coroutine>
#include <memory>

namespace loopscope {

// `co_await PreciseSleep(2s)`: a non-blocking wait on the current thread's loop. QCoro's
// sleepFor uses a coarse timer (a 2 s sleep measured 1.90 s); the durations here are shown to
// the user, so they use a precise one, the thread's SleepQueue. With a token, cancellation
// resumes early and throws TaskCancelled.
class PreciseSleep
{
public:
    explicit PreciseSleep(std::chrono::milliseconds duration, CancelToken *token = nullptr)
        : m_duration(duration)
        , m_token(token)
    { }
    // Moved only before it is awaited (GCC 12 moves the temporary of `co_await PreciseSleep(..)`):
    // nothing is queued until await_suspend, so there is no state to carry.
    PreciseSleep(PreciseSleep &&other) noexcept
        : m_duration(other.m_duration)
        , m_token(other.m_token)
    { }
    PreciseSleep(const PreciseSleep &) = delete;
    PreciseSleep &operator=(const PreciseSleep &) = delete;
    // A coroutine destroyed while it sleeps must not be woken.
    ~PreciseSleep()
    {
        if (m_sleeper.queued)
            SleepQueue::forThisThread().withdraw(m_entry);
    }

    bool await_ready() const noexcept
    {
        // A zero duration still suspends: it yields one loop iteration to others.
        return (m_token && m_token->isCancelled()) || m_duration.count() < 0;
    }

    void await_suspend(std::coroutine_handle<> awaiting)
    {
        SleepQueue &queue = SleepQueue::forThisThread();
        m_sleeper.awaiting = awaiting;
        m_entry = queue.add(SleepQueue::Clock::now() + m_duration, &m_sleeper);
        if (m_token) {
            // The context dies with this awaiter, and the connection with it.
            m_cancelContext = std::make_unique<QObject>();
            QObject::connect(m_token, &CancelToken::cancelled, m_cancelContext.get(), [this] {
                if (!m_sleeper.queued)
                    return;
                SleepQueue::forThisThread().withdraw(m_entry);
                m_sleeper.awaiting.resume();
            });
        }
    }

    void await_resume() const
    {
        if (m_token && m_token->isCancelled())
            throw TaskCancelled();
    }

private:
    std::chrono::milliseconds m_duration;
    CancelToken *m_token;
    SleepQueue::Sleeper m_sleeper;
    SleepQueue::Entry m_entry {};
    std::unique_ptr<QObject> m_cancelContext; // only for a sleep that a token can cut short
};

} // namespace loopscope
