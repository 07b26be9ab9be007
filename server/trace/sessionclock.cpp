#include "sessionclock.h"

#include <cmath>

namespace loopscope::trace {

Nanos sessionOrigin() noexcept
{
    static const Nanos origin = nowNs();
    return origin;
}

namespace {
// Samples the origin while the process loads, so it does not wait for its first reader.
[[maybe_unused]] const Nanos g_originAtLoad = sessionOrigin();
} // namespace

double sessionSeconds(Nanos time) noexcept
{
    return double(time - sessionOrigin()) / 1e9;
}

Nanos fromSessionSeconds(double seconds) noexcept
{
    return sessionOrigin() + Nanos(std::llround(seconds * 1e9));
}

QString formatSessionTime(Nanos time)
{
    return QString::number(sessionSeconds(time), 'f', 3) + QStringLiteral(" s");
}

} // namespace loopscope::trace
