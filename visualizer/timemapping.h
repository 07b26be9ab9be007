#pragma once

#include <QtCore/QString>

#include <cstdint>

namespace loopscope::viz {

using Nanos = std::int64_t;

// Pure time <-> pixel maths for one horizontal axis: a visible time range
// [start, end) shown across [left, left + width) pixels. A value type so the
// painter, the zoom state and the tests share one definition of "where is t".
class TimeMapping
{
public:
    TimeMapping() = default;
    TimeMapping(Nanos start, Nanos end, double left, double width);

    Nanos start() const { return m_start; }
    Nanos end() const { return m_end; }
    Nanos duration() const { return m_end - m_start; }
    double left() const { return m_left; }
    double width() const { return m_width; }
    double nsPerPixel() const;
    bool isValid() const { return m_end > m_start && m_width > 0; }

    double toX(Nanos t) const;
    Nanos toTime(double x) const;
    // Length in pixels of a duration; independent of start.
    double toPixels(Nanos d) const;

    TimeMapping withRange(Nanos start, Nanos end) const;
    TimeMapping withGeometry(double left, double width) const;
    // factor > 1 zooms in. The time under x stays under x; the resulting
    // duration is kept within [minDuration, maxDuration].
    TimeMapping zoomedAround(double x, double factor, Nanos minDuration, Nanos maxDuration) const;
    // Positive dx moves the content right, i.e. shows earlier times.
    TimeMapping pannedBy(double dx) const;
    // Shifts (never rescales unless it must) so the range lies within [lo, hi].
    TimeMapping clampedTo(Nanos lo, Nanos hi) const;

    // The 1-2-5 step, at least minStep, that gives ticks a reader can add up.
    static Nanos niceTickStep(Nanos minStep);
    // "250 ns", "40 µs", "1.5 ms", "1.8 s", "2 min 5 s".
    static QString formatDuration(Nanos d);
    // A tick label for an offset, with as many decimals as the step needs. The
    // unit follows the largest of offset, step and reference, so passing the
    // visible range's end keeps every tick of one axis in the same unit.
    static QString formatTick(Nanos offset, Nanos step, Nanos reference = 0);

    friend bool operator==(const TimeMapping &, const TimeMapping &) = default;

private:
    Nanos m_start = 0;
    Nanos m_end = 1'000'000'000;
    double m_left = 0;
    double m_width = 1000;
};

} // namespace loopscope::viz
