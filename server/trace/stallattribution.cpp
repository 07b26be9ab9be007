#include "stallattribution.h"

#include "spanindex.h"

#include <algorithm>

namespace loopscope::trace {

QLatin1StringView stallCauseName(StallCause cause) noexcept
{
    switch (cause) {
    case StallCause::BlockingCall:
        return QLatin1StringView("blocking call");
    case StallCause::LoopBusy:
        return QLatin1StringView("loop busy");
    }
    return {};
}

QLatin1StringView waitPlaceName(WaitPlace place) noexcept
{
    switch (place) {
    case WaitPlace::Socket:
        return QLatin1StringView("socket");
    case WaitPlace::Queued:
        return QLatin1StringView("queued");
    case WaitPlace::Awaiting:
        return QLatin1StringView("awaiting");
    }
    return {};
}

LoopSpan LoopSpan::fromRecord(const SpanRecord &record)
{
    LoopSpan s;
    s.span = record.span;
    s.sent = record.issued();
    s.accepted = record.begin();
    s.started = record.started;
    s.end = record.closed;
    for (const BlockingRecord &b : record.blocking) {
        if (b.thread == record.thread) // a blocking call on a worker stalls no loop
            s.blocking.push_back({ b.begin, b.end, b.label });
    }
    return s;
}

std::vector<WatchedStall> watchedStalls(std::span<const Event> events)
{
    std::vector<WatchedStall> stalls;
    std::vector<std::pair<std::uint64_t, std::size_t>> open; // stall id, index; few at a time
    for (const Event &e : events) {
        const Step step = decode(e).step;
        if (step == Step::StallBegin) {
            open.emplace_back(stallId(e), stalls.size());
            stalls.push_back({ stallStart(e), 0 });
        } else if (step == Step::StallEnd) {
            const auto it = std::find_if(
                open.begin(), open.end(), [&](const auto &o) { return o.first == stallId(e); });
            if (it == open.end()) {
                stalls.push_back({ e.time - stallDuration(e), e.time });
                continue;
            }
            WatchedStall &w = stalls[it->second];
            w.end = stallDuration(e) > 0 ? w.begin + stallDuration(e) : e.time;
            open.erase(it);
        }
    }
    return stalls;
}

Nanos AttributedStall::waited() const
{
    Nanos total = 0;
    for (const StallVictim &v : victims)
        total += v.waited;
    return total;
}

std::vector<AttributedStall> StallAttribution::attribute(std::span<const LoopSpan> spans,
    std::span<const WatchedStall> watched, Nanos now, Nanos from, Nanos to) const
{
    std::vector<AttributedStall> stalls;
    for (const LoopSpan &s : spans) {
        for (const TimeInterval &call : s.blocking) {
            const Nanos end = call.end ? call.end : std::max(now, call.begin);
            if (end <= from || (to != 0 && end > to))
                continue;
            // A short call is a stall only where the watchdog saw the loop stuck.
            const auto seen = [&](const WatchedStall &w) {
                return call.begin < (w.end ? w.end : now) && end > w.begin;
            };
            if (end - call.begin < m_minBusy && std::none_of(watched.begin(), watched.end(), seen))
                continue;
            AttributedStall &stall = stalls.emplace_back();
            stall.begin = call.begin;
            stall.end = end;
            stall.open = call.end == 0;
            stall.cause = StallCause::BlockingCall;
            stall.culprit = s.span;
            stall.label = call.label;
        }
    }
    std::sort(stalls.begin(), stalls.end(),
        [](const AttributedStall &a, const AttributedStall &b) { return a.begin < b.begin; });

    // What the watchdog saw outside every blocking call is the loop's own work.
    const std::size_t calls = stalls.size();
    for (const WatchedStall &w : watched) {
        const Nanos wEnd = w.end ? w.end : std::max(now, w.begin);
        Nanos cursor = w.begin;
        const auto busy = [&](Nanos end, bool open) {
            if (end - cursor < m_minBusy)
                return;
            AttributedStall &stall = stalls.emplace_back();
            stall.begin = cursor;
            stall.end = end;
            stall.open = open;
            stall.cause = StallCause::LoopBusy;
        };
        for (std::size_t i = 0; i < calls && cursor < wEnd; ++i) {
            const AttributedStall call = stalls[i]; // a copy: busy() may grow the vector
            if (call.end <= cursor || call.begin >= wEnd)
                continue;
            if (call.begin > cursor)
                busy(call.begin, false);
            cursor = std::max(cursor, call.end);
        }
        if (cursor < wEnd)
            busy(wEnd, w.end == 0);
    }
    std::sort(stalls.begin(), stalls.end(),
        [](const AttributedStall &a, const AttributedStall &b) { return a.begin < b.begin; });
    for (AttributedStall &stall : stalls)
        chargeVictims(spans, stall, now);
    return stalls;
}

void StallAttribution::chargeVictims(
    std::span<const LoopSpan> spans, AttributedStall &stall, Nanos now) const
{
    const auto covered = [&](Nanos begin, Nanos end) {
        return std::max<Nanos>(0, std::min(end, stall.end) - std::max(begin, stall.begin));
    };
    const auto charge = [&](std::uint64_t span, Nanos waited, WaitPlace where) {
        if (waited > 0)
            stall.victims.push_back({ span, waited, where });
    };
    for (const LoopSpan &s : spans) {
        if (s.accepted >= stall.begin && s.accepted < stall.end)
            ++stall.arrivals;
        if (s.span == stall.culprit)
            continue;
        const Nanos end = s.end ? s.end : std::max(now, s.accepted);
        if (s.sent && s.accepted)
            charge(s.span, covered(s.sent, s.accepted), WaitPlace::Socket);
        if (s.accepted)
            charge(s.span, covered(s.accepted, s.started ? s.started : end), WaitPlace::Queued);
        if (s.started) {
            Nanos awaiting = covered(s.started, end);
            for (const TimeInterval &call : s.blocking) // its own calls are no wait
                awaiting -= covered(call.begin, call.end ? call.end : end);
            charge(s.span, awaiting, WaitPlace::Awaiting);
        }
    }
}

} // namespace loopscope::trace
