#pragma once

#include <QCoro/QCoroFuture>
#include <QCoro/QCoroTask>
#include <QFutureInterface>
#include <QRunnable>
#include <QThreadPool>
#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>

namespace loopscope {

// Hands a job to a QThreadPool thread and its result back to the awaiting coroutine.
//
// Qt's own queue and wake-up are a mutex the thread sanitizer cannot see in Debian's Qt, so on
// their own they order nothing it knows of: whatever the job captured (made on the loop) and
// whatever it returns (made on the pool thread) would read as racing. Two atomics carry that
// order instead, one each way, and they are the whole contract: the job is complete before it
// is published, and its result is complete before it is marked done. Qt's mechanisms then only
// wake threads.
template <typename Result> class PoolHandoff
{
public:
    template <typename Job> static QCoro::Task<Result> run(QThreadPool &pool, Job job)
    {
        auto state = std::make_shared<State>();
        state->finished.reportStarted();
        const QFuture<void> finished = state->finished.future();
        auto *runnable = new Runnable<Job>(std::move(job), state);
        runnable->publish();
        pool.start(runnable);
        co_await finished;
        co_return state->take();
    }

private:
    struct Value
    {
        std::optional<Result> value;
        void set(auto &job) { value.emplace(job()); }
        Result take() { return std::move(*value); }
    };
    struct Nothing
    {
        void set(auto &job) { job(); }
        void take() { }
    };

    struct State
    {
        std::atomic<bool> done = false;
        std::conditional_t<std::is_void_v<Result>, Nothing, Value> result;
        std::exception_ptr error;
        QFutureInterface<void> finished;

        Result take()
        {
            (void)done.load(std::memory_order_acquire);
            if (error)
                std::rethrow_exception(error);
            return result.take();
        }
    };

    template <typename Job> class Runnable final : public QRunnable
    {
    public:
        Runnable(Job job, std::shared_ptr<State> state)
            : m_job(std::move(job))
            , m_state(std::move(state))
        { }
        // The last write before the pool may see it; run()'s first read is its pair.
        void publish() { m_published.store(true, std::memory_order_release); }
        void run() override
        {
            (void)m_published.load(std::memory_order_acquire);
            try {
                m_state->result.set(m_job);
            } catch (...) {
                m_state->error = std::current_exception();
            }
            m_state->done.store(true, std::memory_order_release);
            m_state->finished.reportFinished();
        }

    private:
        std::atomic<bool> m_published = false;
        Job m_job;
        std::shared_ptr<State> m_state;
    };
};

} // namespace loopscope
