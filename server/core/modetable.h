#pragma once

#include "handlervariant.h"

#include <QString>
#include <atomic>
#include <memory>
#include <vector>

namespace loopscope {

// The variant each route runs, flipped from the GUI or /_scope/modes while the server loop reads
// it on every request. Routes are fixed at start-up, so entries never move and each is one atomic.
class ModeTable
{
public:
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
    // path) or "*" (every route that allows the variant). Returns an error text, empty when done.
    QString applyAssignment(const QString &assignment);

private:
    std::vector<std::unique_ptr<Entry>> m_entries;
};

} // namespace loopscope
