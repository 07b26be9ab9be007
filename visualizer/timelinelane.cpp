#include "timelinelane.h"

#include <algorithm>

namespace loopscope::viz {

bool TimelineSpan::hasBlocking() const
{
    return std::any_of(segments.begin(), segments.end(),
        [](const Segment &s) { return s.kind == SegmentKind::Blocking; });
}

const Segment *TimelineSpan::segmentAt(Nanos instant) const
{
    if (end && instant >= end)
        return nullptr;
    // Contiguous and time-ordered: the last segment that began by `instant`.
    const auto after = std::upper_bound(segments.begin(), segments.end(), instant,
        [](Nanos t, const Segment &s) { return t < s.begin; });
    if (after == segments.begin())
        return nullptr;
    const Segment &found = *std::prev(after);
    return found.end == 0 || instant < found.end ? &found : nullptr;
}

void TimelineLane::append(const TimelineSpan &s, std::uint32_t slot)
{
    const bool blocking = s.hasBlocking();
    const SegmentKind dominant = s.segments.empty() ? SegmentKind::Running : s.segments.back().kind;
    if (empty() || back().begin <= s.begin) {
        if (blocking)
            m_blockingIndex.push_back(m_items.size());
        m_items.push_back(
            { s.begin, s.end, slot, cumulativeBefore(size()) + (blocking ? 1u : 0u), dominant });
        m_blocking.push_back(blocking);
        return;
    }
    // A ring drained late can deliver a slightly older span; keep the order.
    const auto pos = std::upper_bound(
        iter(0), m_items.cend(), s.begin, [](Nanos t, const Item &i) { return t < i.begin; });
    const std::size_t index = std::size_t(pos - iter(0));
    m_items.insert(pos, { s.begin, s.end, slot, 0, dominant });
    m_blocking.insert(m_blocking.begin() + std::ptrdiff_t(m_head + index), blocking);
    recount(index);
    rebuildBlockingIndex(); // positions shifted; rare, so simply
}

void TimelineLane::rebuildBlockingIndex()
{
    m_blockingIndex.clear();
    for (std::size_t i = m_head; i < m_items.size(); ++i) {
        if (m_blocking[i])
            m_blockingIndex.push_back(i);
    }
}

void TimelineLane::recount(std::size_t from)
{
    for (std::size_t i = from; i < size(); ++i)
        at(i).blockingUpTo = cumulativeBefore(i) + (m_blocking[m_head + i] ? 1u : 0u);
}

std::size_t TimelineLane::indexOf(std::uint32_t slot) const
{
    // Almost always the newest item: only open spans change.
    for (std::size_t i = size(); i-- > 0;) {
        if ((*this)[i].slot == slot)
            return i;
    }
    return size();
}

void TimelineLane::markBlocking(std::uint32_t slot)
{
    const std::size_t i = indexOf(slot);
    if (i == size() || m_blocking[m_head + i])
        return;
    m_blocking[m_head + i] = true;
    recount(i);
    const std::size_t position = m_head + i;
    m_blockingIndex.insert(
        std::lower_bound(m_blockingIndex.begin(), m_blockingIndex.end(), position), position);
}

void TimelineLane::closeItem(std::uint32_t slot, Nanos end, SegmentKind dominant)
{
    const std::size_t i = indexOf(slot);
    if (i == size())
        return;
    at(i).end = end;
    at(i).dominant = dominant;
}

bool TimelineLane::remove(std::uint32_t slot)
{
    const std::size_t i = indexOf(slot);
    if (i == size())
        return false;
    const std::size_t position = m_head + i;
    if (position + 1 == m_items.size()) {
        // The newest item (a request placed again once its send time is known, for every
        // request): nothing after it shifts, nothing to recount.
        m_items.pop_back();
        m_blocking.pop_back();
        if (!m_blockingIndex.empty() && m_blockingIndex.back() == position)
            m_blockingIndex.pop_back();
        return true;
    }
    m_items.erase(m_items.begin() + std::ptrdiff_t(m_head + i));
    m_blocking.erase(m_blocking.begin() + std::ptrdiff_t(m_head + i));
    recount(i);
    rebuildBlockingIndex();
    return true;
}

std::pair<std::size_t, std::size_t> TimelineLane::visible(Nanos t0, Nanos t1, Nanos now) const
{
    const std::size_t first = firstEndingAtOrAfter(0, size(), t0, now);
    const auto last = std::partition_point(
        iter(first), m_items.cend(), [t1](const Item &i) { return i.begin <= t1; });
    return { first, std::size_t(last - iter(0)) };
}

std::size_t TimelineLane::firstEndingAtOrAfter(
    std::size_t from, std::size_t to, Nanos t, Nanos now) const
{
    return gallop(from, to, [&](const Item &i) { return i.endOr(now) < t; });
}

std::size_t TimelineLane::firstBeginningAtOrAfter(std::size_t from, std::size_t to, Nanos t) const
{
    return gallop(from, to, [t](const Item &i) { return i.begin < t; });
}

std::size_t TimelineLane::hit(Nanos t, Nanos tolerance, Nanos now) const
{
    const auto [first, last] = visible(t - tolerance, t + tolerance, now);
    // Prefer the span that really covers t over a neighbour within tolerance.
    std::size_t best = size();
    Nanos bestDistance = tolerance + 1;
    for (std::size_t i = first; i < last; ++i) {
        const Item &item = (*this)[i];
        const Nanos e = item.endOr(now);
        const Nanos distance = t < item.begin ? item.begin - t : t > e ? t - e : 0;
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
    return (*this)[last - 1].blockingUpTo - cumulativeBefore(first);
}

std::size_t TimelineLane::nextBlocking(std::size_t from, std::size_t to) const
{
    if (from >= to)
        return to;
    const std::uint32_t before = cumulativeBefore(from);
    const auto it = std::partition_point(
        iter(from), iter(to), [before](const Item &i) { return i.blockingUpTo <= before; });
    return std::size_t(it - iter(0));
}

void TimelineLane::dropBefore(Nanos horizon, std::vector<std::uint32_t> &freed)
{
    while (!empty()) {
        const Item &front = (*this)[0];
        const bool expired = front.end ? front.end < horizon : front.begin < horizon;
        if (!expired)
            break;
        m_dropped = front.blockingUpTo;
        freed.push_back(front.slot);
        ++m_head;
    }
    // Compact once the dead prefix outweighs the live items: amortised O(1) per pop.
    if (m_head > 1024 && m_head * 2 > m_items.size()) {
        m_items.erase(m_items.begin(), m_items.begin() + std::ptrdiff_t(m_head));
        m_blocking.erase(m_blocking.begin(), m_blocking.begin() + std::ptrdiff_t(m_head));
        m_head = 0;
        rebuildBlockingIndex();
    } else if (empty()) {
        m_items.clear();
        m_blocking.clear();
        m_blockingIndex.clear();
        m_head = 0;
    } else {
        const auto live = std::lower_bound(m_blockingIndex.begin(), m_blockingIndex.end(), m_head);
        m_blockingIndex.erase(m_blockingIndex.begin(), live);
    }
}

} // namespace loopscope::viz
