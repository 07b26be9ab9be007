#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace loopscope {

// Asks the kernel to back the whole 2 MiB pages inside [data, data + bytes) with huge pages
// (Linux's transparent huge pages, in its "madvise" mode too). For a buffer of hundreds of
// megabytes about to be filled once, a recording's events or its timeline's spans, that is a
// page fault every 2 MiB instead of every 4 KiB: on a 2-core VM the faults were a third of the
// time to open a recording. Call it before the first write. Only a hint; nothing elsewhere.
inline void preferHugePages(const void *data, std::size_t bytes) noexcept
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t kHugePage = std::uintptr_t(2) << 20;
    const auto start = reinterpret_cast<std::uintptr_t>(data);
    const std::uintptr_t from = (start + kHugePage - 1) & ~(kHugePage - 1);
    const std::uintptr_t to = (start + bytes) & ~(kHugePage - 1);
    if (to > from)
        static_cast<void>(madvise(reinterpret_cast<void *>(from), to - from, MADV_HUGEPAGE));
#else
    static_cast<void>(data);
    static_cast<void>(bytes);
#endif
}

// The same over a vector's whole capacity: call it right after reserve().
template <typename T> void preferHugePages(const std::vector<T> &storage) noexcept
{
    preferHugePages(storage.data(), storage.capacity() * sizeof(T));
}

} // namespace loopscope
