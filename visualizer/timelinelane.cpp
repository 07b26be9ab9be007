#include "timelinelane.h"

#include <algorithm>

namespace loopscope::viz {

bool TimelineSpan::hasBlocking() const
{
    return std::any_of(segments.begin(), segments.end(),
                       [](const Segment &s) { return s.kind == SegmentKind::Blocking; });
}

void TimelineLane::append(const Spans &spans, std::uint32_t slot)
{
    const TimelineSpan &s = spans[slot];
    const std::uint32_t blocking = s.hasBlocking() ? 1 : 0;
    if (m_items.empty() || m_items.back().begin <= s.begin) {
        m_items.push_back({ s.begin, slot, cumulativeBefore(m_items.size()) + blocking });
        return;
    }
    // A ring drained late can deliver a slightly older span; keep the order.
    const auto pos = std::upper_bound(m_items.begin(), m_items.end(), s.begin,
                                      [](Nanos t, const Item &i) { return t < i.begin; });
    const std::size_t index = std::size_t(pos - m_items.begin());
    m_items.insert(pos, { s.begin, slot, 0 });
    recount(spans, index);
}

void TimelineLane::recount(const Spans &spans, std::size_t from)
{
    for (std::size_t i = from; i < m_items.size(); ++i)
        m_items[i].blockingUpTo = cumulativeBefore(i) + (spans[m_items[i].slot].hasBlocking() ? 1 : 0);
}

void TimelineLane::markBlocking(const Spans &spans, std::uint32_t slot)
{
    // Almost always the newest item: only open spans gain segments.
    for (std::size_t i = m_items.size(); i-- > 0;) {
        if (m_items[i].slot == slot) {
            recount(spans, i);
            return;
        }
    }
}

bool TimelineLane::remove(const Spans &spans, std::uint32_t slot)
{
    for (std::size_t i = m_items.size(); i-- > 0;) {
        if (m_items[i].slot == slot) {
            m_items.erase(m_items.begin() + std::ptrdiff_t(i));
            recount(spans, i);
            return true;
        }
    }
    return false;
}

std::pair<std::size_t, std::size_t> TimelineLane::visible(const Spans &spans, Nanos t0, Nanos t1, Nanos now) const
{
    const std::size_t first = firstEndingAtOrAfter(spans, 0, m_items.size(), t0, now);
    const auto last = std::partition_point(m_items.begin() + std::ptrdiff_t(first), m_items.end(),
                                           [t1](const Item &i) { return i.begin <= t1; });
    return { first, std::size_t(last - m_items.begin()) };
}

std::size_t TimelineLane::firstEndingAtOrAfter(const Spans &spans, std::size_t from, std::size_t to, Nanos t,
                                               Nanos now) const
{
    const auto it = std::partition_point(m_items.begin() + std::ptrdiff_t(from), m_items.begin() + std::ptrdiff_t(to),
                                         [&](const Item &i) { return spans[i.slot].endOr(now) < t; });
    return std::size_t(it - m_items.begin());
}

std::size_t TimelineLane::hit(const Spans &spans, Nanos t, Nanos tolerance, Nanos now) const
{
    const auto [first, last] = visible(spans, t - tolerance, t + tolerance, now);
    // Prefer the span that really covers t over a neighbour within tolerance.
    std::size_t best = m_items.size();
    Nanos bestDistance = tolerance + 1;
    for (std::size_t i = first; i < last; ++i) {
        const TimelineSpan &s = spans[m_items[i].slot];
        const Nanos e = s.endOr(now);
        const Nanos distance = t < s.begin ? s.begin - t : t > e ? t - e : 0;
        if (distance < bestDistance) {
            best = i;
            bestDistance = distance;
        }
    }
    return best;
}

std::uint32_t TimelineLane::blockingIn(std::size_t first, std::size_t last) const
{
    if (last <= first)
        return 0;
    return m_items[last - 1].blockingUpTo - cumulativeBefore(first);
}

std::size_t TimelineLane::nextBlocking(std::size_t from, std::size_t to) const
{
    if (from >= to)
        return to;
    const std::uint32_t before = cumulativeBefore(from);
    const auto it = std::partition_point(m_items.begin() + std::ptrdiff_t(from), m_items.begin() + std::ptrdiff_t(to),
                                         [before](const Item &i) { return i.blockingUpTo <= before; });
    return std::size_t(it - m_items.begin());
}

void TimelineLane::dropBefore(const Spans &spans, Nanos horizon, std::vector<std::uint32_t> &freed)
{
    while (!m_items.empty()) {
        const Item &front = m_items.front();
        const TimelineSpan &s = spans[front.slot];
        const bool expired = s.end ? s.end < horizon : s.begin < horizon;
        if (!expired)
            break;
        m_dropped = front.blockingUpTo;
        freed.push_back(front.slot);
        m_items.pop_front();
    }
}

bool TimelineLane::isFreeAt(const Spans &spans, Nanos t) const
{
    if (m_items.empty())
        return true;
    const TimelineSpan &last = spans[m_items.back().slot];
    return last.end != 0 && last.end <= t;
}

} // namespace loopscope::viz
