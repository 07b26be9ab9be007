#include "zoomstate.h"

#include <algorithm>

namespace loopscope::viz {

ZoomState::ZoomState(QObject *parent)
    : QObject(parent)
{ }

void ZoomState::setGeometry(double left, double width)
{
    const TimeMapping next = m_mapping.withGeometry(left, width);
    if (next == m_mapping)
        return;
    m_mapping = next;
    Q_EMIT changed();
}

void ZoomState::setBounds(Nanos lo, Nanos hi)
{
    m_lo = lo;
    m_hi = std::max(lo, hi);
}

Nanos ZoomState::maxDuration() const
{
    // Room for the whole retained window and a margin, never less than the
    // default so an empty timeline still has a sensible scale.
    return std::max<Nanos>((m_hi - m_lo) * 11 / 10, kDefaultDuration);
}

void ZoomState::apply(const TimeMapping &mapping, bool pause)
{
    TimeMapping next = mapping;
    if (m_hi > m_lo) {
        // Keep some data on screen: never pan further than half a view past it.
        const Nanos half = next.duration() / 2;
        next = next.clampedTo(m_lo - half, m_hi + half);
    }
    const bool followChange = pause && m_following;
    if (followChange)
        m_following = false;
    if (next != m_mapping) {
        m_mapping = next;
        Q_EMIT changed();
    }
    if (followChange)
        Q_EMIT followingChanged(false);
}

void ZoomState::setRange(Nanos start, Nanos end)
{
    if (end - start < kMinDuration) {
        const Nanos mid = start + (end - start) / 2;
        start = mid - kMinDuration / 2;
        end = start + kMinDuration;
    }
    apply(m_mapping.withRange(start, end), true);
}

void ZoomState::zoomAt(double x, double factor)
{
    apply(m_mapping.zoomedAround(x, factor, kMinDuration, maxDuration()), true);
}

void ZoomState::zoomCentered(double factor)
{
    zoomAt(m_mapping.left() + m_mapping.width() / 2, factor);
}

void ZoomState::panBy(double dx)
{
    apply(m_mapping.pannedBy(dx), true);
}

void ZoomState::panByFraction(double fraction)
{
    panBy(-fraction * m_mapping.width());
}

void ZoomState::showAll()
{
    if (m_hi <= m_lo)
        return;
    const Nanos margin = std::max<Nanos>((m_hi - m_lo) / 50, 1);
    apply(m_mapping.withRange(m_lo - margin, m_hi + margin), true);
}

void ZoomState::goToEnd()
{
    const Nanos d = m_mapping.duration();
    apply(m_mapping.withRange(m_hi - d + d / 20, m_hi + d / 20), true);
}

void ZoomState::reveal(Nanos instant)
{
    if (instant >= m_mapping.start() && instant <= m_mapping.end())
        return;
    const Nanos half = m_mapping.duration() / 2;
    apply(m_mapping.withRange(instant - half, instant + half), true);
}

void ZoomState::setFollowing(bool following)
{
    if (following == m_following)
        return;
    m_following = following;
    if (following)
        follow(m_hi);
    Q_EMIT followingChanged(following);
}

void ZoomState::follow(Nanos now)
{
    m_hi = std::max(m_hi, now);
    if (!m_following)
        return;
    // A small margin right of now so the growing edge of open bars is visible.
    const Nanos d = m_mapping.duration();
    Nanos start = now - d + d / 50;
    if (now >= m_origin) // a replay's clock may run before this session's origin
        start = std::max(start, m_origin);
    const TimeMapping next = m_mapping.withRange(start, start + d);
    if (next != m_mapping) {
        m_mapping = next;
        Q_EMIT changed();
    }
}

} // namespace loopscope::viz
