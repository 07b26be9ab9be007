#pragma once

#include "trace/trace.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace loopscope::http {

// When each byte of a connection's input reached the machine, per read, so that every request
// is dated by the read that delivered its FIRST byte: pipelined requests in one read share its
// time, a request spread over several reads takes the first one's. Offsets count the bytes of
// the connection's input since it began (or since clear()), so they survive the buffer's
// compaction.
//
// Bounded: a body that comes in many reads is not worth a mark per read. When the marks are all
// in use the newest absorbs the next read and takes its later time, so a date is never earlier
// than the truth (the kernel's own stamp of a read is its last segment's, the same way).
class ArrivalMarks
{
public:
    // One read of `bytes` bytes, received at `arrived` (0 = not known).
    void received(std::size_t bytes, trace::Nanos arrived);
    // When the first not yet consumed byte arrived: that of the request that starts there.
    trace::Nanos next() const;
    // The request that starts at the next byte took `bytes` bytes.
    void consume(std::size_t bytes);
    void clear();

private:
    struct Mark
    {
        std::uint64_t end = 0; // offset just past the read's last byte
        trace::Nanos arrived = 0;
    };
    static constexpr std::size_t kCapacity = 4;

    std::array<Mark, kCapacity> m_marks {};
    std::size_t m_count = 0; // m_marks[0..m_count) in input order
    std::uint64_t m_received = 0;
    std::uint64_t m_consumed = 0;
};

} // namespace loopscope::http
