#pragma once

#include <QtGlobal>

#include <chrono>
#include <memory>

class QThread;
class QTimer;

namespace loopscope::testing {

// After QCoro's EventLoopChecker: a timer on the thread under test counts its ticks. A loop that
// is blocked cannot tick, however fast or slow the machine, so "it ticked while X ran" proves the
// loop kept turning during X where "X took under N ms" only proves the machine was idle.
// Tick times are steady-clock nanoseconds, the clock of trace::nowNs(), so they can be laid over
// trace records. Destroy it before its thread ends (declare it after the server that owns it).
class EventLoopChecker
{
public:
    explicit EventLoopChecker(
        QThread *thread, std::chrono::milliseconds interval = std::chrono::milliseconds(2));
    ~EventLoopChecker();
    EventLoopChecker(const EventLoopChecker &) = delete;
    EventLoopChecker &operator=(const EventLoopChecker &) = delete;

    int ticks() const;
    bool ticked(int atLeast) const { return ticks() >= atLeast; }
    // Ticks strictly inside (fromNs, toNs): the loop ran while something else was under way.
    int ticksBetween(qint64 fromNs, qint64 toNs) const;

private:
    struct Ticks; // shared with the timer's slot, which runs on the checked thread
    std::shared_ptr<Ticks> m_ticks;
    QTimer *m_timer = nullptr; // lives on the checked thread
};

} // namespace loopscope::testing
