#pragma once

#include "timemapping.h"

#include <QtCore/QObject>

#include <limits>

namespace loopscope::viz {

// Which slice of time the timeline shows and whether it follows the live edge.
// Separate from the painter so keyboard, mouse, tests and the app's toolbar all
// move the same state and the view only reacts to changed().
class ZoomState : public QObject
{
    Q_OBJECT
public:
    static constexpr Nanos kMinDuration = 1'000; // 1 µs across the widget
    static constexpr Nanos kDefaultDuration = 10'000'000'000; // what live mode opens with

    explicit ZoomState(QObject *parent = nullptr);

    const TimeMapping &mapping() const { return m_mapping; }
    bool isFollowing() const { return m_following; }

    void setGeometry(double left, double width);
    // Where data exists (oldest retained .. now); navigation stays near it.
    void setBounds(Nanos lo, Nanos hi);
    Nanos lowerBound() const { return m_lo; }
    Nanos upperBound() const { return m_hi; }

    // All of these except follow() and setFollowing(true) pause following: the
    // user looks at something and the live edge must not pull it away.
    void setRange(Nanos start, Nanos end);
    void zoomAt(double x, double factor);
    void zoomCentered(double factor);
    void panBy(double dx);
    void panByFraction(double fraction); // of the visible duration, + = later
    void showAll();
    void goToEnd();
    // Brings an instant on screen: nothing when it is visible, else centres on it (and pauses).
    void reveal(Nanos instant);

    void setFollowing(bool following);
    // Live edge moved: keep the duration, put now at the right edge.
    void follow(Nanos now);
    // The axis' zero: while less than a view's duration has passed since it, following shows
    // from zero on, so a fresh session's axis reads 0 s, 2 s, … rather than time before it began.
    void setOrigin(Nanos origin) { m_origin = origin; }

Q_SIGNALS:
    void changed();
    void followingChanged(bool following);

private:
    void apply(const TimeMapping &mapping, bool pause);
    Nanos maxDuration() const;

    TimeMapping m_mapping { 0, kDefaultDuration, 0, 1000 };
    Nanos m_lo = 0;
    Nanos m_hi = 0;
    Nanos m_origin = std::numeric_limits<Nanos>::min();
    bool m_following = true;
};

} // namespace loopscope::viz
