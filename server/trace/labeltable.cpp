#include "labeltable.h"

namespace loopscope::trace {

namespace {
std::size_t hashText(std::string_view text) noexcept
{
    // FNV-1a: short labels, no need for anything stronger.
    std::uint64_t h = 1469598103934665603ull;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return static_cast<std::size_t>(h ^ (h >> 29));
}
} // namespace

LabelTable &LabelTable::instance()
{
    // Leaked on purpose: labels must stay valid in destructors of other statics.
    static LabelTable *table = new LabelTable;
    return *table;
}

std::uint32_t LabelTable::intern(std::string_view text)
{
    if (text.empty())
        return 0;
    constexpr std::size_t mask = kSlots - 1;
    std::size_t i = hashText(text) & mask;
    Entry *fresh = nullptr;
    for (std::size_t probes = 0; probes < kSlots; ++probes, i = (i + 1) & mask) {
        Entry *e = m_slots[i].load(std::memory_order_acquire);
        if (!e) {
            if (!fresh) {
                const std::uint32_t id = m_nextId.fetch_add(1, std::memory_order_relaxed);
                if (id > kMaxLabels)
                    return 0; // table full: the event simply carries no label
                fresh = new Entry { std::string(text),
                    QString::fromUtf8(text.data(), qsizetype(text.size())), id };
                // Published by id before the slot so any id a caller can see resolves.
                m_byId[id].store(fresh, std::memory_order_release);
            }
            Entry *expected = nullptr;
            if (m_slots[i].compare_exchange_strong(expected, fresh, std::memory_order_acq_rel))
                return fresh->id;
            e = expected; // someone else claimed this slot meanwhile
        }
        if (e->utf8 == text) {
            if (fresh) {
                // Lost a race for the same text; the id we took stays unused.
                m_byId[fresh->id].store(nullptr, std::memory_order_relaxed);
                delete fresh;
            }
            return e->id;
        }
    }
    return 0;
}

const LabelTable::Entry *LabelTable::entry(std::uint32_t id) const noexcept
{
    if (id == 0 || id > kMaxLabels)
        return nullptr;
    return m_byId[id].load(std::memory_order_acquire);
}

std::string_view LabelTable::view(std::uint32_t id) const noexcept
{
    const Entry *e = entry(id);
    return e ? std::string_view(e->utf8) : std::string_view();
}

QString LabelTable::text(std::uint32_t id) const
{
    const Entry *e = entry(id);
    return e ? e->text : QString();
}

} // namespace loopscope::trace
