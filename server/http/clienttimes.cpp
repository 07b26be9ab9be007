#include "clienttimes.h"

#include <charconv>

namespace loopscope::http {

namespace {

constexpr trace::Nanos kLongestBelieved = 60'000'000'000; // before the server read it
constexpr trace::Nanos kArrivalSlack = 1'000'000; // the realtime offset's error, and more

bool withinTheLastMinute(trace::Nanos time, trace::Nanos readAt)
{
    return time > 0 && time <= readAt && readAt - time <= kLongestBelieved;
}

trace::Nanos decimal(QByteArrayView text)
{
    trace::Nanos value = 0;
    const char *end = text.data() + text.size();
    // from_chars takes a leading '-': a time is digits only.
    if (text.isEmpty() || text.front() < '0' || text.front() > '9')
        return 0;
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    return error == std::errc() && stop == end ? value : 0;
}

} // namespace

ClientTimes plausibleClientTimes(
    QByteArrayView sentHeader, trace::Nanos arrived, trace::Nanos readAt) noexcept
{
    ClientTimes times;
    if (withinTheLastMinute(arrived, readAt))
        times.arrived = arrived;
    const trace::Nanos sent = decimal(sentHeader);
    if (withinTheLastMinute(sent, readAt)
        && (times.arrived == 0 || sent <= times.arrived + kArrivalSlack))
        times.sent = sent;
    return times;
}

} // namespace loopscope::http
