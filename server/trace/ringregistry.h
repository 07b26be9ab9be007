#pragma once

#include "eventring.h"

#include <QtCore/QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace loopscope::trace {

// Owns every producer thread's ring and the thread index -> name table. Only
// registration and the collector take the mutex; recording never does.
class RingRegistry
{
public:
    static RingRegistry &instance();

    std::uint32_t newThreadIndex();
    // A ring for `thread`, out of the budget: the capacity it asks for while the budget lasts,
    // then the largest power of two that fits what is left, never below kMinRingCapacity (a
    // thread always traces; what overflows a small ring is counted as dropped).
    EventRing *createRing(std::uint32_t thread, std::size_t wantedCapacity);
    // Bytes for every ring together, so that many threads cannot multiply the trace's memory.
    // Rings made before a change keep their size. 0 is defaultRingBudget().
    void setByteBudget(std::size_t bytes);
    std::size_t byteBudget() const;

    void setThreadName(std::uint32_t thread, const QString &name);
    QString threadName(std::uint32_t thread) const;
    std::vector<ThreadInfo> threads() const;

    // Single consumer: callers serialise (the hub holds its collect mutex).
    // Appends every ring's pending events, ring by ring, and frees the rings of
    // exited threads once they are empty. If runEnds is given, the end offset in
    // out of each non-empty ring's run is appended to it (each run is time-ordered).
    std::size_t drainAll(std::vector<Event> &out, std::vector<std::size_t> *runEnds = nullptr);

    std::uint64_t droppedEvents() const;
    std::size_t bytesHeld() const; // of every ring (EventRing::bytesHeld)
    std::size_t ringCount() const;

private:
    RingRegistry();

    mutable std::mutex m_mutex;
    std::vector<std::unique_ptr<EventRing>> m_rings;
    std::vector<QString> m_names; // by thread index
    std::atomic<std::uint32_t> m_nextThread { 0 };
    std::uint64_t m_droppedByFreedRings = 0;
    std::size_t m_budget;
    std::size_t m_committed = 0; // bytes of the rings held and of those being made
    std::vector<EventRing *> m_snapshot; // reused by drainAll
};

} // namespace loopscope::trace
