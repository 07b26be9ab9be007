#include "arrivalmarks.h"

#include <algorithm>

namespace loopscope::http {

void ArrivalMarks::received(std::size_t bytes, trace::Nanos arrived)
{
    if (bytes == 0)
        return;
    m_received += bytes;
    if (m_count > 0 && m_marks[m_count - 1].arrived == arrived) {
        m_marks[m_count - 1].end = m_received;
        return;
    }
    if (m_count == kCapacity) {
        m_marks[m_count - 1] = { m_received, arrived };
        return;
    }
    m_marks[m_count++] = { m_received, arrived };
}

trace::Nanos ArrivalMarks::next() const
{
    for (std::size_t i = 0; i < m_count; ++i) {
        if (m_marks[i].end > m_consumed)
            return m_marks[i].arrived;
    }
    return 0;
}

void ArrivalMarks::consume(std::size_t bytes)
{
    m_consumed += bytes;
    // Reads wholly consumed date nothing any more.
    std::size_t spent = 0;
    while (spent < m_count && m_marks[spent].end <= m_consumed)
        ++spent;
    if (spent > 0) {
        std::copy(m_marks.begin() + std::ptrdiff_t(spent),
            m_marks.begin() + std::ptrdiff_t(m_count), m_marks.begin());
        m_count -= spent;
    }
}

void ArrivalMarks::clear()
{
    m_count = 0;
    m_received = 0;
    m_consumed = 0;
}

} // namespace loopscope::http
