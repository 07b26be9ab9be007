#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace loopscope {

// CPython's global interpreter lock, for the code that would hold it in Python: CPU work (the
// prime count) and the event loop running handlers. C++ threads run truly in parallel; with the
// GIL on, the timeline and the throughput show what CPython's one lock makes of them. Off: what a
// free-threaded build (or C++) allows.
//
// The rules follow CPython's (Python/ceval_gil.c, "new GIL" of 3.2+): a thread that waits longer
// than the switch interval (sys.getswitchinterval(), 5 ms) asks the holder to drop the lock; the
// holder drops it at its next check and then waits until another thread took it (forced
// switching), so a CPU-bound thread cannot take it straight back. Waiting for I/O (a sleep, a
// socket, a child process) holds no GIL, as in CPython.
//
// One per process, as CPython's is per interpreter. Each wait is traced on the waiting thread:
// a pool job's as an await of that job ("waiting for the GIL"); the loop's as a blocking call of
// the span whose work holds the lock, so a stall it causes names that culprit.
class Gil
{
public:
    static constexpr std::chrono::microseconds switchInterval { 5000 };

    static Gil &process();

    bool enabled() const { return m_enabled.load(std::memory_order_relaxed); }
    void setEnabled(bool on) { m_enabled.store(on, std::memory_order_relaxed); }

    // How the trace shows a wait: who waits, and for which span of theirs.
    enum class Waiter : std::uint8_t
    {
        Loop, // the event loop thread: its wait is drawn as a blocking call of the holder's span
        Worker // a pool thread: drawn as an await of its own job span
    };

    // Holds the GIL for CPU work on this thread (nothing while the GIL is off, or where this
    // thread holds it already: the loop running a blocking variant's job). `blame` is the span
    // charged while others wait for it (the request the work is for); `own` the span of this
    // thread's work, whose waits are drawn.
    class Hold
    {
    public:
        Hold(Gil &gil, Waiter waiter, std::uint64_t blame, std::uint64_t own);
        ~Hold();
        Hold(const Hold &) = delete;
        Hold &operator=(const Hold &) = delete;

        // CPython's eval-breaker check: between slices of work, drops the lock when another
        // thread asked for it, and takes it back after that thread had its turn.
        void checkpoint();

    private:
        Gil &m_gil;
        Waiter m_waiter;
        std::uint64_t m_blame;
        std::uint64_t m_own;
        bool m_taken = false;
    };

    // The loop's side: it needs the lock to run Python code (a handler starting or resuming)
    // and lets it go before it sleeps in its poll (an idle asyncio loop holds no GIL). Only a
    // thread that became a loop thread takes it (one that lets it go before every poll: see
    // ServerRuntime::start); `forSpan` is the span about to run there.
    void becomeLoopThread();
    void loopTakes(std::uint64_t forSpan);
    void loopLetsGo();

    // Lock hand-overs since the process started: a test's proof that threads took turns.
    std::uint64_t switches() const;
    // Whether the calling thread holds the lock now.
    bool heldHere() const;

private:
    // Takes the lock; true when it was taken, false when the GIL is off or this thread holds it.
    bool acquire(Waiter waiter, std::uint64_t blame, std::uint64_t own);
    // Waits for the lock (traced) and takes it; called with m_mutex locked. `waitTraced`: the
    // caller has traced the wait's start already, so the end is traced even if it never waits.
    void take(std::unique_lock<std::mutex> &lock, Waiter waiter, std::uint64_t blame,
        std::uint64_t own, bool waitTraced = false);
    void release();
    void letGo(); // with m_mutex locked
    void dropForOthers(Waiter waiter, std::uint64_t blame, std::uint64_t own);
    void recordWait(bool begins, Waiter waiter, std::uint64_t heldBy, std::uint64_t own) const;

    std::atomic<bool> m_enabled { true };
    std::atomic<bool> m_dropRequest { false };
    mutable std::mutex m_mutex;
    std::condition_variable m_released; // a waiter may take it
    std::condition_variable m_switched; // a dropper may try again
    bool m_locked = false;
    std::thread::id m_holder;
    std::uint64_t m_holderBlame = 0; // whose work holds it, for the waits' blame
    std::uint64_t m_switches = 0;
    int m_waiters = 0;
};

} // namespace loopscope
