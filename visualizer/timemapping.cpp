#include "timemapping.h"

#include <algorithm>
#include <cmath>

namespace loopscope::viz {

TimeMapping::TimeMapping(Nanos start, Nanos end, double left, double width)
    : m_start(start)
    , m_end(std::max(end, start + 1))
    , m_left(left)
    , m_width(std::max(width, 1.0))
{ }

double TimeMapping::nsPerPixel() const
{
    return double(duration()) / m_width;
}

double TimeMapping::toX(Nanos t) const
{
    // Work in double from the offset so huge absolute timestamps keep precision.
    return m_left + double(t - m_start) * m_width / double(duration());
}

Nanos TimeMapping::toTime(double x) const
{
    return m_start + Nanos(std::llround((x - m_left) * double(duration()) / m_width));
}

double TimeMapping::toPixels(Nanos d) const
{
    return double(d) * m_width / double(duration());
}

TimeMapping TimeMapping::withRange(Nanos start, Nanos end) const
{
    return TimeMapping(start, end, m_left, m_width);
}

TimeMapping TimeMapping::withGeometry(double left, double width) const
{
    return TimeMapping(m_start, m_end, left, width);
}

TimeMapping TimeMapping::zoomedAround(
    double x, double factor, Nanos minDuration, Nanos maxDuration) const
{
    if (factor <= 0)
        return *this;
    const double fraction = std::clamp((x - m_left) / m_width, 0.0, 1.0);
    const Nanos anchor = m_start + Nanos(std::llround(fraction * double(duration())));
    const double wanted = double(duration()) / factor;
    const Nanos newDuration = Nanos(std::clamp(wanted, double(std::max<Nanos>(minDuration, 1)),
        double(std::max(maxDuration, minDuration))));
    const Nanos newStart = anchor - Nanos(std::llround(fraction * double(newDuration)));
    return withRange(newStart, newStart + newDuration);
}

TimeMapping TimeMapping::pannedBy(double dx) const
{
    const Nanos shift = Nanos(std::llround(dx * nsPerPixel()));
    return withRange(m_start - shift, m_end - shift);
}

TimeMapping TimeMapping::clampedTo(Nanos lo, Nanos hi) const
{
    if (hi <= lo)
        return *this;
    const Nanos d = duration();
    if (d >= hi - lo)
        return withRange(lo, hi);
    if (m_start < lo)
        return withRange(lo, lo + d);
    if (m_end > hi)
        return withRange(hi - d, hi);
    return *this;
}

Nanos TimeMapping::niceTickStep(Nanos minStep)
{
    if (minStep <= 1)
        return 1;
    Nanos decade = 1;
    while (decade * 10 <= minStep)
        decade *= 10;
    for (const Nanos m : { 1, 2, 5, 10 }) {
        if (decade * m >= minStep)
            return decade * m;
    }
    return decade * 10;
}

namespace {
QString trimmed(double value, int decimals)
{
    QString s = QString::number(value, 'f', decimals);
    if (s.contains(QLatin1Char('.'))) {
        while (s.endsWith(QLatin1Char('0')))
            s.chop(1);
        if (s.endsWith(QLatin1Char('.')))
            s.chop(1);
    }
    return s;
}
} // namespace

QString TimeMapping::formatDuration(Nanos d)
{
    const Nanos a = d < 0 ? -d : d;
    const QString sign = d < 0 ? QStringLiteral("-") : QString();
    if (a < 1'000)
        return sign + QString::number(a) + QStringLiteral(" ns");
    if (a < 1'000'000)
        return sign + trimmed(double(a) / 1e3, a < 10'000 ? 2 : 1) + QStringLiteral(" µs");
    if (a < 1'000'000'000)
        return sign + trimmed(double(a) / 1e6, a < 10'000'000 ? 2 : 1) + QStringLiteral(" ms");
    if (a < 120'000'000'000)
        return sign + trimmed(double(a) / 1e9, a < 10'000'000'000 ? 2 : 1) + QStringLiteral(" s");
    const Nanos seconds = a / 1'000'000'000;
    return sign + QString::number(seconds / 60) + QStringLiteral(" min ")
        + QString::number(seconds % 60) + QStringLiteral(" s");
}

QString TimeMapping::formatTick(Nanos offset, Nanos step, Nanos reference)
{
    // The unit follows the step, not the value: ticks 1 ms apart read "2001 ms"
    // would be unreadable, "2.001 s" is what a reader expects.
    struct Unit
    {
        Nanos scale;
        const char16_t *name;
    };
    static constexpr Unit units[]
        = { { 1, u" ns" }, { 1'000, u" µs" }, { 1'000'000, u" ms" }, { 1'000'000'000, u" s" } };
    const Nanos a = std::max({ std::abs(offset), step, std::abs(reference) });
    const Unit *unit = &units[0];
    for (const Unit &u : units) {
        if (a >= u.scale)
            unit = &u;
    }
    int decimals = 0;
    for (Nanos s = unit->scale; s > step && decimals < 9; s /= 10)
        ++decimals;
    return QString::number(double(offset) / double(unit->scale), 'f', decimals)
        + QString::fromUtf16(unit->name);
}

} // namespace loopscope::viz
