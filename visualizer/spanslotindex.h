#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace loopscope::viz {

// Span id to its slot in the model's span storage: an open-addressing table (linear probing,
// at most half full, deletion by backward shift), one allocation for any number of spans. A
// node-based map allocated once per span, which made a recording of a million requests open
// at the pace of the allocator.
class SpanSlotIndex
{
public:
    std::size_t size() const { return m_size; }
    // The slot of `id`, or nullptr.
    const std::uint32_t *find(std::uint64_t id) const;
    bool contains(std::uint64_t id) const { return find(id) != nullptr; }
    // Adds `id` at `slot` unless it is there already; returns whether it was added.
    bool insert(std::uint64_t id, std::uint32_t slot);
    void erase(std::uint64_t id);
    // Room for `count` ids without growing.
    void reserve(std::size_t count);
    void clear();

private:
    static constexpr std::uint64_t kEmpty = UINT64_MAX; // not a span id: ids count up from 1
    struct Entry
    {
        std::uint64_t id = kEmpty;
        std::uint32_t slot = 0;
    };
    std::size_t home(std::uint64_t id) const;
    void rehash(std::size_t capacity);

    std::vector<Entry> m_entries; // a power of two long, or empty
    std::size_t m_size = 0;
};

} // namespace loopscope::viz
