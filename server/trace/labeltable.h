#pragma once

#include <QtCore/QString>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace loopscope::trace {

// Process-wide interning of label texts. Fixed-size open-addressing table of
// immutable entries published with compare-and-swap: lookups of known texts are
// lock-free and allocation-free, so route handlers may call label() per request.
// Entries are never freed, which is what makes ids and views stable.
class LabelTable
{
public:
    static constexpr std::uint32_t kMaxLabels = 16384;

    static LabelTable &instance();

    std::uint32_t intern(std::string_view text);
    std::string_view view(std::uint32_t id) const noexcept;
    QString text(std::uint32_t id) const;

private:
    struct Entry
    {
        std::string utf8;
        QString text;
        std::uint32_t id;
    };
    static constexpr std::size_t kSlots = 2 * kMaxLabels; // load factor stays <= 0.5

    const Entry *entry(std::uint32_t id) const noexcept;

    std::array<std::atomic<Entry *>, kSlots> m_slots {};
    std::array<std::atomic<Entry *>, kMaxLabels + 1> m_byId {};
    std::atomic<std::uint32_t> m_nextId { 1 };
};

} // namespace loopscope::trace
