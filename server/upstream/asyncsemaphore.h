#pragma once

#include <coroutine>
#include <deque>

namespace loopscope::upstream {

// asyncio.Semaphore for coroutines on one thread: `co_await sem.acquire()` suspends while all
// permits are taken; release() hands the permit straight to the oldest waiter.
class AsyncSemaphore
{
public:
    explicit AsyncSemaphore(int permits)
        : m_free(permits)
    { }
    AsyncSemaphore(const AsyncSemaphore &) = delete;
    AsyncSemaphore &operator=(const AsyncSemaphore &) = delete;

    struct Acquire
    {
        AsyncSemaphore &semaphore;
        bool await_ready() const noexcept
        {
            if (semaphore.m_free > 0) {
                --semaphore.m_free;
                return true;
            }
            return false;
        }
        void await_suspend(std::coroutine_handle<> awaiting)
        {
            semaphore.m_waiters.push_back(awaiting);
        }
        void await_resume() const noexcept { }
    };

    Acquire acquire() { return { *this }; }
    bool wouldWait() const { return m_free == 0; }
    void release()
    {
        if (m_waiters.empty()) {
            ++m_free;
            return;
        }
        const auto next = m_waiters.front();
        m_waiters.pop_front();
        next.resume();
    }

    // An acquired permit, released when it goes out of scope.
    struct Permit
    {
        explicit Permit(AsyncSemaphore &acquired)
            : semaphore(acquired)
        { }
        AsyncSemaphore &semaphore;
        Permit(const Permit &) = delete;
        Permit &operator=(const Permit &) = delete;
        ~Permit() { semaphore.release(); }
    };

private:
    int m_free;
    std::deque<std::coroutine_handle<>> m_waiters;
};

} // namespace loopscope::upstream
