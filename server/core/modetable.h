#pragma once

#include "core/result.h"
#include "trace/handlervariant.h"
#include "trace/trace.h"

#include <QString>
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace loopscope {

// The variant each route runs, flipped from the GUI or /_scope/modes while the server loop reads
// it on every request. Routes are fixed at start-up, so entries never move and each is one atomic.
// Every flip is also kept, with its time, so a load run can say what it really measured.
class ModeTable
{
public:
    struct VariantChange
    {
        HandlerVariant from;
        HandlerVariant to;
        trace::Nanos at; // trace clock
    };
    static constexpr std::size_t kHistoryCapacity = 1024; // flips of all routes, newest kept

    struct Entry
    {
        QString route; // "GET /async"
        std::uint8_t allowed = variantBit(HandlerVariant::Async);
        HandlerVariant defaultVariant = HandlerVariant::Async;
        std::atomic<HandlerVariant> current { HandlerVariant::Async };
    };

    int add(const QString &route, std::uint8_t allowed, HandlerVariant defaultVariant);
    int size() const { return static_cast<int>(m_entries.size()); }
    const Entry &entry(int index) const { return *m_entries[index]; }
    int indexOf(const QString &route) const;
    HandlerVariant variant(int index) const
    {
        return m_entries[index]->current.load(std::memory_order_relaxed);
    }

    enum class SetResult
    {
        Ok,
        UnknownRoute,
        UnknownVariant,
        NotAllowed
    };
    SetResult set(const QString &route, const QString &variant);
    // "ROUTE=VARIANT" as given to --mode: ROUTE is "GET /async", "/async" (every method of that
    // path) or "*" (every route that allows the variant). A BadArgument failure says why not.
    Result applyAssignment(const QString &assignment);

    // The flips of one route's variant at times in [from, to] (trace clock), oldest first. Any
    // thread; flips are rare (a person or a script), so a lock is fine here, and the server
    // loop's per-request variant() never takes it.
    std::vector<VariantChange> changesBetween(int route, trace::Nanos from, trace::Nanos to) const;

private:
    void store(int index, HandlerVariant variant);

    struct LoggedChange
    {
        int route;
        VariantChange change;
    };
    std::vector<std::unique_ptr<Entry>> m_entries;
    mutable std::mutex m_historyMutex;
    std::deque<LoggedChange> m_history;
};

} // namespace loopscope
