#include "spanslotindex.h"

#include "core/hugepages.h"

#include <bit>

namespace loopscope::viz {

std::size_t SpanSlotIndex::home(std::uint64_t id) const
{
    // Fibonacci hashing: ids are consecutive, and the high bits of the product spread them.
    const int shift = 64 - std::countr_zero(m_entries.size());
    return std::size_t((id * 0x9E3779B97F4A7C15ull) >> shift);
}

const std::uint32_t *SpanSlotIndex::find(std::uint64_t id) const
{
    if (m_entries.empty() || id == kEmpty)
        return nullptr;
    const std::size_t mask = m_entries.size() - 1;
    for (std::size_t i = home(id);; i = (i + 1) & mask) {
        const Entry &entry = m_entries[i];
        if (entry.id == id)
            return &entry.slot;
        if (entry.id == kEmpty)
            return nullptr;
    }
}

bool SpanSlotIndex::insert(std::uint64_t id, std::uint32_t slot)
{
    if (id == kEmpty)
        return false;
    if ((m_size + 1) * 2 > m_entries.size())
        rehash(std::max<std::size_t>(16, m_entries.size() * 2));
    const std::size_t mask = m_entries.size() - 1;
    for (std::size_t i = home(id);; i = (i + 1) & mask) {
        Entry &entry = m_entries[i];
        if (entry.id == id)
            return false;
        if (entry.id == kEmpty) {
            entry = { id, slot };
            ++m_size;
            return true;
        }
    }
}

void SpanSlotIndex::erase(std::uint64_t id)
{
    if (m_entries.empty() || id == kEmpty)
        return;
    const std::size_t mask = m_entries.size() - 1;
    std::size_t hole = home(id);
    while (m_entries[hole].id != id) {
        if (m_entries[hole].id == kEmpty)
            return;
        hole = (hole + 1) & mask;
    }
    // Backward shift: every entry after the hole that may move into it does, so a lookup never
    // stops early at a gap and no tombstones pile up.
    for (std::size_t i = (hole + 1) & mask; m_entries[i].id != kEmpty; i = (i + 1) & mask) {
        const std::size_t wanted = home(m_entries[i].id);
        // Movable when its home is not in the circular range (hole, i].
        const bool homeAfterHole
            = hole <= i ? (hole < wanted && wanted <= i) : (hole < wanted || wanted <= i);
        if (!homeAfterHole) {
            m_entries[hole] = m_entries[i];
            hole = i;
        }
    }
    m_entries[hole] = Entry();
    --m_size;
}

void SpanSlotIndex::reserve(std::size_t count)
{
    if (count * 2 > m_entries.size())
        rehash(std::bit_ceil(count * 2));
}

void SpanSlotIndex::clear()
{
    m_entries.clear();
    m_entries.shrink_to_fit();
    m_size = 0;
}

void SpanSlotIndex::rehash(std::size_t capacity)
{
    std::vector<Entry> old;
    old.swap(m_entries);
    m_entries.reserve(capacity);
    preferHugePages(m_entries);
    m_entries.resize(capacity);
    m_size = 0;
    for (const Entry &entry : old) {
        if (entry.id != kEmpty)
            insert(entry.id, entry.slot);
    }
}

} // namespace loopscope::viz
